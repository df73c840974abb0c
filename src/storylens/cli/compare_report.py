"""Rich terminal report of a ``Comparison``: verdicts, dimensions, facts, framing, tone.

All article text is printed with ``markup=False`` / ``Text`` objects so square brackets in
an article can never be read as Rich markup.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from storylens.compare.pair import Comparison

MAX_FACTS = 8


def _clip(s: str, n: int = 110) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def print_comparison(c: Comparison, console: Console) -> None:
    """Print ``c`` for a reader (terminal width aware)."""
    for tag, art in (("A", c.a), ("B", c.b)):
        when = art.published.date().isoformat() if art.published else "date unknown"
        console.print(Text(f"{tag}  {_clip(art.title, 90)}", style="bold"))
        console.print(Text(f"   {art.outlet or art.source} · {art.lang or '?'} · {when} · "
                           f"{art.id}", style="dim"))
    for note in c.notes:
        console.print(Text(f"note: {note}", style="yellow"))
    if c.first in ("a", "b") and c.gap_hours is not None:
        console.print(f"{c.first.upper()} was published first, "
                      f"{c.gap_hours / 24:.1f} days earlier", markup=False)

    verdicts = [(n, v) for n, v in (("same event", c.same_event),
                                    ("same storyline", c.same_storyline)) if v]
    if verdicts:
        t = Table(title="Verdicts", show_header=True)
        for col in ("", "p", "threshold", "verdict", "decided by"):
            t.add_column(col)
        for name, v in verdicts:
            t.add_row(name, f"{v.probability:.2f}", f"{v.threshold:.2f}",
                      "yes" if v.decision else "no",
                      "stored clusters" if v.source == "clusters" else "pair model")
        console.print(t)

    if c.dimensions:
        t = Table(title="Dimensions (1 = very similar … 4 = very dissimilar)")
        t.add_column("dimension")
        t.add_column("score")
        t.add_column("label")
        for d in c.dimensions.values():
            t.add_row(d.name, f"{d.score:.2f}", d.label)
        console.print(t)

    f = c.facts
    console.print(Text(f"Shared facts ({len(f.shared)}; A {f.coverage_a:.0%} / "
                       f"B {f.coverage_b:.0%} aligned)", style="bold green"))
    for p in f.shared[:MAX_FACTS]:
        console.print(Text(f"  {p.similarity:.2f}  A: {_clip(p.a.text)}"))
        console.print(Text(f"        B: {_clip(p.b.text)}", style="dim"))
    for tag, only in (("A", f.only_a), ("B", f.only_b)):
        console.print(Text(f"Only in {tag} ({len(only)})", style="bold cyan"))
        for s in only[:MAX_FACTS]:
            console.print(Text(f"  - {_clip(s.text)}"))

    fr = c.framing
    if fr.substitutions:
        console.print(Text("Framing: same referent, different words", style="bold magenta"))
        for sub in fr.substitutions[:12]:
            console.print(Text(f"  {sub.referent}: A «{sub.a}» ({sub.a_count}) vs "
                               f"B «{sub.b}» ({sub.b_count})  [{sub.source}]"))
    for tag, side in (("A", fr.a), ("B", fr.b)):
        if side.loaded_only_here:
            terms = ", ".join(f"{t.term} ×{t.count}" for t in side.loaded_only_here[:10])
            console.print(Text(f"Loaded terms only in {tag}: {terms}"))
        if side.attribution:
            attr = ", ".join(f"{k} {v}" for k, v in side.attribution.items())
            doubt = [t.term for t in side.attribution_terms if t.category == "doubt"]
            console.print(Text(f"Attribution in {tag}: {attr}"
                               + (f" (doubt: {', '.join(doubt)})" if doubt else "")))
    for tag, tone in (("A", c.tone_a), ("B", c.tone_b)):
        drivers = ", ".join(w for w, _ in (tone.negative[:4] + tone.positive[:4]))
        console.print(Text(f"Tone {tag}: {tone.score:+.2f} {tone.label} ({tone.method})"
                           + (f" — {drivers}" if drivers else "")))
