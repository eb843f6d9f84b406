"""Rewrite the [files] list of both PyScript configs from the modules in app/ (run after adding one)."""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py")
                   if p.name != "main.py" and "__pycache__" not in p.parts)
    listing = "".join('"./%s" = "./%s"\n' % (f, f) for f in files)
    for name in ("pyscript.toml", "pyscript.pyodide.toml"):
        path = ROOT / name
        text = path.read_text()
        path.write_text(text[: text.index("[files]")] + "[files]\n" + listing)
        print("updated", name)


if __name__ == "__main__":
    main()
