"""What the two shared example articles hold, line by line: title, furniture, story.

The story lines are every other non-empty line of the file, so a test over them checks
that the cleaner keeps *every* paragraph, not a sample.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import JFORUM, PRESSTV

TITLES = {
    JFORUM: "Israël exhorte Erdogan à évincer le Hamas alors que la Turquie regarde les "
            "technologies de sécurité israéliennes",
    PRESSTV: "Mossad: Ankara prêt à expulser le Hamas",
}

# Lines (or, for glued lines, a distinctive part of them) that must not survive cleaning.
FURNITURE = {
    JFORUM: [
        "La rédaction de JForum, retirera d'office tout commentaire",
        "S’abonner",
        "Notification pour",
        "guest",
        "Ce site utilise Akismet",
        "0 Commentaires",
        "Commentaires en ligne",
        "Afficher tous les commentaires",
        "שר הביטחון",
    ],
    PRESSTV: [
        "TV",
        "US Rep. Ilhan Omar",
        "Comme en Syrie Erdogan compte servir de paravent",
        "Accord EAU/Israël: les vraies raisons",
        "Partager Cet Article",
        "SOURCE: FRENCH PRESS TV",
    ],
}

# Lines that may go either way (captions, byline): neither asserted kept nor removed.
OPTIONAL = {
    JFORUM: ["Yossi Yehoshua Ynet", "Benny Gantz et Recep Tayyip Erdogan( Photo",
             "Le ministre de la Défense Benny Gantz et son homologue Hulusi Akar le ministre"],
    PRESSTV: ["Israël/Turquie : vers un rapprochement ?"],
}


def story_lines(path: Path) -> list[str]:
    """Every non-empty line that is neither title, furniture nor optional."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if not s or s == TITLES[path]:
            continue
        if any(s.startswith(f) or f in s for f in FURNITURE[path] + OPTIONAL[path]):
            continue
        out.append(s)
    return out
