"""Language-independent features of one text line, for telling story text from page furniture.

Nothing here is a word list of one language: the signals are shape (length, word count,
sentence-final punctuation in every script, case, digits, punctuation), stopword density
against the document language's stoplist (jusText ships 100), link-likeness, "label :"
prefixes, a small multilingual photo-credit lexicon, lexical cohesion with the rest of the
document, and position.  ``LineInfo`` holds the raw per-line measurements that the rules in
``plaintext`` read; ``feature_matrix`` turns a document's lines into the numeric matrix the
logistic model scores (each line's own features plus its neighbours').
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

# Sentence-final marks of many scripts: Latin/Cyrillic/Greek . ! ? …, CJK 。！？, Arabic ؟ ۔,
# Devanagari । ॥, Armenian ։, Ethiopic ።, Myanmar ။, Thai has none (lines end bare).
SENT_END = frozenset(".!?…。！？؟۔।॥։።။")
CLOSERS = "\"'”’»›)]}」』】〕）》〉"
_WORD = re.compile(r"\w+")
_URL = re.compile(
    r"https?://|www\.|\b[\w.-]+@[\w-]+\.\w{2,}\b|(?:^|\s)[@#]\w|\b\w[\w-]*\.(?:com|org|net|info|"
    r"co\.\w\w|io|fr|de|ru|uk|it|es|br|pt|kr|jp|cn|in)\b(?:/\S*)?", re.IGNORECASE)
_DIGITS = re.compile(r"\d")
_SENT_BREAK = re.compile(r"[.!?…。！？؟۔।॥։።။] ")
_TLD_HINT = re.compile(r"\.(?:com|org|net|info|co|io|fr|de|ru|uk|it|es|br|pt|kr|jp|cn|in)\b",
                       re.IGNORECASE)
_SEP_CHARS = frozenset("|•·»›/")
_LABEL = re.compile(r"^([^\W\d][^:：]{0,40}?)\s?[:：]\s*(\S.*)$")
_SEPARATORS = re.compile(r"\s[|•·»›/]\s|\s[|•·»›]|[|•·»›]\s")
_COPYRIGHT = re.compile(r"©|\(c\)|\ball rights reserved\b", re.IGNORECASE)

# A small multilingual photo/credit lexicon (words for photo/image/credit/illustration and
# the names of the big picture agencies), used only inside caption-shaped contexts.
_PHOTO_WORDS = (
    r"photos?|foto(?:s|grafi[ae])?|фото|фотография|صورة|الصورة|사진|写真|图片|圖片|照片|"
    r"images?|imagen|imagem|immagine|bild|credits?|crédits?|crédito|credito|"
    r"illustration|ilustración|ilustração|illustrazione|תמונה|צילום|zdjęcie|fotó|kuva|"
    r"φωτογραφία|φωτο|fotoğraf|عکس|छवि|फोटो|ภาพ|ảnh|courtesy"
)
_SOURCE_WORDS = r"source|quelle|fuente|fonte|источник|المصدر|출처|来源|fonte|bron|źródło|kaynak"
_AGENCIES = (
    r"afp|ap|reuters|getty(?: images)?|epa|efe|dpa|ansa|anadolu|aa|xinhua|tass|ria|"
    r"sputnik|yonhap|연합뉴스|kyodo|bloomberg|shutterstock|istock|flash90|gpo|irna|wafa|"
    r"pti|ani|ians|abaca|sipa|imago|alamy|keystone|belga|anp|lusa|unsplash|pexels|"
    r"wikimedia|тасс|риа новости"
)
# "... (Photo : Yair Sagi, AP)", "... (AFP photo)", "... [Getty Images]" at the end of a line.
_CAPTION_TAIL = re.compile(
    r"[(\[]\s*(?:[^()\[\]]{0,60}?\b)?(?:" + _PHOTO_WORDS + r"|" + _AGENCIES
    + r")\b[^()\[\]]{0,80}[)\]]\s*[.]?$", re.IGNORECASE)
# "Photo: X ..." / "Source : X" opening a line, or "... Photo: AFP" closing it.
_CAPTION_HEAD = re.compile(
    r"^\W{0,3}(?:" + _PHOTO_WORDS + r"|" + _SOURCE_WORDS + r")\s?[:：/|-]\s*\S",
    re.IGNORECASE)
_CAPTION_END = re.compile(
    r"(?:\s|[(\[])(?:" + _PHOTO_WORDS + r")\s?[:：/]\s*[^.!?:]{1,50}$", re.IGNORECASE)
_AGENCY_SLASH = re.compile(r"\b(?:" + _AGENCIES + r")\s?/\s?[A-Z]\w", re.IGNORECASE)

# ISO 639-1 -> jusText stoplist name.
_JUSTEXT_NAMES = {
    "af": "Afrikaans", "sq": "Albanian", "ar": "Arabic", "an": "Aragonese", "hy": "Armenian",
    "ast": "Asturian", "az": "Azerbaijani", "eu": "Basque", "be": "Belarusian",
    "bn": "Bengali", "bs": "Bosnian", "br": "Breton", "bg": "Bulgarian", "ca": "Catalan",
    "ceb": "Cebuano", "cv": "Chuvash", "hr": "Croatian", "cs": "Czech", "da": "Danish",
    "nl": "Dutch", "en": "English", "eo": "Esperanto", "et": "Estonian", "fi": "Finnish",
    "fr": "French", "gl": "Galician", "ka": "Georgian", "de": "German", "el": "Greek",
    "gu": "Gujarati", "ht": "Haitian", "he": "Hebrew", "iw": "Hebrew", "hi": "Hindi",
    "hu": "Hungarian", "is": "Icelandic", "io": "Ido", "ig": "Igbo", "id": "Indonesian",
    "ga": "Irish", "it": "Italian", "jv": "Javanese", "kn": "Kannada", "kk": "Kazakh",
    "ko": "Korean", "ku": "Kurdish", "ky": "Kyrgyz", "la": "Latin", "lv": "Latvian",
    "lt": "Lithuanian", "lb": "Luxembourgish", "mk": "Macedonian", "ms": "Malay",
    "ml": "Malayalam", "mt": "Maltese", "mr": "Marathi", "ne": "Nepali",
    "nb": "Norwegian_Bokmal", "no": "Norwegian_Bokmal", "nn": "Norwegian_Nynorsk",
    "oc": "Occitan", "fa": "Persian", "pl": "Polish", "pt": "Portuguese", "qu": "Quechua",
    "ro": "Romanian", "ru": "Russian", "sr": "Serbian", "sh": "Serbo_Croatian",
    "sk": "Slovak", "sl": "Slovenian", "es": "Spanish", "su": "Sundanese", "sw": "Swahili",
    "sv": "Swedish", "tl": "Tagalog", "ta": "Tamil", "te": "Telugu", "tr": "Turkish",
    "tk": "Turkmen", "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese",
    "vo": "Volapuk", "wa": "Walloon", "war": "Waray_Waray", "cy": "Welsh",
    "fy": "West_Frisian", "yo": "Yoruba",
}

FEATURE_NAMES: tuple[str, ...] = (
    "log_words", "log_chars", "ends_sentence", "log_sentences", "stop_density",
    "title_ratio", "upper_ratio", "digit_ratio", "punct_ratio", "comma_per_word",
    "link_like", "label_prefix", "caption", "separators", "copyright", "rel_pos",
    "cohesion", "dup_in_doc", "short",
)
CONTEXT_FEATURES: tuple[str, ...] = ("log_words", "ends_sentence", "stop_density", "cohesion")


@lru_cache(maxsize=256)
def stoplist(lang: str | None) -> frozenset[str]:
    """Lower-cased stopwords of ``lang`` (ISO 639-1) from jusText; empty when unknown."""
    if not lang:
        return frozenset()
    name = _JUSTEXT_NAMES.get(lang.lower().split("-")[0])
    if name is None:
        return frozenset()
    import justext

    return frozenset(w.lower() for w in justext.get_stoplist(name))


@lru_cache(maxsize=8192)
def char_script(ch: str) -> str | None:
    """Script family of a letter (cached: a document uses only a few hundred characters)."""
    if not ch.isalpha():
        return None
    try:
        first = unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return None
    if first in ("CJK", "HIRAGANA", "KATAKANA"):
        return "CJK"
    return first


def script_histogram(text: str) -> Counter[str]:
    """Letters per script, counting each distinct character once per occurrence (fast)."""
    out: Counter[str] = Counter()
    for ch, n in Counter(text).items():
        s = char_script(ch)
        if s is not None:
            out[s] += n
    return out


# Scripts no space-separated word count applies to: count characters instead.
UNSPACED = frozenset({"CJK", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN"})


@dataclass(slots=True)
class LineInfo:
    """Raw measurements of one non-empty line (what rules and the model read)."""

    text: str
    words: list[str]
    n_words: int  # word count; for unspaced scripts, letters / 2
    n_chars: int
    ends_sentence: bool
    n_sentences: int
    stop_density: float
    title_ratio: float
    upper_ratio: float
    digit_ratio: float
    punct_ratio: float
    comma_per_word: float
    link_like: bool
    label: str | None  # the "label" of a "label : rest" line, lower-cased
    label_rest_words: int
    caption: bool
    separators: int
    copyright: bool
    cohesion: float = 0.5
    dup_in_doc: bool = False


def ends_with_sentence_mark(text: str) -> bool:
    """True when ``text`` ends with sentence-final punctuation, closing quotes allowed after."""
    t = text.rstrip().rstrip(CLOSERS).rstrip()
    return bool(t) and t[-1] in SENT_END


def _link_like(text: str) -> bool:
    """URL, e-mail, @handle, #hashtag or bare domain in the line (cheap pre-check first)."""
    hint = ("://" in text or "www." in text or "@" in text or "#" in text
            or _TLD_HINT.search(text) is not None)
    return hint and _URL.search(text) is not None


def is_caption(text: str) -> bool:
    """Photo caption or credit shape: a trailing parenthetical credit, "Photo: X",
    "AGENCY/Name" (multilingual lexicon, only inside these shapes)."""
    tail = text[-160:]
    end = tail.rstrip(" .")[-1:]
    if end in (")", "]") and _CAPTION_TAIL.search(tail):
        return True
    if _CAPTION_HEAD.match(text):
        return True
    if (":" in tail or "：" in tail or "/" in tail) and _CAPTION_END.search(tail):
        return True
    return "/" in tail and bool(_AGENCY_SLASH.search(tail))


def measure(text: str, stops: frozenset[str], unspaced: bool) -> LineInfo:
    """Per-line measurements of ``text`` (already stripped)."""
    words = _WORD.findall(text)
    n_chars = len(text)
    letters = sum(map(str.isalpha, text))
    n_words = max(len(words), letters // 2) if unspaced else len(words)
    lower_words = _WORD.findall(text.lower())
    stop_density = (sum(map(stops.__contains__, lower_words)) / len(words)
                    if stops and words else 0.25)
    initials = "".join([w[0] for w in words])
    n_up_initials = sum(map(str.isupper, initials))
    n_cased_initials = n_up_initials + sum(map(str.islower, initials))
    title_ratio = n_up_initials / n_cased_initials if n_cased_initials else 0.0
    # share of words written all in capitals (menus, labels, shouted section names)
    caps_words = sum(1 for w in words if len(w) > 1 and w.isupper())
    digits = len(_DIGITS.findall(text))
    punct = n_chars - letters - digits - text.count(" ")
    n_sent = len(_SENT_BREAK.findall(text))
    ends = ends_with_sentence_mark(text)
    m = _LABEL.match(text)
    label: str | None = None
    rest_words = 0
    if m and len(m.group(1).split()) <= 4:
        label = " ".join(m.group(1).lower().split())
        rest_words = len(_WORD.findall(m.group(2)))
    return LineInfo(
        text=text, words=lower_words, n_words=n_words, n_chars=n_chars, ends_sentence=ends,
        n_sentences=n_sent + (1 if ends else 0), stop_density=stop_density,
        title_ratio=title_ratio, upper_ratio=caps_words / len(words) if words else 0.0,
        digit_ratio=digits / n_chars if n_chars else 0.0,
        punct_ratio=max(punct, 0) / n_chars if n_chars else 0.0,
        comma_per_word=(text.count(",") + text.count("،") + text.count("、"))
        / max(len(words), 1),
        link_like=_link_like(text), label=label, label_rest_words=rest_words,
        caption=is_caption(text),
        separators=len(_SEPARATORS.findall(text)) if _SEP_CHARS.intersection(text) else 0,
        copyright="©" in text or (("(c" in text or "(C" in text or "ights" in text)
                                  and _COPYRIGHT.search(text) is not None),
    )


def add_document_features(infos: Sequence[LineInfo], stops: frozenset[str]) -> None:
    """Fill ``cohesion`` (share of a line's content words that recur in OTHER long lines of the
    document: story sentences share names and topics, widget notices don't) and
    ``dup_in_doc`` (the same line occurs twice: menus, repeated teasers)."""
    df: Counter[str] = Counter()
    contents: list[set[str]] = []
    # jusText's stoplists range from 381 (French) to 13,222 (Korean) words; the long ones
    # hold content words too, so only a short list is used to filter function words here.
    filt = stops if len(stops) <= 1000 else frozenset()
    for info in infos:
        # 6-letter prefixes: a crude stem that lets inflected forms (Russian, Arabic, Finnish,
        # French plurals) match without any language-specific stemmer.
        c = {w[:6] for w in info.words if len(w) >= 4 and w not in filt and not w.isdigit()}
        contents.append(c)
        if info.n_words >= 8:
            df.update(c)
    seen = Counter(info.text for info in infos)
    for info, c in zip(infos, contents, strict=True):
        if len(c) >= 3:
            own = 1 if info.n_words >= 8 else 0
            info.cohesion = sum(1 for w in c if df[w] - own > 0) / len(c)
        info.dup_in_doc = seen[info.text] > 1


def feature_matrix(infos: Sequence[LineInfo]) -> npt.NDArray[np.float64]:
    """Numeric matrix: each line's FEATURE_NAMES, then CONTEXT_FEATURES of the previous and
    the next line (zeros at the document edges)."""
    n = len(infos)
    base = np.zeros((n, len(FEATURE_NAMES)), dtype=np.float64)
    for i, f in enumerate(infos):
        base[i] = (
            math.log1p(f.n_words), math.log1p(f.n_chars), float(f.ends_sentence),
            math.log1p(f.n_sentences), f.stop_density, f.title_ratio, f.upper_ratio,
            f.digit_ratio, f.punct_ratio, min(f.comma_per_word, 1.0), float(f.link_like),
            float(f.label is not None), float(f.caption), min(f.separators, 5) / 5.0,
            float(f.copyright), i / max(n - 1, 1), f.cohesion, float(f.dup_in_doc),
            float(f.n_words < 5),
        )
    idx = [FEATURE_NAMES.index(c) for c in CONTEXT_FEATURES]
    ctx = base[:, idx]
    prev = np.zeros_like(ctx)
    nxt = np.zeros_like(ctx)
    if n > 1:
        prev[1:] = ctx[:-1]
        nxt[:-1] = ctx[1:]
    return np.hstack([base, prev, nxt])


def all_feature_names() -> list[str]:
    """Column names of ``feature_matrix``."""
    return [*FEATURE_NAMES, *(f"prev_{c}" for c in CONTEXT_FEATURES),
            *(f"next_{c}" for c in CONTEXT_FEATURES)]


@dataclass(slots=True)
class DocumentLines:
    """The measured lines of one document plus what was decided about the document."""

    infos: list[LineInfo]
    lang: str | None
    stops: frozenset[str]
    script: str | None


def sample_for_detection(lines: Sequence[str], limit: int = 800) -> str:
    """The longest lines up to ``limit`` characters: enough for a confident language guess
    at a fraction of the cost of reading the whole text (menus and labels are left out)."""
    out: list[str] = []
    total = 0
    for line in sorted(lines, key=len, reverse=True):
        out.append(line)
        total += len(line)
        if total >= limit:
            break
    return "\n".join(out)


def measure_document(lines: Sequence[str], lang: str | None = None,
                     script: str | None = None) -> DocumentLines:
    """Measure every line of a document; detect its language (py3langid, once, on a sample of
    its longest lines) and its dominant script when not given."""
    if script is None:
        hist = script_histogram("\n".join(lines))
        script = hist.most_common(1)[0][0] if hist else None
    if lang is None:
        from storylens.enrich.language import detect

        lang = detect(sample_for_detection(lines))[0]
    stops = stoplist(lang)
    unspaced = script in UNSPACED
    infos = [measure(line, stops, unspaced) for line in lines]
    add_document_features(infos, stops)
    return DocumentLines(infos, lang, stops, script)
