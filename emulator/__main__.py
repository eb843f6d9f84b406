"""`python -m emulator [--host 127.0.0.1] [--port 8766] [--bot-delay SECONDS]`"""
import argparse
import signal
import sys

import uvicorn

from .app import create_app
from .deployments import AUTH_DEPLOYMENT_ID, DEMO_DEPLOYMENT_ID, DEMO_QUEUE_ID
from .platform import DEMO_SCHEDULE_GROUP_ID, DEMO_SCHEDULE_ID
from .region import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, LIMITED_CLIENT_ID, LIMITED_CLIENT_SECRET


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m emulator", description="A local fake Genesys Cloud region.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--bot-delay", type=float, default=1.0, metavar="SECONDS",
                        help="pause between the bot's typing event and its message (default 1.0)")
    args = parser.parse_args(argv)
    if args.bot_delay < 0:
        parser.error("--bot-delay must not be negative")
    base = "http://%s:%d" % (args.host, args.port)
    print("Genesys Cloud emulator", flush=True)
    print("  HTTP base (login, API, CDN): %s" % base)
    print("  Web messaging socket:        ws://%s:%d/v1?deploymentId=%s" % (args.host, args.port, DEMO_DEPLOYMENT_ID))
    print("  Agent console:               %s/agent" % base)
    print("  Demo deployment id:          %s" % DEMO_DEPLOYMENT_ID)
    print("  Auth demo deployment id:     %s (authenticated messaging, IdP at %s/idp/authorize)"
          % (AUTH_DEPLOYMENT_ID, base))
    print("  Demo queue id:               %s" % DEMO_QUEUE_ID)
    print("  Demo schedule group id:      %s" % DEMO_SCHEDULE_GROUP_ID)
    print("  Demo schedule id:            %s" % DEMO_SCHEDULE_ID)
    print("  Demo OAuth client:           %s / %s" % (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET))
    print("  Limited OAuth client:        %s / %s (no permissions)" % (LIMITED_CLIENT_ID, LIMITED_CLIENT_SECRET))
    print("  Bot delay:                   %.2f s" % args.bot_delay, flush=True)
    # uvicorn catches SIGINT/SIGTERM while serving, shuts down gracefully, then re-raises the
    # signal to whatever handler was there before; a no-op handler lets us exit with status 0.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: None)
    uvicorn.run(create_app(bot_delay=args.bot_delay), host=args.host, port=args.port, log_level="warning",
                ws_ping_interval=20, ws_ping_timeout=20)
    print("emulator stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
