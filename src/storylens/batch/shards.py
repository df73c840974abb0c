"""Inputs -> shards: contiguous pieces of the input order a worker can read on its own.

A plain JSONL file longer than one shard is cut into line ranges (the driver scans it once
for the byte offset of each range, so a worker seeks straight there); a WARC archive is one
shard per file (a Common Crawl file holds ~40,000 records: enough work per task); other
files (text, HTML, gzipped JSONL) are grouped ``shard_size`` files to a shard. Workers
read a shard with the same readers ``ingest`` uses, so sources, ids and refusals are the
same line for line. Shards keep the input order: shard ``k`` holds what ``ingest`` would
read after everything in shards ``< k``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from storylens.errors import InputError
from storylens.ingest.bounds import bounded_lines, label, loads_record
from storylens.ingest.files import InputFormat, expand_paths, raw_from_json, read_inputs
from storylens.ingest.warc import is_warc_path
from storylens.records import RawDoc


@dataclass(frozen=True, slots=True)
class Shard:
    """One task's share of the inputs: whole files, or a line range of one JSONL file."""

    index: int
    paths: tuple[str, ...] = ()
    """Whole files, read as ``ingest`` reads them."""
    jsonl: str | None = None
    """Or: a plain JSONL file, read from ``offset`` for ``n_lines`` physical lines,
    the first being line ``first_line`` (1-based, as the sources name them)."""
    offset: int = 0
    first_line: int = 1
    n_lines: int = 0
    fmt: InputFormat = "auto"
    max_bytes: int = 20_000_000

    def describe(self) -> str:
        """Where this shard's inputs are, for a failure line."""
        if self.jsonl:
            return f"{label(self.jsonl)}:{self.first_line}-{self.first_line + self.n_lines - 1}"
        more = f" and {len(self.paths) - 1} more" if len(self.paths) > 1 else ""
        return f"{label(self.paths[0])}{more}" if self.paths else f"shard {self.index}"


@dataclass(slots=True)
class Plan:
    """The shards of a batch and the inputs refused before any was read."""

    shards: list[Shard] = field(default_factory=list)
    refused: list[InputError] = field(default_factory=list)
    articles_hint: int | None = 0
    """How many JSONL lines and files the shards hold (``None`` when WARC archives make
    it unknowable before reading), for a progress bar."""


def plan_shards(paths: Iterable[str], *, shard_size: int = 500, fmt: InputFormat = "auto",
                max_bytes: int = 20_000_000) -> Plan:
    """Cut ``paths`` (files and folders, as ``ingest`` takes them) into shards."""
    plan = Plan()
    group: list[str] = []

    def add(**kw: object) -> None:
        plan.shards.append(Shard(index=len(plan.shards), fmt=fmt, max_bytes=max_bytes,
                                 **kw))  # type: ignore[arg-type]

    def close_group() -> None:
        if group:
            add(paths=tuple(group))
            group.clear()

    for p in expand_paths(paths):
        if isinstance(p, InputError):
            plan.refused.append(p)
            continue
        if p == "-":
            plan.refused.append(InputError("<stdin>", "batch reads files, not stdin; pipe "
                                                      "into `storylens ingest -` instead"))
            continue
        if fmt == "auto" and is_warc_path(p):
            close_group()
            add(paths=(p,))
            plan.articles_hint = None
            continue
        ranges = _jsonl_ranges(p, shard_size, max_bytes) if _is_plain_jsonl(p, fmt) else None
        if ranges:
            close_group()
            for offset, first, n in ranges:
                add(jsonl=p, offset=offset, first_line=first, n_lines=n)
            if plan.articles_hint is not None:
                plan.articles_hint += sum(n for _, _, n in ranges)
            continue
        group.append(p)
        if plan.articles_hint is not None:
            plan.articles_hint += 1
        if len(group) >= shard_size:
            close_group()
    close_group()
    return plan


def _is_plain_jsonl(p: str, fmt: InputFormat) -> bool:
    if not (fmt == "jsonl" or (fmt == "auto" and p.lower().endswith((".jsonl", ".ndjson")))):
        return False
    try:
        with open(p, "rb") as fh:
            return fh.read(2) != b"\x1f\x8b"
    except OSError:
        return False  # read as a whole file: the reader reports why it cannot be read


def _jsonl_ranges(p: str, shard_size: int, max_bytes: int) -> list[tuple[int, int, int]]:
    """``(byte offset, first line, physical lines)`` per range of ``shard_size`` non-blank
    lines; empty when the file has no non-blank line (the whole-file reader reports it)."""
    out: list[tuple[int, int, int]] = []
    try:
        with open(p, "rb") as fh:
            start, first, lineno, count, any_line = 0, 1, 0, 0, False
            for line in bounded_lines(fh, max_bytes):
                lineno += 1
                if line is None or line.strip():
                    count += 1
                    any_line = True
                if count >= shard_size:
                    pos = fh.tell()
                    out.append((start, first, lineno - first + 1))
                    start, first, count = pos, lineno + 1, 0
            if lineno >= first:
                out.append((start, first, lineno - first + 1))
    except OSError:
        return []
    return out if any_line else []


def read_shard(shard: Shard, skipped: Counter[str]) -> Iterator[RawDoc | InputError]:
    """The items of ``shard``, as ``ingest`` would read them."""
    if shard.jsonl is None:
        yield from read_inputs(shard.paths, fmt=shard.fmt, max_bytes=shard.max_bytes,
                               skipped=skipped)
        return
    where = label(shard.jsonl)
    try:
        with open(shard.jsonl, "rb") as fh:
            fh.seek(shard.offset)
            lines = bounded_lines(fh, shard.max_bytes)
            for i in range(shard.n_lines):
                line = next(lines, b"")
                lineno = shard.first_line + i
                if line is None or len(line) > shard.max_bytes:
                    yield InputError(f"{where}:{lineno}", f"line is over the limit ("
                                     f"{shard.max_bytes / 1_000_000:.1f} MB, --max-bytes); "
                                     "skipped")
                    continue
                if not line.strip():
                    continue
                try:
                    yield raw_from_json(loads_record(line, f"{where}:{lineno}"),
                                        f"{where}:{lineno}")
                except InputError as e:
                    yield e
    except OSError as e:
        yield InputError(where, f"cannot read ({getattr(e, 'strerror', None) or e}); the "
                                "lines before were read")
