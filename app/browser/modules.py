"""Loads the customer's Python modules listed in the settings (`"modules": [...]`).

Each file is fetched from the chat's own site (app/chat/settings.py allows nothing else), written
into the interpreter's file system as a module of the package `gcw_custom`, and imported. A module
that cannot be fetched, compiled or imported is reported in the console and skipped: the chat then
draws with its default look rather than not at all.
"""
import asyncio
import os

import js
from pyscript import fetch

PACKAGE = "gcw_custom"


def load(urls, on_done, guarded):
    asyncio.create_task(_load(list(urls), on_done, guarded))


async def _load(urls, on_done, guarded):
    modules = []
    try:
        os.mkdir(PACKAGE)
    except OSError:
        pass
    with open(PACKAGE + "/__init__.py", "w") as handle:
        handle.write("")
    for url in urls:
        name = url.rsplit("/", 1)[-1][:-3]
        try:
            response = await fetch(url, cache="no-cache")
            source = str(await response.text())  # read even on an error, so the request completes
            if int(response.status) != 200:
                raise OSError("HTTP %s" % response.status)
            with open(PACKAGE + "/" + name + ".py", "w") as handle:
                handle.write(source)
            modules.append(__import__(PACKAGE + "." + name, None, None, ["*"]))
        except Exception as exc:  # the customer's file: say why, keep the chat going
            js.console.error("chat: module %s not loaded (%s: %s); drawing with the default look instead"
                             % (url, type(exc).__name__, exc))
    guarded(on_done)(modules)
