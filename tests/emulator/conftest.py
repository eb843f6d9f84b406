"""Fixtures: one real emulator (uvicorn in a thread, free port) for the whole suite.

Each test starts from a reset region (sessions, sockets, frames and deployment settings), and
afterwards every frame the emulator emitted must validate against Genesys' schema.
"""
import pathlib
import sys
import threading
import time

import pytest
import uvicorn

sys.path.append(str(pathlib.Path(__file__).resolve().parents[1]))  # for tests/shyrka.py

from emulator_harness import TEST_BOT_DELAY, Emulator, validate_content  # noqa: E402
from shyrka import validate_server_frame  # noqa: E402

from emulator import create_app  # noqa: E402


@pytest.fixture(scope="session")
def emulator():
    app = create_app(bot_delay=TEST_BOT_DELAY)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "emulator did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    em = Emulator(port)
    yield em
    em.http.close()
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(autouse=True)
def conforming_frames(emulator):
    """Fresh state per test; afterwards every emitted frame must match the schema."""
    assert emulator.http.post("/_emulator/reset", json={"deployments": True}).status_code == 200
    yield
    frames = emulator.http.get("/_emulator/frames").json()["frames"]
    for entry in frames:
        validate_server_frame(entry["frame"])
        validate_content(entry["frame"])
