"""Load the spaCy NER pipelines with as little start-up work as possible.

Two costs dominate a cold ``spacy.load`` of the shipped pipelines:

* the components: only ``ner`` is kept (``NER_EXCLUDE``). In both small pipelines
  (``fr_core_news_sm``, ``en_core_web_sm``) the ``ner`` component embeds its own
  tok2vec (it does not listen to the shared ``tok2vec``), so excluding the other
  components leaves its entities unchanged (tests/test_enrich_load_spacy.py checks this
  against the full pipeline);
* the French tokenizer's ``token_match``: a 1.4 MB regular expression (hyphenated and
  elided words kept whole: "peut-être", "entr'ouvrir") compiled when
  ``spacy.lang.fr`` is imported, ~2.5 s on one core, most of it in the standard
  library's ``re._compiler._optimize_charset``, called ~800 times on the same few huge
  character classes (every letter of every script, case-folded one by one).

``fast_regex_compile`` memoises that function for the duration of the load: it is a
pure function of its arguments, so the compiled patterns are identical (the test
compares the compiled code), and the French import drops to well under a second. The
patch is applied only when the private function exists with the expected signature
(CPython 3.11-3.13); otherwise loading simply runs at its normal speed.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

NER_EXCLUDE: tuple[str, ...] = (
    "tok2vec", "tagger", "morphologizer", "parser", "senter", "attribute_ruler",
    "lemmatizer",
)
"""Components that NER does not need in the small pipelines (see module docstring)."""

_EXPECTED_PARAMS = ["charset", "iscased", "fixup", "fixes"]
_PATCH_LOCK = threading.Lock()
_depth = 0
_original: Callable[..., Any] | None = None


def _compiler_module() -> Any:
    """``re._compiler`` (3.11+), or None when this Python lays ``re`` out differently."""
    try:
        from re import _compiler  # type: ignore[attr-defined]
    except ImportError:
        return None
    func = getattr(_compiler, "_optimize_charset", None)
    if func is None or not callable(func):
        return None
    try:
        params = list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return None
    return _compiler if params == _EXPECTED_PARAMS else None


def _memoised(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` with a per-patch memo keyed by the (hashable) charset and the case
    helpers; unhashable input goes straight to ``func``."""
    memo: dict[tuple[Any, ...], tuple[list[Any], Any]] = {}

    def optimize_charset(charset: Any, iscased: Any = None, fixup: Any = None,
                         fixes: Any = None) -> Any:
        try:
            key = (tuple(charset), iscased, fixup, id(fixes) if fixes is not None else None)
            hit = memo.get(key)
        except TypeError:
            return func(charset, iscased, fixup, fixes)
        if hit is None:
            out, hascased = func(charset, iscased, fixup, fixes)
            hit = (list(out), hascased)
            memo[key] = hit
        return list(hit[0]), hit[1]

    return optimize_charset


@contextmanager
def fast_regex_compile() -> Iterator[bool]:
    """Within the block, regular expressions with many repeated large character classes
    compile much faster (same compiled code). Yields whether the speed-up is active.
    Re-entrant and thread-safe; the original function is restored on exit."""
    global _depth, _original
    module = _compiler_module()
    if module is None:
        yield False
        return
    with _PATCH_LOCK:
        if _depth == 0:
            _original = module._optimize_charset
            module._optimize_charset = _memoised(module._optimize_charset)
        _depth += 1
    try:
        yield True
    finally:
        with _PATCH_LOCK:
            _depth -= 1
            if _depth == 0 and _original is not None:
                module._optimize_charset = _original
                _original = None


def load_ner_pipeline(model: str, exclude: Sequence[str] = NER_EXCLUDE) -> Any:
    """``spacy.load(model)`` with only what NER needs, compiled with ``fast_regex_compile``
    (the language class is imported inside the block, so its tokenizer rules benefit)."""
    with fast_regex_compile():
        import spacy

        return spacy.load(model, exclude=list(exclude))
