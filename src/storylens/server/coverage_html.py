"""A self-contained HTML page for a story's ``Coverage`` (inline CSS, no scripts).

Sections: outlets (originals, syndicated copies, tone), the outlets × facts matrix (facts
several outlets report, then each outlet's own facts), the outlets × entities matrix,
framing per outlet, and the timeline. Every piece of article-derived text goes through
``html.escape``; the page loads nothing from anywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from storylens.compare.coverage import Coverage, OutletCoverage
from storylens.records_story import Story

MAX_ENTITY_COLUMNS = 30
MAX_OWN_FACTS = 15

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1300px;color:#222}
h1{font-size:1.3rem}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.4rem 0}td,th{padding:.2rem .5rem;
border-bottom:1px solid #eee;text-align:left;vertical-align:top}
.m td.c{text-align:center}.y{background:#d8f0d8}.meta{color:#666;font-size:.9rem}
.note{background:#fff7d6;padding:.4rem .6rem;margin:.3rem 0}
.term{background:#fde2e2;padding:0 .2rem}.wrap{overflow-x:auto}
th.v{writing-mode:vertical-rl;transform:rotate(180deg);max-height:12rem;font-weight:normal}
"""


def _e(s: object) -> str:
    return escape(str(s), quote=True)


def _t(t: datetime | None) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if t else "—"


def _hours(h: float | None) -> str:
    """Hours after the first report; days past two days."""
    if h is None:
        return "—"
    return f"+{h / 24:.1f} days" if h >= 48 else f"+{h:.1f} h"


def _tone(o: OutletCoverage) -> str:
    if o.tone is None or o.tone.method == "none":
        return "unknown"
    words = ", ".join(w for w, _ in o.tone.negative[:4] + o.tone.positive[:4])
    return (f"{o.tone.score:+.2f} {_e(o.tone.label)} <span class='meta'>({_e(o.tone.method)}"
            f"{': ' + _e(words) if words else ''})</span>")


def render_coverage_html(story: Story, c: Coverage) -> str:
    """The whole page as a string."""
    out = ["<!doctype html><html><head><meta charset='utf-8'>",
           f"<title>{_e(story.title)} — coverage</title><style>{_CSS}</style></head><body>",
           f"<h1>{_e(story.title)}</h1>",
           f"<p class='meta'>{_e(story.level)} {_e(story.id)} · {story.size} articles "
           f"({story.n_copies} syndicated copies) · languages "
           f"{_e(', '.join(f'{k} {v}' for k, v in c.langs.items()))} · {_e(c.embedder)} "
           f"embedder, fact threshold {c.threshold}</p>"]
    out += [f"<div class='note'>{_e(n)}</div>" for n in c.notes]
    out.append("<h2>Outlets</h2><table><tr><th>outlet</th><th>originals</th>"
               "<th>copies it carried</th><th>copies of its reports</th><th>languages</th>"
               "<th>first</th><th>tone</th></tr>")
    out += [f"<tr><td>{_e(o.outlet)}</td><td>{len(o.articles)}</td><td>{len(o.copies)}</td>"
            f"<td>{o.copied}</td><td>{_e(', '.join(o.langs))}</td><td>{_t(o.first_time)}</td>"
            f"<td>{_tone(o) if o.articles else '—'}</td></tr>" for o in c.outlets]
    out.append("</table>")
    copies = [(a, cp) for a in c.articles for cp in a.copies]
    if copies:
        out.append("<p class='meta'>Syndicated copies (reach, not independent coverage): "
                   + "; ".join(f"{_e(o)} copied {_e(a.outlet)} «{_e(a.title[:80])}»"
                               for a, (_, o, _t) in copies) + "</p>")
    out += _facts(c) + _entities(c) + _framing(c) + _timeline(c)
    out.append("</body></html>")
    return "\n".join(out)


def _facts(c: Coverage) -> list[str]:
    rows = c.reporting_outlets
    matrix = dict(zip(rows, c.fact_matrix(), strict=True))
    idx = {f.id: k for k, f in enumerate(c.facts)}
    shared = [f for f in c.facts if len(f.outlets) > 1]
    out = [f"<h2>Outlets × facts ({len(shared)} reported by several outlets, "
           f"{len(c.facts)} in all)</h2>"]
    if shared:
        out.append("<div class='wrap'><table class='m'><tr><th>fact</th><th>first</th>"
                   + "".join(f"<th class='v'>{_e(o)}</th>" for o in rows) + "</tr>")
        for f in shared:
            first = (f"{_e(f.first_outlet)}<br><span class='meta'>{_t(f.first_time)}</span>"
                     if f.first_outlet else "—")
            others = "<br>".join(f"<span class='meta'>{_e(r.outlet)}: {_e(r.text)}</span>"
                                 for r in f.reports if r.text != f.text)
            out.append(f"<tr><td><b>{_e(f.id)}</b> {_e(f.text)} <span class='meta'>(reach "
                       f"{f.reach})</span><br>{others}</td><td>{first}</td>"
                       + "".join(f"<td class='c{' y' if matrix[o][idx[f.id]] else ''}'>"
                                 f"{'✓' if matrix[o][idx[f.id]] else ''}</td>" for o in rows)
                       + "</tr>")
        out.append("</table></div>")
    for o in rows:
        own = [f for f in c.facts if f.outlets == [o]]
        if own:
            out.append(f"<details><summary>Only {_e(o)} reports ({len(own)})</summary><ul>"
                       + "".join(f"<li>{_e(f.text)}</li>" for f in own[:MAX_OWN_FACTS])
                       + ("<li>…</li>" if len(own) > MAX_OWN_FACTS else "")
                       + "</ul></details>")
    return out


def _entities(c: Coverage) -> list[str]:
    rows, ents = c.reporting_outlets, c.entities[:MAX_ENTITY_COLUMNS]
    if not ents:
        return ["<h2>Outlets × entities</h2><p>none found</p>"]
    out = ["<h2>Outlets × entities (mentions)</h2><div class='wrap'><table class='m'>"
           "<tr><th>outlet</th>"
           + "".join(f"<th class='v'>{_e(e.name)} <span class='meta'>{_e(e.label)}</span></th>"
                     for e in ents) + "</tr>"]
    for o in rows:
        out.append(f"<tr><td>{_e(o)}</td>" + "".join(
            f"<td class='c{' y' if e.outlets.get(o) else ''}'>{e.outlets.get(o, '')}</td>"
            for e in ents) + "</tr>")
    out.append("</table></div>")
    countries = [(o.outlet, o.countries) for o in c.outlets if o.countries]
    if countries:
        out.append("<p class='meta'>Countries: " + "; ".join(
            f"{_e(o)}: " + ", ".join(f"{_e(k)} {v}" for k, v in list(cs.items())[:8])
            for o, cs in countries) + "</p>")
    return out


def _framing(c: Coverage) -> list[str]:
    out = ["<h2>Framing per outlet</h2><table><tr><th>outlet</th><th>designations</th>"
           "<th>loaded terms <span class='meta'>(marked: no other outlet)</span></th>"
           "<th>attribution</th></tr>"]
    for o in c.outlets:
        if not o.articles:
            continue
        distinct = set(o.distinctive)
        desig = "<br>".join(
            f"{_e(r)}: " + ", ".join(
                (f"<span class='term'>{_e(d)}</span>" if (r, d) in distinct else _e(d))
                + f" ×{n}" for d, n in ds.items()) for r, ds in o.designations.items())
        only = {t.term for t in o.framing.loaded_only_here}
        loaded = ", ".join((f"<span class='term'>{_e(t.term)}</span>" if t.term in only
                            else _e(t.term)) + f" ×{t.count}" for t in o.framing.loaded)
        attr = ", ".join(f"{_e(k)} {v}" for k, v in o.framing.attribution.items())
        out.append(f"<tr><td>{_e(o.outlet)}</td><td>{desig or '—'}</td><td>{loaded or '—'}"
                   f"</td><td>{attr or '—'}</td></tr>")
    out.append("</table>")
    return out


def _timeline(c: Coverage) -> list[str]:
    out = ["<h2>Timeline</h2><table><tr><th>published</th><th>after the first</th>"
           "<th>outlet</th><th>article</th><th>facts it reported first</th></tr>"]
    facts = {f.id: f for f in c.facts}
    for t in c.timeline:
        when = _t(t.published) if t.published else "undated"
        h = _hours(t.hours_after_first)
        shared = "<br>".join(f"{_e(i)}: {_e(facts[i].text[:120])}" for i in t.new_facts
                             if len(facts[i].outlets) > 1)
        own = len(t.new_facts) - sum(1 for i in t.new_facts if len(facts[i].outlets) > 1)
        new = (f"copy of {_e(t.copy_of)}" if t.copy_of else
               shared + (f"<br><span class='meta'>+ {own} only it reports</span>" if own
                         else "") if shared else f"{own} only it reports" if own else "—")
        out.append(f"<tr><td>{_e(when)}</td><td>{h}</td><td>{_e(t.outlet)}</td>"
                   f"<td>{_e(t.article)}</td><td>{new}</td></tr>")
    out.append("</table>")
    return out
