"""A self-contained side-by-side HTML page for a ``Comparison`` (inline CSS, no scripts).

Every piece of article-derived text goes through ``html.escape``; the page loads nothing
from anywhere, so it can be mailed or archived as one file.
"""

from __future__ import annotations

from html import escape

from storylens.compare.facts import FactSentence
from storylens.compare.pair import Comparison

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1200px;color:#222}
h1{font-size:1.3rem}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid #ddd}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:1.2rem}
.pair{display:grid;grid-template-columns:1fr 4rem 1fr;gap:.6rem;padding:.3rem 0;
border-bottom:1px dotted #ccc}.sim{color:#777;text-align:center}
.only{background:#f6f8ff;padding:.3rem .5rem;margin:.2rem 0;border-left:3px solid #89a}
.note{background:#fff7d6;padding:.4rem .6rem;margin:.3rem 0}
table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;
text-align:left}.meta{color:#666;font-size:.9rem}.term{background:#fde2e2;padding:0 .2rem}
"""


def _e(s: object) -> str:
    return escape(str(s), quote=True)


def _sent(s: FactSentence) -> str:
    ents = f' <span class="meta">[{_e(", ".join(s.entities[:6]))}]</span>' if s.entities else ""
    return f"{_e(s.text)}{ents}"


def render_comparison_html(c: Comparison) -> str:
    """The whole page as a string."""
    out: list[str] = ["<!doctype html><html><head><meta charset='utf-8'>",
                      f"<title>{_e(c.a.title)} vs {_e(c.b.title)}</title>",
                      f"<style>{_CSS}</style></head><body>", "<h1>Comparison</h1>",
                      "<div class='cols'>"]
    for tag, art in (("A", c.a), ("B", c.b)):
        when = art.published.date().isoformat() if art.published else "date unknown"
        out.append(f"<div><strong>{tag}: {_e(art.title)}</strong><div class='meta'>"
                   f"{_e(art.outlet or art.source)} · {_e(art.lang or '?')} · {_e(when)}"
                   "</div></div>")
    out.append("</div>")
    out += [f"<div class='note'>{_e(n)}</div>" for n in c.notes]
    rows = [(n, v) for n, v in (("same event", c.same_event),
                                ("same storyline", c.same_storyline)) if v]
    if rows:
        out.append("<h2>Verdicts</h2><table><tr><th></th><th>p</th><th>threshold</th>"
                   "<th>verdict</th><th>decided by</th></tr>")
        out += [f"<tr><td>{_e(n)}</td><td>{v.probability:.2f}</td><td>{v.threshold:.2f}"
                f"</td><td>{'yes' if v.decision else 'no'}</td><td>{_e(_by(v.source))}"
                "</td></tr>" for n, v in rows]
        out.append("</table>")
    if c.dimensions:
        out.append("<h2>Dimensions <span class='meta'>(1 = very similar, 4 = very "
                   "dissimilar)</span></h2><table>")
        out += [f"<tr><td>{_e(d.name)}</td><td>{d.score:.2f}</td><td>{_e(d.label)}</td></tr>"
                for d in c.dimensions.values()]
        out.append("</table>")
    f = c.facts
    out.append(f"<h2>Shared facts ({len(f.shared)})</h2>")
    out += [f"<div class='pair'><div>{_sent(p.a)}</div><div class='sim'>"
            f"{p.similarity:.2f}</div><div>{_sent(p.b)}</div></div>" for p in f.shared]
    out.append("<div class='cols'>")
    for tag, only in (("A", f.only_a), ("B", f.only_b)):
        out.append(f"<div><h2>Only in {tag} ({len(only)})</h2>")
        out += [f"<div class='only'>{_sent(s)}</div>" for s in only]
        out.append("</div>")
    out.append("</div><h2>Framing</h2>")
    if c.framing.substitutions:
        out.append("<table><tr><th>referent</th><th>A says</th><th>B says</th>"
                   "<th>evidence</th></tr>")
        out += [f"<tr><td>{_e(s.referent)}</td><td><span class='term'>{_e(s.a)}</span> "
                f"×{s.a_count}</td><td><span class='term'>{_e(s.b)}</span> ×{s.b_count}</td>"
                f"<td class='meta'>{_e(s.source)}</td></tr>" for s in c.framing.substitutions]
        out.append("</table>")
    out.append("<div class='cols'>")
    for tag, side, tone in (("A", c.framing.a, c.tone_a), ("B", c.framing.b, c.tone_b)):
        out.append(f"<div><h2>{tag}: words and tone</h2>")
        out += [f"<div><span class='term'>{_e(t.term)}</span> ×{t.count} "
                f"<span class='meta'>{_e(t.category)} — {_e(t.context)}</span></div>"
                for t in side.loaded_only_here]
        attr = ", ".join(f"{k} {v}" for k, v in side.attribution.items()) or "none found"
        out.append(f"<p>Attribution: {_e(attr)}</p>")
        words = ", ".join(w for w, _ in tone.negative[:5] + tone.positive[:5])
        out.append(f"<p>Tone {tone.score:+.2f} ({_e(tone.label)}, {_e(tone.method)})"
                   f"{': ' + _e(words) if words else ''}</p></div>")
    out.append("</div></body></html>")
    return "\n".join(out)


def _by(source: str) -> str:
    return "stored clusters" if source == "clusters" else "pair model"
