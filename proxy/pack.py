"""The app's Python as one file, `static/app.pack`, which PyScript fetches in one request.

The chat is ~30 small modules. Listed one by one in PyScript's `[files]`, each cost a round trip at
start-up (measured: about 9 ms a file in Chromium here, 280 ms in all on a cold MicroPython start);
one file costs one. `app/main.py` lays the modules out again before it imports them.

The format is deliberately trivial, so the page can read it with nothing but `open` and `json`
on both interpreters: one line of JSON, `[[path, size in bytes], ...]`, then every file's bytes in
that order. PyScript's own zip unpacking was measured too and is slower here: it loads a 160 KB
zip library and spent ~160 ms unpacking 31 entries.

`make` writes the file (it is git-ignored, like the runtime in static/pyscript), so any static
host can serve the checkout. The development proxy builds it from app/ on every request
instead, so editing app/ and reloading is enough there.

    python -m proxy pack [--check]
"""

from __future__ import annotations

import json
from pathlib import Path

TARGET = ("static", "app.pack")


def sources(root: Path) -> list[str]:
    """Every module under app/ except main.py (the page loads that as its script) and hidden or
    cached files, sorted."""
    app = root / "app"
    found = []
    for p in app.rglob("*.py"):
        rel = p.relative_to(root)
        if p != app / "main.py" and not any(x.startswith(".") or x == "__pycache__" for x in rel.parts):
            found.append(rel.as_posix())
    return sorted(found)


def build(root: Path) -> bytes:
    paths = sources(Path(root))
    blobs = [(Path(root) / p).read_bytes() for p in paths]
    index = json.dumps([[p, len(b)] for p, b in zip(paths, blobs)], separators=(",", ":"))
    return index.encode("ascii") + b"\n" + b"".join(blobs)


def unpack(data: bytes) -> dict[str, bytes]:
    """The reverse of build, as the page does it (used by tests)."""
    end = data.index(b"\n")
    files, at = {}, end + 1
    for path, size in json.loads(data[:end]):
        files[path] = data[at:at + size]
        at += size
    if at != len(data):
        raise ValueError("trailing bytes after the last file")
    return files


def target(root: Path) -> Path:
    return Path(root).joinpath(*TARGET)


def write(root: Path) -> bool:
    """Writes static/app.pack if its contents would change; returns whether it did."""
    path, data = target(root), build(root)
    if path.is_file() and path.read_bytes() == data:
        return False
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def is_fresh(root: Path) -> bool:
    path = target(root)
    return path.is_file() and path.read_bytes() == build(root)
