"""WARC ingest throughput: pages/s from a generated Common-Crawl-like news WARC.

Common Crawl's news WARCs hold, per capture, a ``request``, a ``response`` and a
``metadata`` record; some responses are not HTML (images, feeds) and some captures are
``revisit`` records. This writes such an archive (``--pages`` HTML pages of several
paragraphs drawn from a fixed vocabulary, seeded, so every run reads the same bytes)
and measures two numbers in a fresh temporary SQLite store, single process:

- read: WARC records -> ``RawDoc`` pages (warcio parsing, bounds, charset decoding);
- ingest: the whole ``storylens ingest FILE.warc.gz --no-cluster`` path (read, HTML
  extraction, cleaning, language, dates, store).

    python benchmarks/warc_ingest.py [--pages 2000] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storylens.api import ingest
from storylens.ingest.warc import read_warc
from storylens.records import RawDoc
from storylens.store import open_store

WORDS = (
    "council", "minister", "city", "vote", "budget", "river", "flood", "police", "court",
    "trial", "election", "school", "hospital", "workers", "strike", "union", "company",
    "market", "prices", "energy", "gas", "oil", "government", "parliament", "mayor",
    "president", "report", "officials", "said", "on", "Monday", "Tuesday", "after",
    "before", "during", "the", "a", "of", "and", "in", "to", "for", "with", "new", "plan",
    "law", "debate",
)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(10, 24))]
    return " ".join(words).capitalize() + "."


def _page(rng: random.Random, i: int) -> bytes:
    title = " ".join(rng.choice(WORDS) for _ in range(7)).capitalize()
    paras = "".join(f"<p>{' '.join(_sentence(rng) for _ in range(rng.randint(2, 5)))}</p>"
                    for _ in range(rng.randint(4, 9)))
    nav = "".join(f'<li><a href="/s/{k}">Section {k}</a></li>' for k in range(12))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title} #{i}</title>"
            f"<meta property='og:site_name' content='Outlet {i % 40}'></head><body>"
            f"<nav><ul>{nav}</ul></nav><article><h1>{title} #{i}</h1>{paras}</article>"
            f"<footer>© Outlet {i % 40}. All rights reserved.</footer></body></html>"
            ).encode()


def write_archive(path: Path, pages: int, seed: int = 7) -> Counter[str]:
    """Write the archive; how many records of each kind it holds."""
    rng = random.Random(seed)
    kinds: Counter[str] = Counter()
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for i in range(pages):
            url = f"https://outlet{i % 40}.example/news/2024/03/{i:06d}-story.html"
            date = f"2024-03-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"
            req = StatusAndHeaders("GET / HTTP/1.1", [("Host", f"outlet{i % 40}.example")],
                                   is_http_request=True)
            w.write_record(w.create_warc_record(url, "request", payload=io.BytesIO(b""),
                                                http_headers=req,
                                                warc_headers_dict={"WARC-Date": date}))
            if i % 10 == 9:  # one capture in ten: already seen, a revisit
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                        protocol="HTTP/1.1")
                w.write_record(w.create_revisit_record(url, digest="sha1:AAAA",
                                                       refers_to_uri=url, refers_to_date=date,
                                                       http_headers=http))
                kinds["revisit"] += 1
            else:
                ctype, body = (("image/jpeg", b"\xff\xd8\xff" + rng.randbytes(2000))
                               if i % 10 == 4 else ("text/html; charset=utf-8", _page(rng, i)))
                http = StatusAndHeaders("200 OK", [("Content-Type", ctype)],
                                        protocol="HTTP/1.1")
                w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                    http_headers=http,
                                                    warc_headers_dict={"WARC-Date": date}))
                kinds["html" if ctype.startswith("text/html") else "non-html"] += 1
            w.write_record(w.create_warc_record(url, "metadata",
                                                payload=io.BytesIO(b"fetchTimeMs: 120\r\n"),
                                                warc_content_type="application/warc-fields"))
            kinds["request"] += 1
            kinds["metadata"] += 1
    return kinds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=2000, help="captures to write")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "news.warc.gz"
        kinds = write_archive(path, args.pages)
        records = sum(kinds.values())
        t0 = time.perf_counter()
        read = sum(1 for item in read_warc(str(path)) if isinstance(item, RawDoc))
        t_read = time.perf_counter() - t0
        with open_store(Path(tmp) / "s.db") as store:
            t0 = time.perf_counter()
            report = ingest([str(path)], store)
            t_ingest = time.perf_counter() - t0
    result = {
        "records": records, "html_pages": kinds["html"],
        "read_pages": read, "read_s": round(t_read, 2),
        "read_pages_per_s": round(read / t_read, 1),
        "ingested": len(report.ingested), "failed": len(report.failed),
        "skipped": report.skipped, "ingest_s": round(t_ingest, 2),
        "ingest_pages_per_s": round(len(report.ingested) / t_ingest, 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
                   f"{platform.python_version()}",
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{records} records ({kinds['html']} HTML pages): read {result['read_pages_per_s']}"
              f" pages/s; ingest {result['ingest_pages_per_s']} pages/s "
              f"({result['ingested']} stored, {result['failed']} failed, skipped "
              f"{sum(report.skipped.values())}) on {result['machine']}")
    return 0 if report.ok and result["ingested"] == kinds["html"] else 1


if __name__ == "__main__":
    sys.exit(main())
