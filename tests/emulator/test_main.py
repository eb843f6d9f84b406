"""`python -m emulator`: prints where it listens, serves, and stops cleanly on SIGTERM."""
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import httpx

from emulator.deployments import DEMO_DEPLOYMENT_ID, DEMO_QUEUE_ID
from emulator.region import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cli_serves_and_stops_on_sigterm():
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "emulator", "--port", str(port), "--bot-delay", "0.1"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        base = "http://127.0.0.1:%d" % port
        deadline = time.monotonic() + 10
        while True:
            try:
                if httpx.get(base + "/agent", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "emulator did not start"
            time.sleep(0.1)
        settings = httpx.get(base + "/_emulator/deployments/" + DEMO_DEPLOYMENT_ID).json()
        assert settings["botDelaySeconds"] == 0.1
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, output
    for expected in (base, "ws://127.0.0.1:%d/v1" % port, base + "/agent", DEMO_DEPLOYMENT_ID, DEMO_QUEUE_ID,
                     DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, "emulator stopped"):
        assert expected in output, (expected, output)


def test_cli_rejects_negative_bot_delay():
    result = subprocess.run([sys.executable, "-m", "emulator", "--bot-delay", "-1"], cwd=ROOT,
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 2 and "bot-delay" in result.stderr
