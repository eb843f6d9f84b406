"""The client core over a real socket against the emulator, using its fault controls."""
import asyncio
import json

from app.protocol import connection as c
from tests.integration.live import control, guest_texts, session, start_chat, until


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


def _configured(ports):
    return lambda: ports.views and ports.view.status == "Connected"


def _sent_rows(ports, text):
    return [r for r in ports.view.rows if r.side == "guest" and r.text == text and r.status == "sent"]


async def _live(stack, **kw):
    ctl, ports = await start_chat(stack, **kw)
    await until(_configured(ports), what="configured")
    await until(lambda: any(r.side == "bot" for r in ports.view.rows), what="greeting")
    return ctl, ports


def scenario(body):
    """A test running `await body(ctl, ports, emu)` on a configured, greeted chat, closed after."""
    def test(emu):
        async def go():
            ctl, ports = await _live(emu)
            try:
                await body(ctl, ports, emu)
            finally:
                await ports.close()
        run(go())
    test.__name__ = body.__name__
    test.__doc__ = body.__doc__
    return test


@scenario
async def test_greeting_send_and_bot_reply(ctl, ports, emu):
    ctl.submit("hello there")
    await until(lambda: _sent_rows(ports, "hello there"), what="echo")
    await until(lambda: len([r for r in ports.view.rows if r.side == "bot"]) >= 2, what="bot reply")
    assert guest_texts(emu, ctl.conn.token) == ["hello there"]


@scenario
async def test_socket_dropped_mid_send_delivers_exactly_once(ctl, ports, emu):
    token = ctl.conn.token
    control(emu, "faults/delay", {"token": token, "ms": 800, "count": 1})  # hold the echo
    ctl.submit("through the storm")
    await asyncio.sleep(0.2)
    control(emu, "sessions/%s/drop" % token, {"closeFrame": False})
    await until(lambda: _sent_rows(ports, "through the storm"), timeout=20, what="confirmed after reconnect")
    await asyncio.sleep(1.0)
    assert guest_texts(emu, token).count("through the storm") == 1
    resent = [f for f in ports.sent if (f.get("message") or {}).get("text") == "through the storm"]
    assert len(resent) == 1, "history showed it arrived, so it must not be sent again"
    assert len([r for r in ports.view.rows if r.text == "through the storm"]) == 1


@scenario
async def test_message_written_while_disconnected_goes_once_after_reconnect(ctl, ports, emu):
    token = ctl.conn.token
    control(emu, "sessions/%s/drop" % token, {"closeFrame": True})
    await until(lambda: ctl.conn.state == c.RECONNECTING, what="reconnecting")
    ctl.submit("written offline")
    await until(lambda: _sent_rows(ports, "written offline"), timeout=20, what="sent after reconnect")
    assert guest_texts(emu, token) == ["written offline"]


@scenario
async def test_reordered_delivery_is_shown_in_service_order(ctl, ports, emu):
    token = ctl.conn.token
    control(emu, "faults/reorder", {"token": token, "window": 4, "seed": 7})
    for i in range(4):
        control(emu, "sessions/%s/bot/say" % token, {"text": "numbered %d" % i})
        await asyncio.sleep(0.01)
    await until(lambda: len([r for r in ports.view.rows if r.text.startswith("numbered")]) == 4,
                what="all four")
    delivered = [json.loads(t)["body"].get("text") for t in ports.received if "numbered" in t]
    shown = [r.text for r in ports.view.rows if r.text.startswith("numbered")]
    assert delivered != shown, "the fault did not reorder anything"
    assert shown == ["numbered %d" % i for i in range(4)]


@scenario
async def test_429_burst_is_waited_out_and_nothing_is_lost(ctl, ports, emu):
    token = ctl.conn.token
    control(emu, "faults/inject", {"token": token, "action": "onMessage", "code": 429, "count": 3,
                                   "retryAfter": 1})
    for i in range(5):
        ctl.submit("burst %d" % i)
    await until(lambda: all(_sent_rows(ports, "burst %d" % i) for i in range(5)), timeout=30, what="all sent")
    texts = [t for t in guest_texts(emu, token) if t.startswith("burst")]
    assert sorted(texts) == ["burst %d" % i for i in range(5)]
    # The three injected, and perhaps one of the service's own 2-a-second limit: on a loaded machine
    # two sends paced 500 ms apart can reach it closer together than they left.
    assert sum(1 for t in ports.received if "TooManyRequestsErrorMessage" in t) >= 3


@scenario
async def test_expiry_ends_the_session_with_a_notice(ctl, ports, emu):
    control(emu, "sessions/%s/expire" % ctl.conn.token)
    ctl.submit("anyone?")
    await until(lambda: ctl.conn.state == c.EXPIRED, what="expired")
    assert ports.view.notice.title == "Chat expired" and not ports.view.composer_enabled


@scenario
async def test_read_only_after_disconnect_then_start_new(ctl, ports, emu):
    token = ctl.conn.token
    control(emu, "sessions/%s/disconnect" % token, {"readOnly": True})
    await until(lambda: ctl.conn.state == c.READ_ONLY, what="read-only")
    assert not ports.view.composer_enabled
    ctl.start_new()
    await until(lambda: ctl.conn.state == c.CONFIGURED, what="fresh conversation")
    ctl.submit("second conversation")
    await until(lambda: _sent_rows(ports, "second conversation"), what="sent in the new conversation")


@scenario
async def test_clear_drops_transcript_and_token(ctl, ports, emu):
    old = ctl.conn.token
    ctl.clear_conversation()
    await until(lambda: ctl.conn.state == c.ENDED, what="cleared")
    assert ports.view.rows == () and ports.view.notice.title == "Conversation cleared"
    ctl.start_new()
    await until(lambda: ctl.conn.state == c.CONFIGURED, what="new session")
    assert ctl.conn.token != old


def test_fourth_socket_evicts_us_with_a_plain_notice(emu):
    import json
    import websockets

    async def scenario():
        ctl, ports = await _live(emu)
        token = ctl.conn.token
        others = []
        for _ in range(3):
            ws = await websockets.connect(emu.socket_url + "?deploymentId=" + emu.deployment_id)
            await ws.send(json.dumps({"action": "configureSession", "token": token, "deploymentId": emu.deployment_id}))
            await ws.recv()
            others.append(ws)
        await until(lambda: ctl.conn.state == c.ENDED, what="evicted")
        assert ports.view.notice.title == "Chat opened elsewhere"
        for ws in others:
            await ws.close()
        await ports.close()
    run(scenario())


def test_resume_after_restart_sees_history_gap_filled(emu):
    async def scenario():
        store = {}
        ctl, ports = await _live(emu, store=store)
        token = ctl.conn.token
        await ports.close()
        await asyncio.sleep(0.2)
        from tests.integration.live import control as ctl_call
        ctl_call(emu, "sessions/%s/bot/say" % token, {"text": "while you were away"})
        ctl2, ports2 = await start_chat(emu, store=store)
        await until(_configured(ports2), what="configured again")
        assert ctl2.conn.token == token
        await until(lambda: any(r.text == "while you were away" for r in ports2.view.rows), what="gap filled")
        replies = [f for f in session(emu, token)["outbound"] if f.get("class") == "SessionResponse"]
        assert replies[-1]["body"]["newSession"] is False
        await ports2.close()
    run(scenario())
