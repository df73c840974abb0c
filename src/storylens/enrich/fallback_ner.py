"""Model-free entity tagger for any language: capitalised spans + stoplists + gazetteers.

Why: no real NER model ships in a wheel for most languages, yet stories need their
people, places and organisations. This tagger is fast (pure regex and dict look-ups) and
predictable; its rules:

1. Cased scripts (Latin, Cyrillic, Greek, Armenian): runs of capitalised words joined by
   single spaces, with name particles allowed between them ("Banque de France",
   "Ludwig van Beethoven"). Elisions are cut off ("d’Ankara" -> "Ankara").
2. Weak positions -- the first word of a sentence or line, after ``: ; « “``, and every
   word of a title-case line (English headlines) -- prove nothing. A span there is kept
   only where it is *evidenced*: a gazetteer place, an acronym, or a form also seen
   capitalised in a strong position of the same text (or found by the model). Leading
   stopwords (justext stoplists of the document's language) and titles ("Président")
   are stripped first. Spans of a title-case line are cut into their evidenced parts.
3. German capitalises every noun: a single German word in a strong position is kept only
   when it is not a stopword (justext's German list holds many common nouns), has no
   typical noun suffix (-ung, -heit, -keit, -schaft, ...) and does not follow an article.
4. Caseless scripts: Arabic, Hebrew, Devanagari... by gazetteer look-up of 1-3 word
   sequences (one clitic letter such as Arabic و/ب/ل or Hebrew ה/ב/ל/מ/ו may be
   stripped); CJK, Hangul and Thai by longest-substring gazetteer match (2-8 chars).
   Only places are found there.
5. Labels: gazetteer -> LOC; a label the model gave the same form -> that label; an
   organisation word in the span ("Party", "Ministère", "Post", "Bank") or an acronym ->
   ORG; a title before it, or 2-4 title-case words -> PER; otherwise MISC. ``harmonize``
   (in ``entities``) then propagates PER to family names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from storylens.enrich.entities import Label, Mention, harmonize, make_mention
from storylens.enrich.normalize import norm_key
from storylens.enrich.places import lookup_place

_WORD_RE = re.compile(r"[^\W\d_]+(?:[’'\-][^\W\d_]+)*")
_PARTICLES = frozenset({"de", "du", "von", "van", "der", "den", "la", "al", "el", "bin",
                        "ibn", "da", "di", "dos", "del", "ben", "abu", "zu", "ter"})
_AFTER_VAN = frozenset({"der", "den", "ter"})  # only in "van der", "von den"...
_TITLES = frozenset(norm_key(w) for w in (
    "Président", "Présidente", "President", "Premier", "Ministre", "Minister", "Ministerin",
    "Präsident", "Präsidentin", "Presidente", "Presidenta", "Prime", "Kanzler", "Kanzlerin",
    "Bundeskanzler", "Chancellor", "Chancelier", "Mr", "Mrs", "Ms", "Dr", "Mme", "Mlle",
    "Herr", "Frau", "Sir", "Lord", "Señor", "Sra", "Sr", "Don", "Doña", "General", "Général",
    "Gen", "Col", "Colonel", "Sheikh", "Cheikh", "King", "Queen", "Roi", "Reine", "König",
    "Rey", "Pope", "Pape", "Papst", "Senator", "Sénateur", "Rep", "Gov", "Governor",
    "Gouverneur", "Secretary", "Secrétaire", "Ayatollah", "Rabbi", "Imam", "Prince",
    "Princesse", "Emir", "Émir", "Sultan", "Vice", "Außenminister", "Ministro", "Ministra"))
_ORG_WORDS = frozenset(norm_key(w) for w in (
    "Party", "Parti", "Partei", "Partido", "Ministry", "Ministère", "Ministerium",
    "Ministerio", "Bank", "Banque", "Banco", "Union", "Unión", "University", "Université",
    "Universität", "Universidad", "Council", "Conseil", "Rat", "Consejo", "Agency",
    "Agence", "Agentur", "Agencia", "Company", "Group", "Groupe", "Gruppe", "Grupo", "Inc",
    "Corp", "Corporation", "Ltd", "GmbH", "AG", "SA", "Association", "Verband", "Army",
    "Armée", "Armee", "Ejército", "Forces", "Court", "Cour", "Gericht", "Tribunal",
    "Assembly", "Assemblée", "Commission", "Kommission", "Comisión", "Committee", "Comité",
    "Organisation", "Organization", "Organización", "Institute", "Institut", "Instituto",
    "Foundation", "Fondation", "Stiftung", "Fundación", "Federation", "Fédération", "Post",
    "Times", "News", "Press", "Presse", "Prensa", "Herald", "Journal", "Zeitung",
    "Tribune", "Gazette", "Radio", "Televisión", "Television", "Télévision", "TV", "Media",
    "Médias", "Club", "Department", "Département", "Office", "Bureau", "Senate", "Sénat",
    "Congress", "Congrès", "Parliament", "Parlement", "Parlament", "Hayom", "Reuters"))
_DE_ARTICLES = frozenset({"der", "die", "das", "den", "dem", "des", "ein", "eine", "einen",
                          "einem", "einer", "eines", "kein", "keine", "im", "am", "zum", "zur",
                          "vom", "beim", "ins", "ans", "diese", "dieser", "diesen", "jede",
                          "seine", "ihre", "unsere"})
_DE_NUMBERS = frozenset({"zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun",
                        "zehn", "elf", "zwölf", "zwanzig", "hundert", "tausend", "viele",
                        "einige", "mehrere"})
_DE_NOUN_SUFFIX = re.compile(r"(?:ung|heit|keit|schaft|tion|tät|ismus|nis|tum|ment|chen|"
                             r"lein|ling|ungen|heiten|keiten|ionen|äten|isse)$")
_TITLE_SUFFIX = re.compile(
    r"(?:minister|prasident|kanzler|sprecher|chef|fuhrer)(?:in|innen|en|n|s)?$")
_AFTER_ROLE = re.compile(
    r"(?:ministre|ministère|minister|ministry|secretary|secrétaire|ministro|ministerio|"
    r"department|département)\s+(?:\w+\s+)?(?:de\s+la|de\s+l['’]|du|des|de|of\s+the|of|"
    r"del|de\s+los|for)\s+$", re.IGNORECASE)
_CALENDAR = frozenset(norm_key(w) for w in re.split(r"\s+", (
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April "
    "May June July August September October November December Lundi Mardi Mercredi Jeudi "
    "Vendredi Samedi Dimanche Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag "
    "Januar Februar März Juni Juli Oktober Dezember Lunes Martes Miércoles Jueves Viernes "
    "Sábado Domingo Enero Febrero Marzo Abril Mayo Junio Julio Agosto Septiembre Octubre "
    "Noviembre Diciembre")))
_WEAK_BEFORE = frozenset(".!?:;«“„\"(…—–•*|>")
_CHARSCAN = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI", "LAO", "KHMER", "MYANMAR")
_CLITICS = frozenset("وبلفكهמשכ")
_STOPLIST_NAMES = {"el": "Greek", "nb": "Norwegian_Bokmal", "no": "Norwegian_Bokmal",
                   "nn": "Norwegian_Nynorsk", "fa": "Persian", "pa": "Western_Panjabi",
                   "ms": "Malay", "sw": "Swahili"}


@lru_cache(maxsize=64)
def stoplist(lang: str | None) -> frozenset[str]:
    """justext stoplist of ``lang`` as norm keys (empty when it has none)."""
    if not lang:
        return frozenset()
    import justext

    name = _STOPLIST_NAMES.get(lang)
    if name is None:
        import pycountry

        rec = pycountry.languages.get(alpha_2=lang)
        name = str(getattr(rec, "name", "")).split(" (")[0].replace(" ", "_")
    try:
        return frozenset(norm_key(w) for w in justext.get_stoplist(name))
    except (ValueError, KeyError, OSError):
        return frozenset()


def _script_kind(ch: str) -> str:
    """'cased', 'charscan' (no spaces between words) or 'caseless'."""
    if ch.lower() != ch.upper():
        return "cased"
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return "caseless"
    return "charscan" if name.startswith(_CHARSCAN) else "caseless"


def _is_acronym(w: str) -> bool:
    letters = [c for c in w if c.isalpha()]
    return 2 <= len(letters) <= 6 and all(c.isupper() for c in letters) and len(w) <= 8


class CapsTagger:
    """The multilingual fallback backend (see module docstring)."""

    def __init__(self, lang: str | None) -> None:
        self.lang = lang
        self.name = f"caps:{lang or 'xx'}"
        self.stop = stoplist(lang)

    def tag(self, text: str, known: Sequence[Mention] = (), start_at: int = 0,
            fill: Sequence[tuple[int, int]] = ()) -> list[Mention]:
        """Mentions of ``text`` starting at or after ``start_at`` or inside a ``fill`` range;
        ``known`` mentions (from a model, usually on the head of the text) are kept and
        lend their labels."""
        words = [(m.start(), m.end()) for m in _WORD_RE.finditer(text)]
        known_labels = {m.norm: m.label for m in known}
        cased: list[list[tuple[int, int]]] = []
        out: list[Mention] = list(known)
        title_lines = self._title_case_lines(text, words)
        cur: list[tuple[int, int]] = []
        for s, e in words:
            s = self._after_elision(text, s, e)
            ch = text[s]
            kind = _script_kind(ch)
            if kind != "cased":
                if cur:
                    cased.append(cur)
                    cur = []
                if s >= start_at:
                    out.extend(self._caseless(text, s, e, kind))
                continue
            if ch.isupper():
                if cur and self._joinable(text, cur[-1][1], s):
                    cur.append((s, e))
                else:
                    if cur:
                        cased.append(cur)
                    cur = [(s, e)]
            elif (cur and text[s:e].lower() in _PARTICLES and text[cur[-1][1]:s] == " "
                  and (text[s:e].lower() not in _AFTER_VAN
                       or text[cur[-1][0]:cur[-1][1]].lower() in ("van", "von"))):
                cur.append((s, e))  # tentative particle; dropped if nothing capitalised follows
            else:
                if cur:
                    cased.append(cur)
                cur = []
        if cur:
            cased.append(cur)
        spans: list[list[tuple[int, int]]] = []
        titled_at: set[int] = set()  # starts of spans that follow a title word
        needs_ev: set[int] = set()  # starts of spans kept only where evidenced
        for sp in cased:
            sp = self._trim_particles(text, sp)
            idx = [k for k, (a, b) in enumerate(sp) if _is_title(norm_key(text[a:b]))]
            if not idx or idx[-1] == len(sp) - 1:
                if sp:
                    spans.append(sp)
                continue
            if idx[0] > 0:  # "Israeli Defense | Minister | Benny Gantz"
                pre = self._trim_particles(text, sp[:idx[0]])
                if pre:
                    spans.append(pre)
                    if len(pre) > 1:
                        needs_ev.add(pre[0][0])
            rest = sp[idx[-1] + 1:]
            spans.append(rest)
            titled_at.add(rest[0][0])
        weak_flags = [self._weak(text, sp[0][0], title_lines) for sp in spans]
        strong: set[str] = set(known_labels)
        for sp, weak in zip(spans, weak_flags, strict=True):
            if not weak:
                key = norm_key(text[sp[0][0]:sp[-1][1]])
                strong.add(key)
                if self._person_like(text, sp):
                    strong.add(norm_key(text[sp[-1][0]:sp[-1][1]]))  # family name
        for sp, weak in zip(spans, weak_flags, strict=True):
            if not (sp[0][0] >= start_at or any(a <= sp[0][0] < b for a, b in fill)):
                continue
            weak_line = sp[0][0] in needs_ev or text.rfind("\n", 0, sp[0][0]) + 1 in title_lines
            for part, titled in self._filter(text, sp, weak, strong, known_labels, weak_line,
                                             sp[0][0] in titled_at):
                m = self._label(text, part, titled, known_labels)
                if m is not None:
                    out.append(m)
        return harmonize(out)

    # -- span construction ---------------------------------------------------------------

    @staticmethod
    def _after_elision(text: str, s: int, e: int) -> int:
        for i in range(s, min(e, s + 5)):
            if text[i] in "’'":
                head = text[s:i]
                if head.lower() in ("l", "d", "j", "n", "m", "s", "t", "c", "qu", "dell",
                                    "dall", "nell", "sull", "all") and i + 1 < e:
                    return i + 1
                break
        return s

    @staticmethod
    def _joinable(text: str, prev_end: int, start: int) -> bool:
        gap = text[prev_end:start]
        return gap == " " or gap == "\u00a0"

    @staticmethod
    def _trim_particles(text: str, sp: list[tuple[int, int]]) -> list[tuple[int, int]]:
        while sp and not text[sp[-1][0]].isupper():
            sp = sp[:-1]
        return sp

    @staticmethod
    def _title_case_lines(text: str, words: list[tuple[int, int]]) -> set[int]:
        """Start offsets of lines where most words are capitalised (headlines)."""
        lines: set[int] = set()
        by_line: dict[int, list[bool]] = {}
        for s, _e in words:
            ls = text.rfind("\n", 0, s) + 1
            by_line.setdefault(ls, []).append(text[s].isupper())
        for ls, caps in by_line.items():
            le = text.find("\n", ls)
            line = text[ls:le if le >= 0 else len(text)]
            if (4 <= len(caps) <= 25 and sum(caps) / len(caps) >= 0.6
                    and not re.search(r"[.!?;,] ", line.rstrip())):
                lines.add(ls)
        return lines

    @staticmethod
    def title_case_line_spans(text: str) -> list[tuple[int, int]]:
        """(start, end) of the title-case lines of ``text``."""
        words = [(m.start(), m.end()) for m in _WORD_RE.finditer(text)]
        out = []
        for ls in sorted(CapsTagger._title_case_lines(text, words)):
            le = text.find("\n", ls)
            out.append((ls, le if le >= 0 else len(text)))
        return out

    @staticmethod
    def _weak(text: str, s: int, title_lines: set[int]) -> bool:
        if text.rfind("\n", 0, s) + 1 in title_lines:
            return True
        i = s - 1
        while i >= 0 and text[i] in " \t\u00a0":
            i -= 1
        return i < 0 or text[i] == "\n" or text[i] in _WEAK_BEFORE

    # -- filtering and labels ------------------------------------------------------------

    def _person_like(self, text: str, sp: list[tuple[int, int]]) -> bool:
        """2-4 capitalised words, none an acronym, an organisation word or a place."""
        if not 2 <= len(sp) <= 4:
            return False
        for a, b in sp:
            w = text[a:b]
            if (not w[0].isupper() or _is_acronym(w) or norm_key(w) in _ORG_WORDS
                    or lookup_place(w, self.lang) is not None):
                return False
        return True

    def _evidenced(self, key: str, surface: str, strong: set[str]) -> bool:
        return key in strong or _is_acronym(surface) or lookup_place(surface, self.lang) is not None

    def _filter(
        self, text: str, sp: list[tuple[int, int]], weak: bool, strong: set[str],
        known: dict[str, Label], in_title_line: bool, titled: bool,
    ) -> list[tuple[list[tuple[int, int]], bool]]:
        """Sub-spans of ``sp`` worth keeping, each with 'a title preceded it'. Only the
        first word of a span sits in a weak position, so only it is tested against the
        stoplist ("The European Union" -> "European Union"); title-case lines are
        handled by evidence alone."""
        keys = [norm_key(text[s:e]) for s, e in sp]
        i = 0
        if weak and not in_title_line and keys[0] in self.stop:
            i = 1
        while i < len(sp) and _is_title(keys[i]):
            titled = True
            i += 1
        sp, keys = sp[i:], keys[i:]
        if not sp or (len(sp) == 1 and keys[0] in _CALENDAR):
            return []
        surface = text[sp[0][0]:sp[-1][1]]
        key = norm_key(surface)
        if len(sp) == 1:
            if (weak or in_title_line) and not titled and not self._evidenced(key, surface,
                                                                              strong):
                return []
            if not weak and not titled and not self._strong_single_ok(text, sp[0], key,
                                                                        strong):
                return []
            return [(sp, titled)]
        if self._evidenced(key, surface, strong) or not (weak and in_title_line):
            unit = key in known or lookup_place(surface, self.lang) is not None
            parts = None if unit else self._split_known(text, sp, strong - {key})
            return [(p, titled or len(p) > 1) for p in parts] if parts else [(sp, titled)]
        parts = self._split_known(text, sp, strong, allow_gaps=True)
        return [(p, titled) for p in parts or []]

    def _strong_single_ok(self, text: str, tok: tuple[int, int], key: str,
                          strong: set[str]) -> bool:
        if key in self.stop and not _is_acronym(text[tok[0]:tok[1]]):
            return lookup_place(text[tok[0]:tok[1]], self.lang) is not None
        if self.lang not in ("de", "lb"):
            return True
        if lookup_place(text[tok[0]:tok[1]], self.lang) is not None or _is_acronym(
                text[tok[0]:tok[1]]):
            return True
        if _DE_NOUN_SUFFIX.search(key):
            return False
        prev = re.search(r"(\w+)\W*$", text[max(0, tok[0] - 30):tok[0]])
        if prev is None:
            return True
        pw = prev.group(1)
        # an article, a number or an inflected adjective before it: a common noun
        return not (pw.lower() in _DE_ARTICLES or pw.isdigit() or pw.lower() in _DE_NUMBERS
                    or (pw.islower() and len(pw) >= 4 and pw.endswith(("en", "er", "es", "em"))))

    def _split_known(
        self, text: str, sp: list[tuple[int, int]], strong: set[str], allow_gaps: bool = False
    ) -> list[list[tuple[int, int]]] | None:
        """Cut ``sp`` into evidenced sub-spans (longest first). Without ``allow_gaps`` the
        cut must cover every token, except that a rest of >= 2 words may stand as a name
        ("Syrie Erdogan" -> both; "Défense Benny Gantz" -> "Défense" + "Benny Gantz";
        "Jerusalem Post" stays)."""
        parts: list[list[tuple[int, int]]] = []
        i = 0
        while i < len(sp):
            if not allow_gaps and parts and len(sp) - i >= 2 and not any(
                    self._evidenced(norm_key(text[sp[i][0]:sp[j - 1][1]]),
                                    text[sp[i][0]:sp[j - 1][1]], strong)
                    for j in range(i + 1, len(sp) + 1)):
                parts.append(sp[i:])
                break
            for j in range(len(sp) - (0 if allow_gaps or i else 1), i, -1):
                surf = text[sp[i][0]:sp[j - 1][1]]
                if self._evidenced(norm_key(surf), surf, strong):
                    parts.append(sp[i:j])
                    i = j
                    break
            else:
                if not allow_gaps:
                    return None
                i += 1
        if not allow_gaps and len(parts) < 2:
            return None
        return parts

    def _label(self, text: str, sp: list[tuple[int, int]], titled: bool,
               known: dict[str, Label]) -> Mention | None:
        s, e = sp[0][0], sp[-1][1]
        surface = text[s:e]
        key = norm_key(surface)
        toks = key.split()
        label: Label
        if len(sp) == 1 and key not in known and _AFTER_ROLE.search(text, max(0, s - 40), s):
            return None  # "ministre de la Défense", "Minister of Defence": part of a role
        if key in known:
            label = known[key]
        elif lookup_place(surface, self.lang) is not None:
            label = "LOC"
        elif any(t in _ORG_WORDS for t in toks) or (len(sp) == 1 and _is_acronym(surface)):
            label = "ORG"
        elif titled or self._person_like(text, sp):
            label = "PER"
        else:
            label = "MISC"
        return make_mention(text, s, e, label)

    # -- caseless scripts ----------------------------------------------------------------

    def _caseless(self, text: str, s: int, e: int, kind: str) -> list[Mention]:
        out: list[Mention] = []
        if kind == "charscan":
            i = s
            while i < e:
                for j in range(min(e, i + 8), i + 1, -1):
                    if lookup_place(text[i:j], self.lang) is not None:
                        m = make_mention(text, i, j, "LOC")
                        if m is not None:
                            out.append(m)
                        i = j
                        break
                else:
                    i += 1
            return out
        # space-separated caseless words: extend to up to 3 words, longest first
        ends = [e]
        for wm in _WORD_RE.finditer(text, e, min(len(text), e + 60)):
            if text[ends[-1]:wm.start()] != " " or len(ends) == 3:
                break
            ends.append(wm.end())
        for end in reversed(ends):
            for start in (s, s + 1):
                if start > s and text[s] not in _CLITICS:
                    continue
                if lookup_place(text[start:end], self.lang) is not None:
                    m2 = make_mention(text, start, end, "LOC")
                    return [m2] if m2 is not None else []
        return out


def _is_title(key: str) -> bool:
    return key in _TITLES or bool(_TITLE_SUFFIX.search(key))


def has_loose_words(span: str) -> bool:
    """Whether ``span`` holds a lower-case word that is not a name particle."""
    for m in _WORD_RE.finditer(span):
        w = m.group()
        start = CapsTagger._after_elision(span, m.start(), m.end()) - m.start()
        w = w[start:]
        if w and w[0].islower() and w.lower() not in _PARTICLES:
            return True
    return False
