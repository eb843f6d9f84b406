"""`make demo`: the emulator and the proxy together, one URL to open, Ctrl-C stops both.

The page's config.json points at the emulator on 8766; the proxy serves the page on 8765 and
asks the emulator for the wait time with the emulator's demo OAuth client (never sent to the page).
"""
import os
import signal
import sys
import time

from scripts.stack import DEMO_SCHEDULE_GROUP_ID, serve_folder, start_emulator, start_proxy, stop

PAGE_PORT = 8765
EMULATOR_PORT = 8766
HOST_PORT = 8767  # examples/host.html: a "customer site" on another origin, embedding the chat
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def main():
    emulator = proxy = host = None
    # Ctrl-C must stop both servers even when a parent shell started us with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        emulator = start_emulator(EMULATOR_PORT, quiet=True)
        # the open hours come from the emulator's demo schedule group (weekdays 09:00-17:00, Dublin)
        proxy = start_proxy(PAGE_PORT, EMULATOR_PORT, quiet=True,
                            env_extra={"GENESYS_SCHEDULE_GROUP_ID": DEMO_SCHEDULE_GROUP_ID})
        host = serve_folder(EXAMPLES, HOST_PORT)
        print()
        print("  Chat demo running. Open:  http://127.0.0.1:%d/" % PAGE_PORT)
        print("  Embedded in another site with the snippet:  http://127.0.0.1:%d/host.html" % HOST_PORT)
        print()
        print("  (agent console: http://127.0.0.1:%d/agent  ·  Pyodide instead of MicroPython: add ?runtime=pyodide)"
              % EMULATOR_PORT)
        print("  Press Ctrl-C to stop.", flush=True)
        while emulator.poll() is None and proxy.poll() is None:
            time.sleep(0.5)
        print("a server stopped unexpectedly; shutting down", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except (RuntimeError, OSError) as exc:
        print("could not start the demo: %s (is port %d, %d or %d in use?)" % (exc, PAGE_PORT, EMULATOR_PORT,
                                                                              HOST_PORT), file=sys.stderr)
        return 1
    finally:
        if host is not None:
            host.shutdown()
        stop(proxy)
        stop(emulator)
        print("stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
