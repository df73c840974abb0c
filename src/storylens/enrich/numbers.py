"""Numbers and quantities in text, with the noun they count.

"12 tentatives d'assassinat" -> 12, "tentatives d'assassinat"; "deux mois" -> 2, "mois";
"3,5 millions de dollars" -> 3.5e6 money; "40 %" -> 40 percent. Why: outlets differ in the
figures they give (casualties, sums, counts), and comparing stories needs them as values.

Rules: digits in every script that Python reads as decimal digits, parsed by
``textnorm.parse_number`` with the article's language: the decimal comma vs point is
chosen per language (en/zh/ja/ko/he/th/hi use ".", others ","), and a separator followed
by exactly three digits is a thousands separator ("1,234" / "1.234" / "1 234").
Number words for en, fr, de, es (2 and up: words for "one" double as articles). A scale
word (million, Milliarden, mil millones...) multiplies. The unit is the next word plus an
"of"-like complement ("tentatives d'assassinat", "Tote", "de dollars" -> money). Kinds:
``percent``, ``money``, ``year`` (a bare 1800-2100 integer), ``count``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from storylens.textnorm import parse_number

NumberKind = Literal["count", "percent", "money", "year"]


@dataclass(slots=True, frozen=True)
class NumberMention:
    """A number in the text: ``text[start:end]`` covers the number and its unit."""

    value: float
    unit_text: str
    start: int
    end: int
    kind: NumberKind = "count"


_WORDS: dict[str, int] = {}
for _lang_words in (
    "two 2 three 3 four 4 five 5 six 6 seven 7 eight 8 nine 9 ten 10 eleven 11 twelve 12 "
    "thirteen 13 fourteen 14 fifteen 15 sixteen 16 seventeen 17 eighteen 18 nineteen 19 "
    "twenty 20 thirty 30 forty 40 fifty 50 sixty 60 seventy 70 eighty 80 ninety 90 "
    "hundred 100 thousand 1000 dozen 12 dozens 12 hundreds 100 thousands 1000",
    "deux 2 trois 3 quatre 4 cinq 5 six 6 sept 7 huit 8 neuf 9 dix 10 onze 11 douze 12 "
    "treize 13 quatorze 14 quinze 15 seize 16 dix-sept 17 dix-huit 18 dix-neuf 19 vingt 20 "
    "trente 30 quarante 40 cinquante 50 soixante 60 soixante-dix 70 quatre-vingt 80 "
    "quatre-vingts 80 quatre-vingt-dix 90 cent 100 cents 100 mille 1000 douzaine 12 "
    "douzaines 12 centaines 100 milliers 1000",
    "zwei 2 drei 3 vier 4 fünf 5 sechs 6 sieben 7 acht 8 neun 9 zehn 10 elf 11 zwölf 12 "
    "dreizehn 13 vierzehn 14 fünfzehn 15 sechzehn 16 siebzehn 17 achtzehn 18 neunzehn 19 "
    "zwanzig 20 dreißig 30 vierzig 40 fünfzig 50 sechzig 60 siebzig 70 achtzig 80 "
    "neunzig 90 hundert 100 tausend 1000 dutzend 12 hunderte 100 tausende 1000",
    "dos 2 tres 3 cuatro 4 cinco 5 seis 6 siete 7 ocho 8 nueve 9 diez 10 once 11 doce 12 "
    "trece 13 catorce 14 quince 15 dieciséis 16 diecisiete 17 dieciocho 18 diecinueve 19 "
    "veinte 20 treinta 30 cuarenta 40 cincuenta 50 sesenta 60 setenta 70 ochenta 80 "
    "noventa 90 cien 100 cientos 100 mil 1000 docena 12 decenas 10 miles 1000",
):
    _it = iter(_lang_words.split())
    _WORDS.update({w: int(v) for w, v in zip(_it, _it, strict=True)})

_SCALES = {"million": 1e6, "millions": 1e6, "millionen": 1e6, "millón": 1e6,
           "millones": 1e6, "mio": 1e6, "mln": 1e6, "billion": 1e9, "billions": 1e9,
           "milliard": 1e9, "milliards": 1e9, "milliarde": 1e9, "milliarden": 1e9, "mrd": 1e9,
           "bn": 1e9, "thousand": 1e3, "mille": 1e3, "tausend": 1e3, "mil": 1e3,
           "trillion": 1e12, "billones": 1e12, "billón": 1e12}
_PERCENT = re.compile(r"\s?(?:%|pour\s?cent|percent|per\s?cent|prozent|por\s?ciento)",
                      re.IGNORECASE)
_CURRENCY_SYM = "$€£¥₽₺₪₹"
_CURRENCY_WORDS = frozenset(
    ["dollar", "dollars", "euro", "euros", "pound", "pounds", "livre", "livres", "yuan", "yen",
     "rouble", "roubles", "ruble", "rubles", "rubel", "lira", "lire", "livres", "shekel",
     "shekels", "shekalim", "rial", "rials", "riyal", "riyals", "dinar", "dinars", "franc",
     "francs", "dólar", "dólares", "libras", "usd", "eur", "gbp", "chf", "rmb"])
_CONNECT = re.compile(r"\s+(?:d['’]|de\s+(?:la\s+|l['’])?|des\s+|of\s+(?:the\s+)?|"
                      r"von\s+|der\s+|del\s+|de\s+)", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:[’'\-][^\W\d_]+)*")
_NUM_RE = re.compile(
    r"(?<![\w.,])(?P<sym>[" + _CURRENCY_SYM + r"]\s?)?"
    r"(?P<num>\d{1,3}(?:(?:[ \u00a0\u202f]|[.,'])\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?![\w])"
)
_FUNCTION = frozenset(
    ["and", "or", "in", "on", "at", "of", "to", "the", "a", "an", "by", "for", "from", "with",
     "is", "was", "are", "were", "as", "than", "that", "et", "ou", "en", "à", "au", "aux", "le",
     "la", "les", "de", "du", "des", "sur", "dans", "par", "pour", "que", "qui", "est", "ont", "a",
     "und", "oder", "im", "am", "an", "der", "die", "das", "den", "dem", "zu", "von", "mit", "ist",
     "sind", "y", "o", "el", "los", "las", "del", "con", "por", "para", "es", "son"])
_SCALE_WORD = re.compile(r"[ \u00a0]+(\w+)\.?")
_MONTHS = frozenset(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december", "janvier", "février", "mars", "avril", "mai", "juin",
     "juillet", "août", "septembre", "octobre", "novembre", "décembre", "januar", "februar",
     "märz", "juni", "juli", "oktober", "dezember", "enero", "febrero", "marzo", "abril", "mayo",
     "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"])


def _unit_after(text: str, pos: int) -> tuple[str, int]:
    """The unit noun phrase right after ``pos`` and where it ends."""
    m = re.compile(r"[ \u00a0]+").match(text, pos)
    p = m.end() if m else pos
    w = _WORD.match(text, p)
    if not w or (m is None and pos < len(text) and text[pos].isalpha() is False):
        return "", pos
    end = w.end()
    c = _CONNECT.match(text, end)
    if c:
        w2 = _WORD.match(text, c.end())
        if w2 and w2.group()[0].islower() and len(w2.group()) > 2:
            end = w2.end()
    return text[p:end], end


def extract_numbers(text: str, lang: str | None) -> list[NumberMention]:
    """Numbers (digits, and number words for en/fr/de/es) with their units."""
    found: list[tuple[int, int, float, bool]] = []  # start, end, value, is_digits
    for m in _NUM_RE.finditer(text):
        v = parse_number(m.group("num"), lang)
        if v is not None:
            found.append((m.start(), m.end(), v, True))
    for m in _WORD.finditer(text):
        w = m.group().lower()
        if w in _WORDS:
            found.append((m.start(), m.end(), float(_WORDS[w]), False))
    found.sort()
    out: list[NumberMention] = []
    last_end = -1
    for start, end, value, digits in found:
        if start < last_end:
            continue
        sym = text[start] in _CURRENCY_SYM
        kind: NumberKind = "money" if sym else "count"
        pos = end
        pm = _PERCENT.match(text, pos)
        unit = ""
        if pm:
            kind, pos, unit = "percent", pm.end(), pm.group().strip()
        else:
            # Scale words multiply, and stack: "500 mil millones" is 5e11.
            sc = _SCALE_WORD.match(text, pos)
            scaled = False
            while sc and sc.group(1).lower() in _SCALES:
                value *= _SCALES[sc.group(1).lower()]
                pos, scaled = sc.end(), True
                sc = _SCALE_WORD.match(text, pos)
            if scaled:
                c = re.compile(r"\s+(?:de\s+|d['’]|of\s+)").match(text, pos)
                if c:
                    pos = c.end()  # at the unit: "millions de dollars", "milliards d'euros"
            if pos < len(text) and text[pos] in _CURRENCY_SYM:
                kind, pos = "money", pos + 1
            elif pos + 1 < len(text) and text[pos] == " " and text[pos + 1] in _CURRENCY_SYM:
                kind, pos = "money", pos + 2
            else:
                unit, upos = _unit_after(text, pos)
                first = unit.split(" ")[0].lower() if unit else ""
                if first in _CURRENCY_WORDS:
                    kind = "money"
                if unit and (first in _MONTHS or first in _FUNCTION or not unit[0].isalpha()):
                    unit = ""
                elif unit:
                    pos = upos
        if (kind == "count" and digits and value.is_integer() and 1800 <= value <= 2100
                and not unit and "," not in text[start:end] and "." not in text[start:end]):
            kind = "year"
        if not digits and not unit:
            continue  # a bare number word ("sept", "mil") is too often something else
        out.append(NumberMention(value, unit, start, pos if unit or kind != "count" else end,
                                 kind))
        last_end = out[-1].end
    return out
