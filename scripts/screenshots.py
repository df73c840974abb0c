"""Screenshots of the story pages for the README: stories, one story, one compare page.

Builds a store from ``samples/news-sample.jsonl`` plus the two example articles (given an
outlet and a publication date through a JSONL file), ingests it with the real
``storylens ingest`` (which clusters), starts ``storylens serve`` on a free loopback port
and captures 1280x800 PNGs with Playwright driving Debian's ``/usr/bin/chromium``::

    python scripts/screenshots.py            # writes docs/screenshots/*.png
    python scripts/screenshots.py --out DIR --full-page
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.serverproc import SAMPLE, ServerProcess  # noqa: E402

EXAMPLES = ROOT / "tests" / "fixtures" / "examples"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
EXTRA = [
    {"file": "presstv-2022-02-mossad-ankara-hamas.fr.txt", "outlet": "presstv.ir",
     "published": "2022-02-02", "title": "Mossad: Ankara prêt à expulser le Hamas"},
    {"file": "jforum-2022-10-gantz-erdogan-hamas.fr.txt", "outlet": "jforum.fr",
     "published": "2022-10-24",
     "title": "Israël exhorte Erdogan à évincer le Hamas alors que la Turquie regarde les "
              "technologies de sécurité israéliennes"},
]


def build_store(work: Path) -> Path:
    """The sample corpus and the two examples, ingested and clustered by the CLI."""
    corpus = work / "corpus.jsonl"
    lines = SAMPLE.read_text("utf-8").splitlines()
    for ex in EXTRA:
        text = (EXAMPLES / ex["file"]).read_text("utf-8")
        lines.append(json.dumps({"text": text, "outlet": ex["outlet"], "lang": "fr",
                                 "published": ex["published"], "title": ex["title"],
                                 "id": ex["file"]}, ensure_ascii=False))
    corpus.write_text("\n".join(lines) + "\n", "utf-8")
    db = work / "store.db"
    subprocess.run([sys.executable, "-c", "from storylens.cli.app import main; main()",
                    "ingest", str(corpus), "--db", str(db), "--no-progress"], check=True,
                   cwd=ROOT)
    return db


def example_ids(base: str) -> tuple[str, str]:
    """Ids of the presstv and jforum articles in the running server."""
    found = {}
    for outlet in ("presstv.ir", "jforum.fr"):
        rows = httpx.get(f"{base}/api/v1/articles", params={"outlet": outlet}).json()
        found[outlet] = rows["articles"][0]["id"]
    return found["presstv.ir"], found["jforum.fr"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--full-page", action="store_true", help="Capture whole pages.")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = build_store(Path(tmp))
        with ServerProcess(db) as srv, sync_playwright() as p:
            presstv, jforum = example_ids(srv.base)
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{srv.base}/?level=storyline&sort=size")
            page.screenshot(path=str(args.out / "stories.png"), full_page=args.full_page)
            page.goto(f"{srv.base}/articles/{jforum}")
            page.locator(".story-links a[data-level=storyline]").first.click()
            page.wait_for_url("**/stories/*", timeout=60_000)
            page.screenshot(path=str(args.out / "story.png"), full_page=args.full_page)
            page.goto(f"{srv.base}/compare?a={presstv}&b={jforum}", timeout=120_000)
            page.screenshot(path=str(args.out / "compare.png"), full_page=args.full_page)
            browser.close()
    for name in ("stories", "story", "compare"):
        print(args.out / f"{name}.png")


if __name__ == "__main__":
    main()
