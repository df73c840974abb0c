"""A second look at the plain-text cleaner's verdicts on a whole page: boosted trees over each
line's own features, the first pass's verdict and reason, and the verdicts around it.

Why: the first pass (logistic line model, rules, jusText-style smoothing) decides each line
from its shape and its two neighbours; whole scraped pages (blogs, forums, shops) hold lists,
recipe steps and table rows inside the story, and notices and teasers outside it, that only
the wider pattern of verdicts tells apart ("a short line between kept lines", "a sentence
far below the last kept line"), or a line deep in a run of short lines far from the densest
block of text.  Trained by ``storylens.learn.train_cleaner --dev ... --stack-only`` on every
line of the tune half of trafilatura-eval-dev (gold labels where its gold speaks, else
whether trafilatura's extraction of the same page's HTML holds the line) and of the train
half of article-extraction, stored in ``cleaner_stack.json`` and evaluated with numpy
(``storylens.trees``).  Without the file the first pass stands alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from storylens.extract.line_features import FEATURE_NAMES, LineInfo, feature_matrix
from storylens.trees import TreeEnsemble

STACK_FILE = Path(__file__).with_name("cleaner_stack.json")
REASON_GROUPS: tuple[str, ...] = (
    "low story score", "short line next", "medium line", "repeated label", "link",
    "photo caption", "copyright", "foreign-script", "line in", "title", "seen in",
)
"""First-pass reasons, by prefix ("title": the given or guessed title and what is above it)."""
WINDOW = 5
FAR = 50
NEIGHBOURS = (1, 2, -1, -2)
WIDE_WINDOWS = (10, 25)
"""Half-widths of the wider windows over which ``context_columns`` averages: a line in a
run of short lines far from any prose is a menu or a link list whatever its own shape."""
WIDE_NAMES = ("kept", "p", "log_words", "short", "ends_sentence")
_LOG_WORDS = FEATURE_NAMES.index("log_words")


def stack_feature_names() -> list[str]:
    """Column names of ``stack_matrix``."""
    from storylens.extract.line_features import all_feature_names

    names = [*all_feature_names(), *(f"reason_{r.replace(' ', '_')}" for r in REASON_GROUPS),
             "kept", "p", "before_first_kept", "after_last_kept", "kept_dist", "kept_window"]
    for k in NEIGHBOURS:
        side = f"prev{k}" if k > 0 else f"next{-k}"
        names += [f"{side}_kept", f"{side}_p", f"{side}_log_words"]
    return names + context_names()


def context_names() -> list[str]:
    """Column names of ``context_columns``."""
    return [*(f"w{w}_{c}" for w in WIDE_WINDOWS for c in WIDE_NAMES), "short_run",
            "chars_before", "block_dist", "in_block", "chars_share_w10"]


def window_mean(a: npt.NDArray[np.float64], half: int) -> npt.NDArray[np.float64]:
    """Mean of ``a`` over each row's window of ``half`` rows either side (cut at the ends)."""
    n = len(a)
    csum = np.concatenate([[0.0], np.cumsum(a)])
    pos = np.arange(n)
    lo, hi = np.maximum(pos - half, 0), np.minimum(pos + half + 1, n)
    out: npt.NDArray[np.float64] = (csum[hi] - csum[lo]) / (hi - lo)
    return out


def densest_block(chars: npt.NDArray[np.float64]) -> tuple[int, int]:
    """First and last line of the run of lines with the most text above the page's typical
    line (maximum-sum run of ``chars - median - 20``): where the main text most likely is."""
    gain = chars - float(np.median(chars)) - 20.0
    best, cur, start, block = -np.inf, 0.0, 0, (0, 0)
    for k, g in enumerate(gain.tolist()):
        if cur <= 0:
            cur, start = 0.0, k
        cur += g
        if cur > best:
            best, block = cur, (start, k)
    return block


def context_columns(infos: Sequence[LineInfo], p: npt.NDArray[np.float64],
                    keep: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Wider context of each line (see ``context_names``): the first pass's verdicts, scores,
    line lengths, short lines and sentence ends averaged over ``WIDE_WINDOWS``; the length
    of the run of short lines it is in (menus, tag lists); the share of the page's text
    before it; its distance to (and whether it is inside) the densest block of text; and its
    share of the text of the 21 lines around it."""
    n = len(infos)
    if n == 0:
        return np.zeros((0, len(context_names())))
    words = np.asarray([f.n_words for f in infos], dtype=np.float64)
    chars = np.asarray([f.n_chars for f in infos], dtype=np.float64)
    short = (words < 5).astype(np.float64)
    ends = np.asarray([f.ends_sentence for f in infos], dtype=np.float64)
    series = {"kept": keep, "p": p, "log_words": np.log1p(words), "short": short,
              "ends_sentence": ends}
    cols = [window_mean(series[c], w) for w in WIDE_WINDOWS for c in WIDE_NAMES]
    # length of the run of consecutive short lines holding each line (0 for other lines)
    run = np.zeros(n)
    edges = np.flatnonzero(np.diff(np.concatenate([[0.0], short, [0.0]])))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        run[a:b] = b - a
    pos = np.arange(n)
    first, last = densest_block(chars)
    dist = np.where(pos < first, first - pos, np.where(pos > last, pos - last, 0))
    cols += [np.log1p(run), (np.cumsum(chars) - chars) / max(float(chars.sum()), 1.0),
             np.minimum(dist, 100) / 100.0, ((pos >= first) & (pos <= last)).astype(float),
             chars / np.maximum(window_mean(chars, 10) * 21, 1.0)]
    return np.column_stack(cols)


def _shift(a: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.float64]:
    """``a`` moved down by ``k`` rows (k > 0: each row sees the row k above), zero-filled."""
    out = np.zeros_like(a)
    if k > 0:
        out[k:] = a[:-k]
    elif k < 0:
        out[:k] = a[-k:]
    return out


def reason_group(reason: str | None) -> int | None:
    """Index in ``REASON_GROUPS`` of a first-pass reason, None for a kept line."""
    if reason is None:
        return None
    for g, prefix in enumerate(REASON_GROUPS):
        if reason.startswith(prefix) or (prefix == "title" and "title" in reason):
            return g
    return None


def stack_matrix(infos: Sequence[LineInfo], p: npt.NDArray[np.float64], kept: Sequence[bool],
                 reasons: Sequence[str | None]) -> npt.NDArray[np.float64]:
    """Numeric matrix of the second look, one row per line (see ``stack_feature_names``)."""
    n = len(infos)
    base = feature_matrix(infos)
    groups = np.zeros((n, len(REASON_GROUPS)))
    for i, r in enumerate(reasons):
        g = reason_group(r)
        if g is not None:
            groups[i, g] = 1.0
    keep = np.asarray(kept, dtype=np.float64)
    idx = np.flatnonzero(keep)
    pos = np.arange(n)
    first, last = (int(idx[0]), int(idx[-1])) if len(idx) else (n, -1)
    dist = np.full(n, float(FAR))
    if len(idx):
        # nearest OTHER kept line: searchsorted gives the kept lines on either side
        right = np.searchsorted(idx, pos, side="right")
        left = np.searchsorted(idx, pos, side="left") - 1
        nxt = np.where(right < len(idx), idx[np.minimum(right, len(idx) - 1)] - pos, FAR)
        prv = np.where(left >= 0, pos - idx[np.maximum(left, 0)], FAR)
        dist = np.minimum(np.minimum(nxt, prv), FAR).astype(np.float64)
    csum = np.concatenate([[0.0], np.cumsum(keep)])
    lo, hi = np.maximum(pos - WINDOW, 0), np.minimum(pos + WINDOW + 1, n)
    window = (csum[hi] - csum[lo]) / (hi - lo)
    cols = [base, groups, keep[:, None], p[:, None], (pos < first)[:, None].astype(float),
            (pos > last)[:, None].astype(float), (dist / FAR)[:, None], window[:, None]]
    for k in NEIGHBOURS:
        cols += [_shift(keep, k)[:, None], _shift(p, k)[:, None],
                 _shift(base[:, _LOG_WORDS], k)[:, None]]
    cols.append(context_columns(infos, p, keep))
    return np.hstack(cols)


@lru_cache(maxsize=1)
def _stack() -> tuple[TreeEnsemble, float] | None:
    """The shipped trees and their threshold, or None without the file.  Raises ValueError
    naming the file when it was trained for other features (retrain with the command in
    the module docstring)."""
    if not STACK_FILE.is_file():
        return None
    d = json.loads(STACK_FILE.read_text(encoding="utf-8"))
    if d.get("features") != stack_feature_names():
        raise ValueError(f"{STACK_FILE}: trained for other features; rebuild it with "
                         "python -m storylens.learn.train_cleaner --dev "
                         "../shared/data/trafilatura-eval-dev")
    return TreeEnsemble.from_json(d["trees"]), float(d["threshold"])


def second_look(infos: Sequence[LineInfo], p: npt.NDArray[np.float64], kept: Sequence[bool],
                reasons: Sequence[str | None]) -> list[bool] | None:
    """Which lines the second look keeps, or None when no trees are installed."""
    model = _stack()
    if model is None or not infos:
        return None
    trees, threshold = model
    score = trees.predict(stack_matrix(infos, p, kept, reasons))
    return [bool(s >= threshold) for s in score]
