"""Small multilingual word lists the comparison uses: loaded terms, attribution verbs,
referent designations and a polarity lexicon for tone.

Written for this package (no third-party data). Entries are matched on folded text
(``textnorm.fold``: casefolded, diacritics stripped, ł/ø/ı... spelt in ASCII) at a word
start; a trailing ``*`` marks a stem
("terroris*" matches terroriste, terrorists, Terrorismus). They are deliberately short:
each entry is a word that is known to carry a stance in news writing, so a hit is worth
showing to a reader, and a miss costs nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storylens.textnorm import fold, fold_with_map

LOADED: dict[str, tuple[str, ...]] = {
    # category -> folded terms/stems (all languages mixed; matching is per word start)
    "terrorism": ("terroris*", "terror*", "terorist*", "terörist*", "terör*", "терро*",
                  "إرهاب*", "ارهاب*", "terrorys*", "groupe terroriste", "organisation terroriste",
                  "terrorist group", "terrorist organization", "grupo terrorista",
                  "organizacion terrorista", "terror organisation", "terrororganisation*"),
    "zionist": ("sionis*", "zionis*", "syonist*", "сионис*", "صهيون*", "syjonis*",
                "entite sioniste", "zionist entity", "zionist regime", "regime sioniste"),
    "regime": ("regime*", "régime*", "rejim*", "режим*", "نظام", "reżim*", "reżym*"),
    "occupation": ("occupation*", "occupied", "occupe*", "besatz*", "besetzt*", "ocupacion*",
                   "ocupad*", "ocupación*", "işgal*", "оккупа*", "احتلال", "الاحتلال", "okupac*"),
    "martyr": ("martyr*", "märtyrer*", "martir*", "mártir*", "şehit*", "shahid*", "шахид*",
               "شهيد*", "الشهيد", "męczenn*"),
    "resistance": ("resistance", "résistance", "widerstand*", "resistencia", "direniş*",
                   "сопротивлени*", "مقاومة", "المقاومة", "opor*"),
    "killing": ("assassin*", "massacre*", "massaker*", "masacre*", "katliam*", "резн*",
                "مجزرة", "slaughter*", "butcher*", "genocid*", "genozid*", "soykırım*",
                "геноцид*", "إبادة", "ludobój*", "atrocit*", "gräueltat*"),
    "extremism": ("extremis*", "radical*", "radikal*", "fanati*", "jihadis*", "djihadis*",
                  "dschihadis*", "islamis*", "cihatçı*", "экстремис*", "متطرف*"),
    "aggression": ("aggression*", "agresion*", "agresión*", "saldırganlık*", "агресси*",
                   "عدوان*", "invasion*", "invasión*", "invazyon*", "вторжени*", "inwazj*",
                   "crusade*", "croisade*"),
    "propaganda": ("propagand*", "пропаганд*", "دعاية", "fake news", "desinformation*",
                   "disinformation*", "désinformation*", "дезинформ*"),
    "puppet": ("puppet*", "marionnette*", "marionette*", "titere*", "kukla*", "марионет*",
               "عميل*", "proxy", "proxies", "mandataire*", "stellvertreter*"),
}

ATTRIBUTION: dict[str, tuple[str, ...]] = {
    # neutral reporting verbs vs verbs that cast doubt or lend weight
    "neutral": ("said", "says", "told", "stated", "reported", "announced", "a dit", "a declare",
                "ont declare", "a annonce", "ont annonce", "a indique", "rapporte", "a rapporte",
                "a-t-il declare", "a-t-elle declare", "declare", "sagte", "erklarte", "teilte mit",
                "berichtete", "dijo", "afirmo", "declaro", "anuncio", "informo", "ha detto",
                "ha dichiarato", "powiedzial", "oswiadczyl", "dedi", "açıkladı", "acikladi",
                "сказал", "заявил", "сообщил", "قال", "أعلن", "ذكر"),
    "doubt": ("claimed", "claims", "alleged", "allegedly", "purported", "a pretendu",
              "pretend", "pretendu", "aurait", "selon certaines informations", "pretendument",
              "pretendument", "soi-disant", "behauptete", "behauptet", "angeblich",
              "vermeintlich", "supuestamente", "aseguro", "presunto", "sostiene",
              "presunta", "rzekomo", "iddia", "iddia etti", "sozde", "якобы", "утверждает",
              "زعم", "يزعم", "مزعوم"),
    "emphatic": ("insisted", "admitted", "conceded", "warned", "a affirme", "a averti",
                 "a insiste", "a reconnu", "a admis", "betonte", "warnte", "raumte ein",
                 "advirtio", "insistio", "admitio", "reconocio", "uyardi", "vurguladi",
                 "признал", "предупредил", "حذر", "أكد", "اعترف"),
}

REFERENTS: dict[str, tuple[str, ...]] = {
    # referent -> designations (folded); designations of one referent are interchangeable
    # names for the same thing, so one side's choice against the other's is framing.
    "Israel": ("israel", "israël", "l'etat hebreu", "etat hebreu", "regime sioniste",
               "entite sioniste", "regime israelien", "zionist regime",
               "zionist entity", "israeli regime", "jewish state", "tel-aviv", "tel aviv",
               "zionistische regime", "zionistisches regime", "regimen sionista",
               "siyonist rejim", "siyonist rejimi", "сионистский режим", "الكيان الصهيوني",
               "إسرائيل", "اسرائيل", "izrael", "israil", "израиль", "syjonistyczny rezim"),
    "Hamas": ("hamas", "mouvement de resistance islamique", "mouvement hamas",
              "groupe terroriste hamas", "resistance palestinienne", "palestinian resistance",
              "islamic resistance movement", "حماس", "حركة حماس", "المقاومة", "хамас"),
    "Hezbollah": ("hezbollah", "hizbollah", "hisbollah", "hizbullah",
                  "groupe terroriste du hezbollah",
                  "resistance libanaise", "lebanese resistance", "حزب الله", "хезболла"),
    "West Bank": ("cisjordanie", "west bank", "westjordanland", "cisjordania", "judee-samarie",
                  "judea and samaria", "judee et samarie", "territoires occupes",
                  "occupied territories", "الضفة الغربية", "batı şeria", "zachodni brzeg"),
    "Russia's war in Ukraine": ("special military operation", "operation militaire speciale",
                                "militarische spezialoperation", "operacion militar especial",
                                "специальная военная операция", "спецоперация",
                                "invasion of ukraine", "invasion de l'ukraine",
                                "war in ukraine", "guerre en ukraine", "krieg in der ukraine",
                                "angriffskrieg", "guerra en ucrania"),
    "Iran": ("iran", "regime iranien", "iranian regime", "regime des mollahs", "mullah regime",
             "mullah-regime", "republique islamique", "islamic republic", "ایران", "إيران"),
}

POLARITY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # lang -> (positive stems, negative stems); folded, matched at word start
    "fr": (("amelior*", "cooperat*", "paix", "accord*", "succes", "soutien*", "positi*",
            "renforc*", "progres", "espoir*", "aide*", "sauver", "protege*", "allie*",
            "normalis*", "reussi*", "favorable*", "bienvenu*", "felicit*", "remerci*"),
           ("attaqu*", "terroris*", "tension*", "menace*", "guerre*", "mort*", "tue*",
            "crise*", "conflit*", "violence*", "assassin*", "espionnage", "contrebande",
            "refroidissement", "accus*", "expuls*", "victime*", "bless*", "condamn*",
            "echec*", "danger*", "craint*", "peur", "arme*", "sanction*", "occupation")),
    "en": (("improv*", "cooperat*", "peace*", "agree*", "success*", "support*", "positive*",
            "strengthen*", "progress*", "hope*", "help*", "save*", "protect*", "ally",
            "allies", "normaliz*", "welcome*", "thank*", "benefit*", "win*", "recover*"),
           ("attack*", "terror*", "tension*", "threat*", "war", "wars", "dead", "death*",
            "kill*", "crisis", "conflict*", "violen*", "assassin*", "smuggl*", "accus*",
            "expel*", "victim*", "injur*", "condemn*", "fail*", "danger*", "fear*",
            "weapon*", "sanction*", "occupation", "crash*", "disaster*", "protest*")),
    "de": (("verbesser*", "zusammenarbeit", "frieden*", "einig*", "erfolg*", "unterstutz*",
            "positiv*", "starken", "stark*", "fortschritt*", "hoffnung*", "hilfe", "helfen",
            "rett*", "schutz*", "gewonnen", "gewinn*", "lob*", "dank*", "chance*"),
           ("angriff*", "terror*", "spannung*", "drohung*", "bedroh*", "krieg*", "tot*",
            "getotet", "krise*", "konflikt*", "gewalt*", "mord*", "schmuggel*", "vorwurf*",
            "opfer*", "verletz*", "verurteil*", "scheiter*", "gefahr*", "angst*", "waffe*",
            "sanktion*", "besatzung*", "unfall*", "katastroph*", "protest*", "streit*")),
    "es": (("mejor*", "cooperacion", "paz", "acuerdo*", "exito*", "apoyo*", "positiv*",
            "fortalec*", "progreso*", "esperanza*", "ayuda*", "salvar", "proteg*", "aliado*",
            "beneficio*", "gana*", "agradec*", "celebr*"),
           ("ataque*", "terror*", "tension*", "amenaza*", "guerra*", "muert*", "mato",
            "crisis", "conflicto*", "violencia*", "asesin*", "contrabando", "acus*",
            "victima*", "herid*", "conden*", "fracas*", "peligro*", "miedo*", "arma*",
            "sancion*", "ocupacion", "accidente*", "desastre*", "protesta*", "polemic*")),
    "it": (("miglior*", "cooperazione", "pace", "accordo*", "successo*", "sostegno*",
            "positiv*", "rafforz*", "progress*", "speranza*", "aiut*", "salva*", "protegg*"),
           ("attacc*", "terror*", "tension*", "minacc*", "guerra*", "mort*", "uccis*",
            "crisi", "conflitt*", "violenz*", "assassin*", "accus*", "vittim*", "ferit*",
            "condann*", "fallim*", "pericol*", "paura*", "armi", "sanzion*")),
    "pl": (("popraw*", "wspolprac*", "pokoj*", "porozumien*", "sukces*", "wsparc*",
            "pozytywn*", "wzmocn*", "postep*", "nadziej*", "pomoc*", "ratow*", "chron*"),
           ("atak*", "terror*", "napiec*", "zagroz*", "wojn*", "smierc*", "zabit*",
            "kryzys*", "konflikt*", "przemoc*", "zabojst*", "oskarz*", "ofiar*", "rann*",
            "potepi*", "porazk*", "niebezpiecz*", "strach*", "bron*", "sankcj*", "protest*")),
    "tr": (("iyilest*", "isbirlig*", "baris*", "anlasma*", "basari*", "destek*", "olumlu*",
            "guclen*", "ilerleme*", "umut*", "yardim*", "kurtar*", "koru*"),
           ("saldiri*", "teror*", "gerginlik*", "tehdit*", "savas*", "olum*", "oldur*",
            "kriz*", "catisma*", "siddet*", "suikast*", "suclam*", "kurban*", "yarali*",
            "kinam*", "basarisiz*", "tehlike*", "korku*", "silah*", "yaptirim*", "kaza*")),
    "ru": (("улучш*", "сотрудничеств*", "мир", "соглашени*", "успех*", "поддержк*",
            "позитив*", "укрепл*", "прогресс*", "надежд*", "помощ*", "спас*", "защит*"),
           ("атак*", "террор*", "напряженн*", "угроз*", "войн*", "смерт*", "убит*", "кризис*",
            "конфликт*", "насили*", "убийств*", "обвин*", "жертв*", "ранен*", "осуд*",
            "провал*", "опасн*", "страх*", "оруж*", "санкци*", "протест*")),
    "ar": (("تحسين", "تعاون", "سلام", "اتفاق", "نجاح", "دعم", "إيجابي", "تعزيز", "تقدم",
            "أمل", "مساعدة", "إنقاذ", "حماية"),
           ("هجوم", "إرهاب", "توتر", "تهديد", "حرب", "الحرب", "موت", "قتل", "أزمة", "صراع",
            "عنف", "اغتيال", "اتهام", "ضحايا", "جرحى", "إدانة", "فشل", "خطر", "خوف",
            "سلاح", "عقوبات", "احتلال")),
}
POLARITY["pt"] = POLARITY["es"]

def term_regex(terms: tuple[str, ...] | list[str]) -> re.Pattern[str]:
    """One regex for folded ``terms``; ``stem*`` matches the stem plus word characters;
    longer terms are tried first so "groupe terroriste" wins over "terroris*"."""
    alts: list[str] = []
    for t in sorted(set(terms), key=len, reverse=True):
        stem = t.endswith("*")
        body = re.escape(fold(t.rstrip("*"))).replace(r"\ ", r"\s+")
        alts.append(body + (r"[\w'-]*" if stem else ""))
    return re.compile(r"(?<![\w])(?:" + "|".join(alts) + r")(?![\w])")


@dataclass(frozen=True, slots=True)
class Hit:
    """One lexicon match: ``text[start:end]`` in the original spelling."""

    key: str
    surface: str
    start: int
    end: int


def find_terms(text: str, patterns: dict[str, re.Pattern[str]]) -> list[Hit]:
    """Every match of every keyed pattern in ``text``, in text order."""
    folded, where = fold_with_map(text)
    return find_terms_folded(text, folded, where, patterns)


def find_terms_folded(text: str, folded: str, where: list[int],
                      patterns: dict[str, re.Pattern[str]]) -> list[Hit]:
    """``find_terms`` over ``fold_with_map(text)`` computed once by the caller (who
    matches several lexicons against one text)."""
    hits: list[Hit] = []
    for key, rx in patterns.items():
        for m in rx.finditer(folded):
            if m.end() <= m.start():
                continue
            s, e = where[m.start()], where[m.end() - 1] + 1
            hits.append(Hit(key, " ".join(text[s:e].split()), s, e))
    hits.sort(key=lambda h: (h.start, -h.end))
    return hits
