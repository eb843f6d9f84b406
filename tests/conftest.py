"""Shared fixtures: the local stack (emulator + proxy as real processes) and a browser.

Every test that uses `emu` has, at its end, every server frame the emulator emitted and every
client frame it received validated against Genesys' schema (tests/shyrka.py); a frame that fails
fails that test. The emulator is then reset for the next test.
"""
import os
import pathlib
import sys
from collections import namedtuple

import httpx
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
for path in (str(ROOT), str(ROOT / "tests")):
    if path not in sys.path:
        sys.path.insert(0, path)

from scripts import stack as stack_mod  # noqa: E402
from shyrka import validate_client_frame, validate_server_frame  # noqa: E402

# host_origin: the "other site" the embedding tests serve host pages from (it may frame the chat)
Stack = namedtuple("Stack", ["emulator_url", "socket_url", "proxy_url", "deployment_id", "client_secret",
                             "host_port"])


@pytest.fixture(scope="session")
def stack():
    emulator_port, proxy_port, host_port = stack_mod.free_port(), stack_mod.free_port(), stack_mod.free_port()
    emulator = stack_mod.start_emulator(emulator_port, bot_delay=0.8, quiet=True)
    proxy = None
    try:
        proxy = stack_mod.start_proxy(proxy_port, emulator_port, quiet=True, env_extra={
            "CHAT_FRAME_ANCESTORS": "http://127.0.0.1:%d" % host_port})
        yield Stack("http://127.0.0.1:%d" % emulator_port, "ws://127.0.0.1:%d/v1" % emulator_port,
                    "http://127.0.0.1:%d" % proxy_port, stack_mod.DEMO_DEPLOYMENT_ID,
                    stack_mod.DEMO_CLIENT_SECRET, host_port)
    finally:
        stack_mod.stop(proxy)
        stack_mod.stop(emulator)


def check_emulator_frames(base_url):
    """Validate every frame the emulator sent and received since its last reset; then reset it."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        frames = client.get("/_emulator/frames").json()["frames"]
        sessions = client.get("/_emulator/sessions").json()["sessions"]
        inbound = []
        for session in sessions:
            detail = client.get("/_emulator/sessions/" + session["token"]).json()
            inbound.extend(detail.get("inbound") or [])
        client.post("/_emulator/reset", json={"deployments": True})  # also undo per-test settings
    for item in frames:
        validate_server_frame(item["frame"])
    for item in inbound:
        validate_client_frame(item["frame"] if isinstance(item, dict) and "frame" in item else item)
    return frames, inbound


@pytest.fixture
def emu(stack):
    yield stack
    check_emulator_frames(stack.emulator_url)
