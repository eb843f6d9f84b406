"""Standing rules of the code base, checked so they cannot drift."""
import ast
import pathlib
import re
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
APP = ROOT / "app"
LAYERS = {"protocol": set(), "chat": {"protocol"}, "browser": {"chat", "protocol"}}
BANNED_MODULES = {"dataclasses", "enum", "typing", "__future__", "asyncio_", "uuid"}


def _py(folder):
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            yield node.module or ""


def test_both_pyscript_configs_fetch_the_app_as_one_pack_holding_every_module():
    from proxy import pack

    for name, pack_file in (("pyscript.toml", "./static/app.mpy.pack"), ("pyscript.pyodide.toml", "./static/app.pack")):
        files = tomllib.loads((ROOT / name).read_text())["files"]
        assert files == {pack_file: "./app.pack"}, name
    wanted = {str(p.relative_to(ROOT)) for p in _py(APP) if p.name != "main.py"}
    packed = pack.unpack(pack.build(ROOT))
    assert set(packed) == wanted
    assert all(packed[p] == (ROOT / p).read_bytes() for p in packed)


def test_the_bytecode_pack_holds_pyscripts_own_package_exactly_as_the_served_pyscript_writes_it(tmp_path):
    """static/boot.js mounts the pack before PyScript's Python runs, so PyScript imports its
    `pyscript` package from it, compiled: only the very sources the served runtime holds."""
    from proxy import pack

    package = pack.pyscript_package(ROOT)
    assert {"pyscript/__init__.py", "pyscript/context.py", "pyscript/ffi.py"} <= set(package)
    packed = pack.unpack(pack.build(ROOT, "bytecode"))
    assert {p[:-3] + ".mpy" for p in package} <= set(packed)
    assert all(packed[p[:-3] + ".mpy"][:2] == b"M\x06" for p in package)
    # Another PyScript served (its bundle lacks these sources): nothing of it is compiled.
    (tmp_path / "static" / "pyscript").mkdir(parents=True)
    (tmp_path / "static" / "pyscript" / "core-other.js").write_text('export default {"pyscript": {}}')
    assert pack.pyscript_package(tmp_path) == {}


def test_layers_import_one_way_and_only_the_edge_touches_the_browser():
    for layer, allowed in LAYERS.items():
        for path in _py(APP / layer):
            for module in _imports(path):
                top = module.split(".")
                if top[0] == "app" and len(top) > 1:
                    assert top[1] == layer or top[1] in allowed, "%s imports %s" % (path, module)
                if layer != "browser":
                    assert top[0] not in ("js", "pyscript", "pyodide", "asyncio"), "%s imports %s" % (path, module)


def test_app_stays_inside_the_micropython_subset():
    for path in _py(APP):
        for module in _imports(path):
            assert module.split(".")[0] not in BANNED_MODULES, "%s imports %s" % (path, module)
        tree = ast.parse(path.read_text())
        assert not any(type(n).__name__ == "Match" for n in ast.walk(tree)), path


def test_no_html_assignment_in_app():
    pattern = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write")
    for path in _py(APP):
        assert not pattern.search(path.read_text()), path


# str methods MicroPython does not have (its str: center, count, encode, endswith, find, format, index,
# isalpha, isdigit, islower, isspace, isupper, join, lower, lstrip, partition, replace, rfind, rindex,
# rpartition, rsplit, rstrip, split, splitlines, startswith, strip, upper).
MISSING_STR_METHODS = ("isalnum", "casefold", "capitalize", "zfill", "ljust", "rjust", "title", "removeprefix",
                       "removesuffix", "isidentifier", "isnumeric", "isdecimal", "isprintable", "istitle",
                       "swapcase", "translate", "maketrans", "expandtabs")


def test_app_calls_no_str_method_micropython_lacks():
    pattern = re.compile(r"\.(%s)\(" % "|".join(MISSING_STR_METHODS))
    for path in _py(APP):
        found = pattern.findall(path.read_text())
        assert not found, "%s calls %s (not in MicroPython's str)" % (path, found)


def test_preload_hints_name_files_that_exist():
    """index.html's modulepreload links (PyScript's hashed chunk names) and boot.js's PRELOAD list
    must name files of the pinned runtime and the page: a stale name would cost a wasted request
    and the start-up it was meant to save. (`make` installs static/pyscript from package-lock.json.)"""
    html = (ROOT / "index.html").read_text()
    hrefs = re.findall(r'<link rel="modulepreload" href="([^"]+)">', html)
    assert "static/pyscript/core.js" in hrefs and len(hrefs) >= 2
    boot = (ROOT / "static" / "boot.js").read_text()
    listed = re.findall(r'\["(?:fetch|modulepreload)", "([^"]+)"\]', boot)
    assert "static/app.mpy.pack" in listed and "static/pyscript/micropython/micropython.wasm" in listed
    for path in hrefs + listed:
        if path.startswith("static/app"):
            continue  # the packs are built by `make pack` (and by the development proxy on request)
        assert (ROOT / path).is_file(), path
    for name in ("pyscript.toml", "pyscript.pyodide.toml"):
        toml = tomllib.loads((ROOT / name).read_text())
        runtime = "micropython" if name == "pyscript.toml" else "pyodide"
        wanted = {toml["interpreter"].lstrip("./")} | {k.lstrip("./") for k in toml["files"]}
        assert wanted <= set(listed), (name, wanted - set(listed))
        assert runtime in boot
