"""Command line: `python -m proxy serve|doctor|pack`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .settings import REPO_ROOT, SettingsInvalid, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m proxy", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve /api/* and the page's static files")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--root", type=Path, default=REPO_ROOT, help="folder holding index.html and .env")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--forwarded-allow-ips", default="",
                       help="behind a load balancer: its addresses (comma-separated), so X-Forwarded-For names "
                            "the client the rate limit counts")

    doctor = sub.add_parser("doctor", help="explain why the chat cannot connect")
    doctor.add_argument("--config", type=Path, default=None, help="page settings file (default: ROOT/config.json)")
    doctor.add_argument("--origin", default="http://127.0.0.1:8765", help="the origin the page is served from")
    doctor.add_argument("--root", type=Path, default=REPO_ROOT, help="folder holding .env")
    doctor.add_argument("--timeout", type=float, default=5.0)
    doctor.add_argument("--json", action="store_true", help="print the results as JSON (for scripts)")
    doctor.add_argument("--explain", metavar="URL-or-snippet", default=None,
                        help="say which endpoints, scopes and URLs in this text (a URL or pasted code; - reads "
                             "standard input, @FILE a file) exist in Genesys Web Messaging and which do not")

    pack = sub.add_parser("pack", help="write static/app.pack and static/app.mpy.pack, the app's Python (source, bytecode) in one file for the page")
    pack.add_argument("--root", type=Path, default=REPO_ROOT, help="checkout holding app/")
    pack.add_argument("--check", action="store_true", help="only say whether it is up to date (exit 1 if not)")

    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "pack":
        return _pack(args)
    return _doctor(args)


def _pack(args) -> int:
    from . import pack

    root = args.root.resolve()
    if args.check:
        fresh = pack.is_fresh(root)
        print("static/app.pack and app.mpy.pack are " + ("up to date" if fresh else "missing or stale: run make pack"))
        return 0 if fresh else 1
    changed = pack.write(root)
    print("static/app.pack and app.mpy.pack %s (%d modules)" % ("written" if changed else "unchanged", len(pack.sources(root))))
    return 0


def _serve(args) -> int:
    import uvicorn

    from .app import create_app

    root = args.root.resolve()
    try:
        settings = load_settings(root)
    except SettingsInvalid as exc:
        print("proxy: cannot start, the settings are wrong:", file=sys.stderr)
        for problem in exc.problems:
            print("  - " + problem, file=sys.stderr)
        print("Fix them in the environment or in %s/.env (see proxy/README.md)." % root, file=sys.stderr)
        return 2
    if not (root / "index.html").is_file():
        print(f"note: {root}/index.html does not exist yet; / will answer 404", file=sys.stderr)
    missing = settings.missing()
    if missing:
        print("note: /api/context will answer 503 not_configured until these are set: " + ", ".join(missing),
              file=sys.stderr)
    app = create_app(settings, root)
    # One JSON line per event: the proxy's own request lines (proxy/guard.py: request id, method,
    # path without query, status, time) replace uvicorn's access log; none holds a header, query or
    # body, so none holds a token or the secret. server_header=False: responses do not name the
    # server software.
    level = args.log_level.upper()
    log_config = {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"json": {"()": "proxy.guard.JsonFormatter"}},
        "handlers": {"out": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "loggers": {"proxy": {"handlers": ["out"], "level": level, "propagate": False},
                    "uvicorn": {"handlers": ["out"], "level": level, "propagate": False},
                    "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False}},
    }
    trusted = args.forwarded_allow_ips.strip()
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, proxy_headers=bool(trusted),
                forwarded_allow_ips=trusted or None, server_header=False, log_config=log_config, access_log=False)
    return 0


def _doctor(args) -> int:
    import json

    from . import explain
    from .doctor import format_explanation, format_json, format_report, run

    root = args.root.resolve()
    settings = load_settings(root)
    secret = settings.client_secret
    if args.explain is not None:
        text = args.explain
        if text == "-":
            text = sys.stdin.read()
        elif text.startswith("@") and Path(text[1:]).is_file():
            text = Path(text[1:]).read_text(encoding="utf-8", errors="replace")
        findings = explain.explain(text)
        out = (json.dumps(explain.as_json(text, findings), indent=2, ensure_ascii=False) if args.json
               else format_explanation(findings))
        print(out.replace(secret, "******") if secret else out)
        return 1 if explain.has_problems(findings) else 0
    config = args.config
    if config is not None and not config.is_absolute() and not config.exists() and (root / config).exists():
        config = root / config
    report = run(settings, config or root / "config.json", args.origin, args.timeout)
    print(format_json(report, secret) if args.json else format_report(report, secret))
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
