"""The host-page API's Python side: who may embed the chat, what it says, what it obeys.
Portable: CPython, MicroPython and Pyodide."""
from app.chat import embed
from app.chat.controller import Controller
from app.protocol import connection as c
from tests.unit.fakes import FakePorts, server, text_from

DEP = "dep-1"
CHAT = "http://127.0.0.1:8765"
HOST = "https://www.example.com"
PAGE = CHAT + "/index.html?embed=1"
SETTINGS = {"deploymentId": DEP, "webMessagingUrl": "ws://127.0.0.1:8766/v1", "apiBaseUrl": "http://127.0.0.1:8766",
            "proxyUrl": "", "embed": {"hosts": [HOST + "/", "not a url", 7]}}
DEPLOYMENT = {"status": "Active", "messenger": {"apps": {"conversations": {"autoStart": {"enabled": True}}}}}


def _raises(fn, *args):
    try:
        fn(*args)
    except ValueError as exc:
        return str(exc)
    raise AssertionError("no ValueError")


def embedded(parent=HOST, settings=SETTINGS):
    ports = FakePorts({"/deployments/%s/config.json" % DEP: (200, DEPLOYMENT), "/deployments/other/config.json":
                       (200, DEPLOYMENT), "8765/config.json": (200, settings)})
    ctl = Controller(ports, True, parent)
    ctl.boot(PAGE)
    return ctl, ports


def connected(ctl):
    ctl.on_open()
    ctl.on_text(server("SessionResponse", {"connected": True, "newSession": True}, kind="response"))


def test_hosts_are_the_listed_origins_and_our_own():
    assert embed.hosts(SETTINGS, CHAT) == [CHAT, HOST]
    assert embed.hosts({}, CHAT) == [CHAT]
    assert embed.hosts({"embed": {"hosts": "https://x.example"}}, "") == []


def test_commands_must_be_ours_and_well_formed():
    assert embed.command({"pychat": 1, "type": "open"})[0] == "open"
    assert embed.command({"pychat": 1, "type": "send", "text": "hi"})[0] == "send"
    for bad in (None, "open", {"type": "open"}, {"pychat": 2, "type": "open"}, {"pychat": 1, "type": "eval"},
                {"pychat": 1, "type": "send", "text": 5}, {"pychat": 1, "type": "init", "options": []}):
        assert embed.command(bad) is None, bad


def test_the_snippet_may_set_only_the_chat_it_talks_to_and_how_it_looks():
    options = {"deploymentId": " other ", "language": "fr", "embed": {"hosts": ["https://evil.example"]},
               "proxyUrl": "https://evil.example", "runtime": "pyodide", "region": ""}
    got = embed.merged(SETTINGS, options)
    assert got["deploymentId"] == "other" and got["language"] == "fr"
    assert got["embed"] == SETTINGS["embed"] and got["proxyUrl"] == "" and "runtime" not in got and "region" not in got
    themed = embed.merged(dict(SETTINGS, theme={"accent": "#0f7b5f"}), {"theme": "dark"})
    assert themed["theme"] == {"accent": "#0f7b5f", "scheme": "dark"}


def test_attributes_become_strings_within_limits():
    assert embed.attributes({"plan": "gold", "visits": 3, "vip": True}) == {"plan": "gold", "visits": "3", "vip": "true"}
    assert "object" in _raises(embed.attributes, ["plan"])
    assert "nested" in _raises(embed.attributes, {"nested": {"a": 1}})
    assert "longer" in _raises(embed.attributes, {"a": "x" * 1001})
    assert "names" in _raises(embed.attributes, {" ": "x"})


def test_inline_chat_tells_its_own_page_through_dom_events():
    ports = FakePorts({"/deployments/%s/config.json" % DEP: (200, DEPLOYMENT), "8765/config.json": (200, SETTINGS)})
    ctl = Controller(ports)
    ctl.boot(CHAT + "/index.html")
    assert ports.posted and all(origin is None for origin, _ in ports.posted)
    ready = ports.host_events("ready")[0]
    assert ready["pychat"] == 1 and ready["strings"]["launcher"] == "Chat with us"


def test_embedded_chat_waits_for_its_host_then_obeys_only_it():
    ctl, ports = embedded()
    assert ports.posted == [(HOST, {"pychat": 1, "type": "hello"})]
    assert ctl.settings is None and ports.opened == []  # nothing starts before the host's init
    ctl.host_message("https://evil.example", {"pychat": 1, "type": "init", "options": {}})
    ctl.host_message("https://evil.example", {"pychat": 1, "type": "init", "options": {}})
    assert ctl.settings is None
    assert len([t for _, t in ports.logged if "ignored a message from https://evil.example" in t]) == 1
    ctl.host_message(HOST, {"pychat": 1, "type": "open"})  # before init: ignored
    assert ports.opened == []
    ctl.host_message(HOST, {"pychat": 1, "type": "init", "options": {"deploymentId": "other"}})
    assert ctl.settings.deployment_id == "other"
    assert [o for o, m in ports.posted if m["type"] == "ready"] == [HOST]
    ctl.host_message(CHAT, {"pychat": 1, "type": "open"})  # another allowed origin, but not our host
    assert ports.opened == []
    ctl.host_message(HOST, {"pychat": 1, "type": "open"})
    assert len(ports.opened) == 1


def test_host_commands_send_with_attributes_and_unread_counts_while_closed():
    ctl, ports = embedded()
    ctl.host_message(HOST, {"pychat": 1, "type": "init", "options": {}})
    ctl.host_message(HOST, {"pychat": 1, "type": "setAttributes", "attributes": {"plan": "gold"}})
    ctl.host_message(HOST, {"pychat": 1, "type": "setAttributes", "attributes": {"bad": [1]}})
    assert any("setAttributes" in t for _, t in ports.logged)
    ctl.host_message(HOST, {"pychat": 1, "type": "send", "text": "hello"})  # connects, panel still closed
    assert len(ports.opened) == 1
    connected(ctl)
    ports.advance(2000)
    texts = [f for f in ports.sent if f.get("action") == "onMessage" and f["message"].get("text") == "hello"]
    assert texts[0]["message"]["channel"]["metadata"]["customAttributes"] == {"plan": "gold"}
    ctl.on_text(text_from("Outbound", "Hi there", "m-1"))
    ctl.on_text(text_from("Outbound", "Hi there", "m-1"))  # the same message again counts once
    ctl.on_text(text_from("Outbound", "Anything else?", "m-2"))
    assert [m["count"] for m in ports.host_events("unread")] == [1, 2]
    assert [m["text"] for m in ports.host_events("message")] == ["Hi there", "Anything else?"]
    ctl.host_message(HOST, {"pychat": 1, "type": "open"})
    assert ports.host_events("unread")[-1]["count"] == 0
    ctl.on_text(text_from("Outbound", "While open", "m-3"))
    assert ports.host_events("unread")[-1]["count"] == 0
    ctl.host_message(HOST, {"pychat": 1, "type": "close"})
    ctl.on_text(text_from("Outbound", "Closed again", "m-4"))
    assert ports.host_events("unread")[-1]["count"] == 1
    assert ctl.conn.state == c.CONFIGURED


def test_an_unlisted_parent_is_told_nothing_and_an_unknown_one_is_tried_per_host():
    ctl, ports = embedded(parent="https://evil.example")
    assert ports.posted == []
    assert any("embedded by https://evil.example" in t for _, t in ports.logged)
    ctl, ports = embedded(parent=None)
    assert ports.posted == [(CHAT, {"pychat": 1, "type": "hello"}), (HOST, {"pychat": 1, "type": "hello"})]
