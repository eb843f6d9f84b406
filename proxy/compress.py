"""Gzip for the page's files, made once per file version and kept in memory.

The MicroPython page's first load is ~1.2 MB as stored, ~0.5 MB gzipped (the wasm alone 446 →
197 KB; Pyodide's 13.8 MB → ~5 MB). Browsers all accept gzip; brotli and zstd would save a little
more but need a non-stdlib compressor, and any production host (nginx `gzip on`, a CDN) does this
itself. Compressing Pyodide's 8 MB wasm takes a few hundred ms, so it is done once per
(path, mtime, size) in a worker thread and the bytes are kept, up to MAX_CACHED_BYTES in all.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from pathlib import Path

import anyio.to_thread

# Text and wasm shrink a lot; images, fonts and zips (already compressed) do not.
COMPRESSIBLE = {".html", ".js", ".mjs", ".css", ".json", ".wasm", ".py", ".toml", ".txt", ".map", ".svg", ".pack"}
MIN_BYTES = 1024  # smaller answers are not worth a header and a CPU pass
MAX_CACHED_BYTES = 64 * 1024 * 1024
LEVEL = 6

_cache: OrderedDict[tuple, bytes] = OrderedDict()
_size = 0
_lock = threading.Lock()


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip (q=0 refuses it)."""
    for item in (accept_encoding or "").split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip().lower()
            return not (q.startswith("q=") and _q(q[2:]) == 0)
    return False


def _q(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 1.0


def worth_it(path: Path | str, size: int) -> bool:
    return Path(path).suffix.lower() in COMPRESSIBLE and size >= MIN_BYTES


def gzip_bytes(data: bytes) -> bytes:
    # mtime=0: the same input always gives the same bytes (stable ETags, reproducible tests).
    return gzip.compress(data, compresslevel=LEVEL, mtime=0)


def _cached(key: tuple, make) -> bytes:
    global _size
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    body = make()
    with _lock:
        if key not in _cache:
            _cache[key] = body
            _size += len(body)
            while _size > MAX_CACHED_BYTES and len(_cache) > 1:
                _, old = _cache.popitem(last=False)
                _size -= len(old)
    return body


async def gzipped_file(path: Path, mtime_ns: int, size: int) -> bytes:
    """The gzip of a file as it is on disk now (cached per version)."""
    key = ("file", str(path), mtime_ns, size)
    return await anyio.to_thread.run_sync(_cached, key, lambda: gzip_bytes(Path(path).read_bytes()))


def gzipped_body(tag: str, body: bytes) -> bytes:
    """The gzip of bytes built in memory, cached by their ETag (the app packs)."""
    return _cached(("body", tag), lambda: gzip_bytes(body))
