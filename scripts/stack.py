"""Start the local stack (emulator + proxy) as child processes; used by `make demo`, tests and bench."""
import functools
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO_CLIENT_ID = "emulator-demo-client"
DEMO_CLIENT_SECRET = "emulator-demo-secret-not-for-browsers"
DEMO_QUEUE_ID = "7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
DEMO_DEPLOYMENT_ID = "f3b8c4d2-5a6e-4b7f-8c9d-0e1f2a3b4c5d"
DEMO_SCHEDULE_GROUP_ID = "5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f"  # the emulator's weekday 09:00-17:00 (Dublin) hours


def serve_folder(directory, port=0):
    """A plain static server of `directory` on 127.0.0.1 (a thread; `.shutdown()` stops it): the
    baseline page, or a host site on another origin. `.origin` is its http://127.0.0.1:port."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.origin = "http://127.0.0.1:%d" % server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, process, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("%s exited with %s before answering" % (url, process.returncode))
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError("%s did not answer within %ss" % (url, timeout))


def start_emulator(port, bot_delay=1.0, quiet=False):
    cmd = [sys.executable, "-m", "emulator", "--host", "127.0.0.1", "--port", str(port), "--bot-delay", str(bot_delay)]
    out = subprocess.DEVNULL if quiet else None
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=out)
    wait_http("http://127.0.0.1:%d/webdeployments/v1/deployments/%s/config.json" % (port, DEMO_DEPLOYMENT_ID), process)
    return process


def start_proxy(port, emulator_port, quiet=False, env_extra=None, root=ROOT, code=ROOT):
    """The proxy serving the page from `root` (a copy of another checkout's page, for side-by-side
    benchmarks), running the proxy code of the checkout `code`: the packs it builds from app/ on
    request are in the format that checkout's app/main.py reads."""
    env = dict(os.environ)
    env.update({
        "GENESYS_LOGIN_URL": "http://127.0.0.1:%d" % emulator_port,
        "GENESYS_API_URL": "http://127.0.0.1:%d" % emulator_port,
        "GENESYS_CLIENT_ID": DEMO_CLIENT_ID,
        "GENESYS_CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "GENESYS_QUEUE_ID": DEMO_QUEUE_ID,
    })
    env.update(env_extra or {})
    cmd = [sys.executable, "-m", "proxy", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "warning", "--root", str(root)]
    out = subprocess.DEVNULL if quiet else None
    process = subprocess.Popen(cmd, cwd=code, env=env, stdout=out, stderr=out)
    wait_http("http://127.0.0.1:%d/api/health" % port, process)
    return process


def stop(process):
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
