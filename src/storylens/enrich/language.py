"""Language identification with py3langid (its model ships inside the wheel), plus
Unicode-script profiling for mixed-script lines.

``detect`` gives a language code and a normalised probability; ``dominant_script`` and
``script_runs`` tell which writing systems a line uses, so that a Hebrew caption glued to
a French one can be found without knowing either language.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Any

_MIN_CHARS = 20


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> tuple[str | None, float]:
    """Return ``(iso639_1_code, probability)`` for ``text``, or ``(None, 0.0)`` when the
    text has too few letters to judge."""
    letters = sum(ch.isalpha() for ch in text[:5000])
    if letters < _MIN_CHARS // 2:
        return None, 0.0
    lang, prob = _identifier().classify(text[:5000])
    return str(lang), float(prob)


def script_of(ch: str) -> str | None:
    """The Unicode script family of a letter (LATIN, CYRILLIC, HEBREW, ARABIC, CJK...),
    from its character name; ``None`` for non-letters."""
    if not ch.isalpha():
        return None
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return None
    first = name.split(" ", 1)[0]
    if first in ("CJK", "HIRAGANA", "KATAKANA"):
        return "CJK"
    return first


def script_counts(text: str) -> Counter[str]:
    """How many letters of each script ``text`` holds."""
    c: Counter[str] = Counter()
    for ch in text:
        s = script_of(ch)
        if s:
            c[s] += 1
    return c


def dominant_script(text: str) -> str | None:
    """The script most letters of ``text`` are written in."""
    c = script_counts(text)
    return c.most_common(1)[0][0] if c else None


def script_runs(line: str) -> list[tuple[str | None, str]]:
    """Split ``line`` into maximal runs of one script; non-letters join the run they are in.

    >>> [s for s, _ in script_runs("שלום Bonjour")]
    ['HEBREW', 'LATIN']
    """
    runs: list[tuple[str | None, str]] = []
    cur_script: str | None = None
    buf: list[str] = []
    for ch in line:
        s = script_of(ch)
        if s is not None and cur_script is not None and s != cur_script:
            runs.append((cur_script, "".join(buf)))
            buf = []
        if s is not None:
            cur_script = s
        buf.append(ch)
    if buf:
        runs.append((cur_script, "".join(buf)))
    return runs
