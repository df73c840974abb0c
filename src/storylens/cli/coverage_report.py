"""Rich terminal output for ``storylens story``: the story listing and its ``Coverage``.

All article-derived text goes through ``Text`` objects or ``markup=False`` so square
brackets in an article are never read as Rich markup.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from storylens.compare.coverage import Coverage, OutletCoverage
from storylens.records_story import Story

MAX_FACT_COLUMNS = 12
MAX_ENTITY_COLUMNS = 10
MAX_SHARED_FACTS = 12


def _clip(s: str, n: int = 100) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def print_story(s: Story, console: Console) -> None:
    """The story header and its members in time order (what `storylens story` listed)."""
    console.print(Text(f"{s.level} {s.id}: {s.title}", style="bold"))
    console.print(f"{s.size} articles ({s.n_copies} syndicated copies), {len(s.outlets)} "
                  f"outlets, languages {', '.join(s.langs)}, {s.span()}", markup=False)
    if s.level == "event" and s.storyline_id:
        console.print(f"storyline: {s.storyline_id}", markup=False)
    table = Table()
    for col, width in (("published", 10), ("outlet", 10), ("lang", 4),
                       ("event" if s.level == "storyline" else "copy of", 8)):
        table.add_column(col, no_wrap=True, min_width=width)
    table.add_column("title", overflow="ellipsis", no_wrap=True, min_width=20)
    for m in s.members:
        last = m["event_id"] if s.level == "storyline" else (m["duplicate_of"] or "")
        table.add_row(Text((m["published"] or "—")[:10]), Text(m["outlet"] or "—"),
                      Text(m["lang"] or "?"), Text(last), Text(m["title"] or ""))
    console.print(table)


def _tone(o: OutletCoverage) -> str:
    if o.tone is None or o.tone.method == "none":
        return "unknown"
    return f"{o.tone.score:+.2f} {o.tone.label}"


def print_coverage(c: Coverage, console: Console) -> None:
    """Outlets, shared facts, the outlets × facts and × entities matrices, framing, tone
    and the timeline of one story."""
    console.print(Text(f"Coverage ({len(c.outlets)} outlets, {len(c.articles)} original "
                       f"articles, {len(c.facts)} facts; {c.embedder} embedder, threshold "
                       f"{c.threshold}, {c.seconds:.1f} s)", style="bold"))
    for note in c.notes:
        console.print(Text(f"note: {note}", style="yellow"))
    rows = c.reporting_outlets
    matrix = dict(zip(rows, c.fact_matrix(), strict=True))
    t = Table(title="Outlets", title_justify="left")
    for col in ("outlet", "originals", "copies carried", "copied", "langs", "first", "facts",
                "only here", "tone"):
        t.add_column(col, no_wrap=col != "outlet")
    only = {o: sum(1 for f in c.facts if f.outlets == [o]) for o in rows}
    for o in c.outlets:
        n = sum(1 for x in matrix.get(o.outlet, []) if x)
        t.add_row(Text(o.outlet), str(len(o.articles)), str(len(o.copies)), str(o.copied),
                  ",".join(o.langs),
                  o.first_time.date().isoformat() if o.first_time else "—",
                  str(n) if o.articles else "—", str(only.get(o.outlet, "—")), _tone(o))
    console.print(t)

    shared = [f for f in c.facts if len(f.outlets) > 1]
    console.print(Text(f"Facts reported by several outlets ({len(shared)})", style="bold green"))
    for f in shared[:MAX_SHARED_FACTS]:
        first = f" — first {f.first_outlet}" if f.first_outlet else ""
        console.print(Text(f"  {f.id} [{len(f.outlets)} outlets, reach {f.reach}{first}] "
                           f"{_clip(f.text)}"))
        console.print(Text("      " + ", ".join(f.outlets), style="dim"))
    cols = (shared or c.facts)[:MAX_FACT_COLUMNS]
    if rows and cols:
        idx = {f.id: k for k, f in enumerate(c.facts)}
        t = Table(title="Outlets × facts", title_justify="left")
        t.add_column("outlet")
        for f in cols:
            t.add_column(f.id, justify="center")
        for out in rows:
            t.add_row(Text(out), *("✓" if matrix[out][idx[f.id]] else "·" for f in cols))
        console.print(t)
    ents = c.entities[:MAX_ENTITY_COLUMNS]
    if rows and ents:
        t = Table(title="Outlets × entities (mentions)", title_justify="left")
        t.add_column("outlet")
        for e in ents:
            t.add_column(Text(_clip(e.name, 18)), justify="right")
        for out in rows:
            t.add_row(Text(out), *(str(e.outlets.get(out, "")) for e in ents))
        console.print(t)
    _print_framing(c, console)
    _print_timeline(c, console)


def _print_framing(c: Coverage, console: Console) -> None:
    console.print(Text("Framing and tone per outlet", style="bold magenta"))
    for o in c.outlets:
        if not o.articles:
            console.print(Text(f"  {o.outlet}: carried {len(o.copies)} syndicated "
                               "copies only"))
            continue
        bits = [f"tone {_tone(o)}"]
        if o.framing.loaded:
            bits.append("loaded: " + ", ".join(
                f"{t.term}×{t.count}" + ("*" if t in o.framing.loaded_only_here else "")
                for t in o.framing.loaded[:8]))
        if o.framing.attribution:
            bits.append("attribution: " + ", ".join(f"{k} {v}"
                                                    for k, v in o.framing.attribution.items()))
        if o.distinctive:
            bits.append("only here: " + ", ".join(f"{d} ({r})" for r, d in o.distinctive))
        console.print(Text(f"  {o.outlet}: " + "; ".join(bits)))
    if any(o.framing.loaded_only_here for o in c.outlets):
        console.print(Text("  * = no other outlet of the story uses it", style="dim"))


def _print_timeline(c: Coverage, console: Console) -> None:
    facts = {f.id: f for f in c.facts}
    t = Table(title="Timeline", title_justify="left")
    for col in ("published", "after first", "outlet", "article", "facts it reported first"):
        t.add_column(col, no_wrap=True)
    for e in c.timeline:
        h = e.hours_after_first
        after = "—" if h is None else f"+{h / 24:.1f} d" if h >= 48 else f"+{h:.1f} h"
        shared = sum(1 for i in e.new_facts if len(facts[i].outlets) > 1)
        what = (f"copy of {e.copy_of}" if e.copy_of
                else f"{len(e.new_facts)} ({shared} later reported by others)")
        t.add_row(e.published.strftime("%Y-%m-%d %H:%M") if e.published else "undated",
                  after, Text(e.outlet), e.article, what)
    console.print(t)
