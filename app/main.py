"""The page's script: lays out the app's modules and starts app/browser/wiring.py. No logic lives here.

The start is cut into several tasks, the browser getting its main thread back in between:
PyScript's own start-up, laying out the pack, the chat's boot and the drawing code are each a short
task instead of one long one blocking the page (and the host page around an embedded chat). A
timer is awaited, not asyncio.sleep(0): on MicroPython that resumes in the same task.

The settings and the deployment config are asked for before the controller is imported, and the
chat boots (the socket too, when the panel is open or a session exists) before the drawing code
is imported, so those round trips overlap the rest of the start.
Each step leaves a performance mark ("chat:...") for bench/phases.py.
"""
import asyncio
import json
import os


ROMFS_HEADER = b"\xd2\xcd\x31"  # MicroPython's pack is a ROMFS image (proxy/pack.py)


def _lay_out(name="app.pack"):
    """Makes the app's modules, in the one file PyScript fetched, importable as `app...`."""
    import sys

    if "/app-pack" in sys.path:  # mounted already by static/boot.js, before PyScript's own Python
        return
    data = bytearray(os.stat(name)[6])  # read at once into its final size (read() grows it in steps)
    with open(name, "rb") as handle:
        handle.readinto(data)
    if data[:3] == ROMFS_HEADER:
        _mount(data)
    else:
        _unpack(data)


def _mount(data):
    """MicroPython: the image is mounted as a read-only file system and put first on sys.path. Its
    bytecode is imported where it lies, and a name not in it is a lookup in memory, not a failed
    stat() on Emscripten's file system (see proxy/pack.py)."""
    import sys
    import vfs

    vfs.mount(vfs.VfsRom(data), "/app-pack")
    sys.path.insert(0, "/app-pack")


def _unpack(data):
    """Pyodide: the pack (a JSON line of [path, size] pairs, then the files' bytes) is written out
    as files under the working folder."""
    end = data.index(b"\n")
    files = json.loads(bytes(data[:end]))
    data = memoryview(data)  # each file is written from a view, not a copy
    made = set()
    at = end + 1
    for path, size in files:
        folder = ""
        for part in path.split("/")[:-1]:
            folder = folder + "/" + part if folder else part
            if folder not in made:
                made.add(folder)
                try:
                    os.mkdir(folder)
                except OSError:  # already there
                    pass
        with open(path, "wb") as out:
            out.write(data[at:at + size])
        at += size


def _next_task():
    """A promise the browser resolves from its task queue, after whatever else is waiting."""
    import js

    return js.Promise.new(lambda resolve, reject: js.setTimeout(resolve, 0))


def _mark(name):
    import js

    js.performance.mark("chat:" + name)


def _collect_less_often():
    """MicroPython collects garbage after every 16 KB allocated, marking everything alive each time:
    with a long conversation in memory that made each new message cost more than the last (10,000
    messages took two minutes to take in). After every megabyte instead. (Pyodide's gc differs.)"""
    import gc

    if hasattr(gc, "threshold"):
        gc.threshold(1024 * 1024)


async def _start():
    _collect_less_often()
    try:
        await _next_task()  # PyScript's own start-up ends its task here
        _mark("unpack")
        _lay_out()
        _mark("unpacked")
        await _next_task()
        from app.browser import wiring  # the edge, the string table and (in boot) the controller
        _mark("modules")
    except Exception as exc:  # a broken pack or module: say so where a developer looks
        import js

        js.console.error("chat: could not start: %s: %s" % (type(exc).__name__, exc))
        raise
    if not wiring.prefetch():  # the settings, then the deployment config; shows its own notice if it fails
        return
    await _next_task()
    if not wiring.boot():  # the controller; shows its own notice if it fails
        return
    _mark("booted")
    await _next_task()
    wiring.start()  # the drawing code and the panel's listeners
    _mark("wired")


if __name__ == "__main__":  # the page's script; tests/runtimes/run.mjs imports this file for _lay_out
    _mark("script")
    asyncio.create_task(_start())
