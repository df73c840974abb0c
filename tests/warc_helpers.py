"""Write small WARC archives for tests: responses, requests, revisits, warcinfo."""

from __future__ import annotations

import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PAGE = ("<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        "<p>{body}</p><p>The council will meet again next week to vote on the final "
        "plan, officials said on Tuesday.</p></article></body></html>")


def page(title: str, body: str) -> bytes:
    return PAGE.format(title=title, body=body).encode("utf-8")


def write_warc(path: Path, records: list[dict[str, object]], *, gzip: bool = True) -> Path:
    """Each record: kind (response/request/revisit/warcinfo), url, body, ctype, status,
    date."""
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=gzip)
        for r in records:
            kind = str(r.get("kind", "response"))
            url = str(r.get("url", "https://news.example/a"))
            date = str(r.get("date", "2024-03-05T10:00:00Z"))
            body = r.get("body", b"")
            assert isinstance(body, bytes)
            if kind == "warcinfo":
                rec = w.create_warcinfo_record(path.name, {"software": "tests"})
            elif kind == "request":
                http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example")],
                                        is_http_request=True)
                rec = w.create_warc_record(url, "request", payload=io.BytesIO(b""),
                                           http_headers=http,
                                           warc_headers_dict={"WARC-Date": date})
            elif kind == "revisit":
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                        protocol="HTTP/1.1")
                rec = w.create_revisit_record(url, digest="sha1:AAAA", refers_to_uri=url,
                                              refers_to_date=date, http_headers=http)
            else:
                headers = [("Content-Type", str(r.get("ctype", "text/html; charset=utf-8")))]
                http = StatusAndHeaders(f"{r.get('status', 200)} X", headers,
                                        protocol="HTTP/1.1")
                rec = w.create_warc_record(url, "response", payload=io.BytesIO(body),
                                           http_headers=http,
                                           warc_headers_dict={"WARC-Date": date})
            w.write_record(rec)
    return path
