"""The XSS corpus (xss_corpus.py) and the axe-core helper (axe.py) checked on their own, without
the chat UI: the corpus is well formed and schema-valid, its detectors catch an unsafe page and
pass a clean one, and axe finds known violations. Uses only the module-scoped `browser` fixture
(no emulator, no proxy); pages are static (set_content, or a routed fake origin).
"""
import functools
import json
import re

import jsonschema
import pytest

import axe
import shyrka
import xss_corpus as xc
from emulator import frames

# --- (a) the corpus --------------------------------------------------------------------------------

_DEFINITIONS = json.loads(shyrka.SCHEMA_PATH.read_text())["definitions"]
# contentType -> (key of the item, schema definition of that object)
CONTENT_DEFINITIONS = {
    "QuickReply": ("quickReply", "ContentQuickReply"),
    "Card": ("card", "ContentCard"),
    "Carousel": ("carousel", "ContentCarousel"),
    "DatePicker": ("datePicker", "ContentDatePicker"),
    "ListPicker": ("listPicker", "ContentListPicker"),
    "Attachment": ("attachment", "ContentAttachment"),
}


@functools.lru_cache(maxsize=None)
def _validator(name):
    return jsonschema.Draft4Validator({"definitions": _DEFINITIONS, "$ref": "#/definitions/" + name})


def _errors(name, obj):
    validator = _validator(name)
    return ["%s at %s" % (e.message[:200], "/".join(map(str, e.path)) or "(root)") for e in validator.iter_errors(obj)]


def _cards_of(item):
    if item["contentType"] == "Card":
        return [item["card"]]
    if item["contentType"] == "Carousel":
        return item["carousel"]["cards"]
    return []


def _values(obj, path=""):
    """(field path without list indices, string value) for every string in obj."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _values(value, path + "." + key if path else key)
    elif isinstance(obj, list):
        for value in obj:
            yield from _values(value, path)
    elif isinstance(obj, str):
        yield path, obj


def _fields(bodies):
    seen = {}
    for body in bodies:
        for item in body.get("content") or []:
            key, _ = CONTENT_DEFINITIONS[item["contentType"]]
            for path, value in _values(item[key], item["contentType"]):
                seen.setdefault(path, set()).add(value)
    return seen


def test_payloads_are_many_distinct_and_json_safe():
    assert len(xc.PAYLOADS) >= 120
    assert len(set(xc.PAYLOADS)) == len(xc.PAYLOADS)
    assert len(set(xc.UNSAFE_URLS)) == len(xc.UNSAFE_URLS) >= 40
    for call_id, text in list(enumerate(xc.PAYLOADS)) + [(xc.URL_ID_BASE + j, u) for j, u in enumerate(xc.UNSAFE_URLS)]:
        assert isinstance(text, str) and text.strip()
        text.encode("utf-8")  # no lone surrogates
        assert json.loads(json.dumps(text)) == text
        assert "§" not in text
        # a payload that calls the recorder calls it with its own id only
        ids = {int(n) for n in re.findall(r"__xss\((\d+)\)", text)}
        assert ids <= {call_id}, (call_id, text)
        assert xc.payload_for(call_id) == text
    executing = [i for i, p in enumerate(xc.PAYLOADS) if "window.__xss(%d)" % i in p]
    assert len(executing) >= 150


def test_message_bodies_are_schema_valid_and_small():
    bodies = xc.messages()
    assert 0 < len(bodies) <= 200
    for body in bodies:
        assert set(body) <= {"text", "content"}
        assert isinstance(body["text"], str) and body["text"].strip()
        ids = {int(n) for n in re.findall(r"__xss\((\d+)\)", json.dumps(body)) if int(n) < xc.URL_ID_BASE}
        assert len(ids) <= 10, body["text"][:80]
        for item in body.get("content") or []:
            key, name = CONTENT_DEFINITIONS[item["contentType"]]
            assert set(item) == {"contentType", key}
            assert not _errors("BaseMessagingContent", item)
            assert not _errors("MessageContent", item)  # as tests/emulator checks content items
            assert not _errors(name, item[key]), (name, _errors(name, item[key]))
            for card in _cards_of(item):
                for action in [card.get("defaultAction")] + card["actions"]:
                    if action is not None:
                        assert not _errors("ContentCardAction", action), action
        # exactly what the emulator will push for bot/say, through the `emu` fixture's validator
        pushed = frames.message(frames.text_body(body["text"], "Outbound", "Bot", frames.DEMO_BOT,
                                                 content=body.get("content")))
        shyrka.validate_server_frame(json.loads(frames.dumps(pushed)))


def test_messages_put_every_payload_and_url_through_every_field():
    bodies = xc.messages()
    payloads, urls = set(xc.PAYLOADS), set(xc.UNSAFE_URLS)
    texts = "\n".join(b["text"] for b in bodies)
    for p in xc.PAYLOADS:
        for form in (p, "**%s**" % p, "[%s](" % p, "`%s`" % p):
            assert form in texts, form
    fields = _fields(bodies)
    payload_fields = [
        "QuickReply.text", "QuickReply.payload",
        "Card.title", "Card.description", "Card.defaultAction.text", "Card.actions.text",
        "Card.actions.payload", "Card.actions.url",
        "Carousel.cards.title", "Carousel.cards.description", "Carousel.cards.defaultAction.text",
        "Carousel.cards.actions.text", "Carousel.cards.actions.payload",
        "DatePicker.title", "DatePicker.subtitle", "DatePicker.availableTimes.dateTime",
        "ListPicker.receivedMessage.title", "ListPicker.receivedMessage.subtitle",
        "ListPicker.receivedMessage.buttonLabel", "ListPicker.replyMessage.title",
        "ListPicker.sections.title", "ListPicker.sections.items.id", "ListPicker.sections.items.title",
        "ListPicker.sections.items.subtitle",
        "Attachment.filename", "Attachment.mime", "Attachment.text",
    ]
    url_fields = [
        "QuickReply.image", "Card.image", "Card.defaultAction.url", "Card.actions.url",
        "Carousel.cards.image", "Carousel.cards.defaultAction.url", "Carousel.cards.actions.url",
        "DatePicker.imageUrl", "ListPicker.receivedMessage.imageUrl", "ListPicker.sections.items.imageUrl",
        "ListPicker.sections.items.image", "Attachment.url",
    ]
    for path in payload_fields:
        missing = payloads - fields.get(path, set())
        assert not missing, "%s misses %d payloads" % (path, len(missing))
    for path in url_fields:
        missing = urls - fields.get(path, set())
        assert not missing, "%s misses %s" % (path, sorted(missing)[:3])
    # a bogus dateTime besides the payloads, and the kinds can be asked for one at a time
    assert set(xc.BOGUS_DATES) <= fields["DatePicker.availableTimes.dateTime"]
    assert sum(len(xc.messages([k])) for k in xc.MESSAGE_KINDS) == len(bodies)


def test_agent_identities_cover_names_and_avatars():
    identities = xc.agent_identities()
    names = set()
    for body in identities:
        assert set(body) == {"firstName", "nickname", "image"}
        assert all(isinstance(v, str) for v in body.values()) and body["firstName"].strip()
        names.update((body["firstName"], body["nickname"]))
        # as the emulator builds the agent (conversation.agent_join) and sends it on agent/say
        agent = {"firstName": body["firstName"].strip(), "nickname": body["nickname"], "image": body["image"]}
        shyrka.validate_server_frame(frames.message(frames.text_body("hi", "Outbound", "Human", agent)))
    assert set(xc.PAYLOADS) <= names
    assert set(xc.UNSAFE_URLS) <= {b["image"] for b in identities}


# --- (b) the detectors in Chromium ------------------------------------------------------------------

HARNESS = "http://harness.test/"
PAGE = ("<!doctype html><html lang=en><head><title>harness</title></head>"
        "<body><main><h1>Harness</h1>%s</main></body></html>")


@pytest.fixture
def context(browser):
    context = browser.new_context()
    # Nothing leaves the machine: the fake origin answers the page, everything else is aborted.
    def answer(route):
        if route.request.url != HARNESS:
            return route.abort()
        return route.fulfill(status=200, content_type="text/html", body=PAGE % "<div id=root></div>")

    context.route("**/*", answer)
    yield context
    context.close()


UNSAFE_PANEL = """
<section id="chat-panel">
  <img src=x onerror="window.__xss(1)">
  <img src=y onerror="alert('dialog-7')">
  <a href="java&#x09;script:window.__xss(2)">tab</a>
  <a href=" DATA:text/html,x">data</a>
  <a href="https://ok.example/" target="_blank" rel="noopener">half rel</a>
  <a href="/relative">relative</a>
  <iframe srcdoc="<p>x</p>" title="x"></iframe>
  <svg aria-hidden="true"><path d="M0 0"/><script>1</script></svg>
  <form action="javascript:window.__xss(3)"></form>
  <div style="width: expression(1)">css</div>
  <math><mi xlink:href="vbscript:x">m</mi></math>
</section>
"""

CLEAN_PANEL = """
<section id="chat-panel" aria-label="Chat">
  <h2>Chat with us</h2>
  <button type="button" aria-label="Close">
    <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24"><path d="M4 4h16"/></svg>
  </button>
  <ol id="chat-log"><li>Hello
    <a href="https://ok.example/x" target="_blank" rel="noopener noreferrer">link</a>
    <a href="mailto:a@ok.example">mail</a> <a href="tel:+3212345">call</a>
    <img src="https://ok.example/a.png" alt="avatar">
  </li></ol>
  <form id="chat-composer">
    <label for="m">Message</label><textarea id="m"></textarea><button type="submit">Send</button>
  </form>
</section>
"""


def test_recorder_and_dom_check_catch_an_unsafe_page(context):
    page = context.new_page()
    try:
        recorder = xc.XssRecorder(page)
        page.set_content(PAGE % UNSAFE_PANEL)
        page.wait_for_function("() => window.__xssCalls.includes('1')", timeout=5_000)
        page.wait_for_timeout(100)
        assert "xss:1" in recorder.fired()
        assert any("dialog-7" in d for d in recorder.dialogs), recorder.dialogs
        assert "ran: " in recorder.explain()
        problems = page.evaluate(xc.DOM_CHECK_JS, "#chat-panel")
        text = "\n".join(problems)
        for expected in ("event-handler attribute onerror", 'href="java\\tscript:', 'href=" DATA:',
                         "not http(s)/mailto/tel", 'without rel="noopener noreferrer"', "forbidden <iframe>",
                         "srcdoc attribute", "forbidden <svg>", "forbidden <script>", "forbidden <form>",
                         'action="javascript:', "dangerous style", "forbidden <math>", 'xlink:href="vbscript:'):
            assert expected in text, "%r not reported in:\n%s" % (expected, text)
    finally:
        page.close()


def test_dom_check_passes_a_clean_page(context):
    page = context.new_page()
    try:
        recorder = xc.XssRecorder(page)
        page.set_content(PAGE % CLEAN_PANEL)
        assert page.evaluate(xc.DOM_CHECK_JS, "#chat-panel") == []
        assert page.evaluate(xc.DOM_CHECK_JS, {"root": "#chat-panel", "strict": True}) == []
        # the page's own composer form is allowed only through APP_ELEMENTS
        assert any("forbidden <form>" in p for p in page.evaluate(xc.DOM_CHECK_JS, {"root": "#chat-panel", "allow": []}))
        assert recorder.fired() == []
        assert page.evaluate(xc.DOM_CHECK_JS, "#missing") == ['root "#missing" not found']
    finally:
        page.close()


def test_corpus_rendered_as_html_fires_with_its_own_ids(context):
    """What a renderer that used innerHTML would do: many payloads run, each reporting its own id,
    and the DOM check flags every unsafe URL that lands in a src or a link href."""
    page = context.new_page()
    recorder = xc.XssRecorder(page)
    page.goto(HARNESS)
    page.evaluate("""(payloads) => { const root = document.getElementById('root');
        for (const p of payloads) { const d = document.createElement('div'); d.innerHTML = p; root.appendChild(d); } }""",
                  xc.PAYLOADS)
    page.wait_for_function("() => window.__xssCalls.length >= 20", timeout=5_000)
    page.wait_for_timeout(300)  # media errors and frames that load a little later
    fired = {int(c) for c in recorder.calls()}
    assert len(fired) >= 30, sorted(fired)
    assert fired <= set(range(len(xc.PAYLOADS)))
    assert len(page.evaluate(xc.DOM_CHECK_JS, "#root")) >= 100
    assert page.url == HARNESS  # nothing navigated the page away

    page.goto(HARNESS)
    page.evaluate("""(urls) => { const root = document.getElementById('root'); urls.forEach((u, i) => {
        const a = document.createElement('a'); a.href = u; a.id = 'u' + i; a.textContent = 'link';
        const img = document.createElement('img'); img.src = u; img.alt = ''; img.id = 'i' + i;
        root.append(a, img); }); }""", xc.UNSAFE_URLS)
    problems = page.evaluate(xc.DOM_CHECK_JS, {"root": "#root", "strict": True})
    links = {int(m) for m in re.findall(r"at a#u(\d+)", "\n".join(problems))}
    images = {int(m) for m in re.findall(r"at img#i(\d+)", "\n".join(problems))}
    # only the http(s) URLs with quotes or control characters are harmless once in the DOM
    harmless = {j for j, u in enumerate(xc.UNSAFE_URLS) if u.startswith("https://ok.example/")}
    everything = set(range(len(xc.UNSAFE_URLS)))
    assert links == everything - harmless, sorted(everything - harmless - links)
    assert images == everything - harmless, sorted(everything - harmless - images)
    page.close()


# --- (c) axe-core -----------------------------------------------------------------------------------

BROKEN = PAGE % '<img src="https://ok.example/a.png"><button type="button"></button>'
CLEAN = PAGE % '<p>Hello</p><img src="https://ok.example/a.png" alt="A logo"><button type="button">Send</button>'


@pytest.fixture
def axe_page(context):
    page = context.new_page()
    yield page
    page.close()


def test_axe_finds_known_violations_and_passes_a_clean_page(axe_page):
    page = axe_page
    page.set_content(BROKEN)
    violations = axe.run_axe(page)
    ids = {v["id"] for v in axe.serious_or_critical(violations)}
    assert {"image-alt", "button-name"} <= ids, axe.describe(violations)
    for v in violations:
        assert v["help"] and v["impact"] and v["nodes"]
        assert all(n["target"] and n["failureSummary"] for n in v["nodes"])
    with pytest.raises(AssertionError) as failed:
        axe.assert_accessible(page, "main")
    assert "image-alt" in str(failed.value) and "button-name" in str(failed.value)
    axe.assert_accessible(page, "main", allow=("image-alt", "button-name"))
    assert axe.run_axe(page, {"exclude": [["img"], ["button"]]}) == []
    assert axe.serious_or_critical([{"id": "x", "impact": "minor"}, {"id": "y", "impact": None}]) == []

    page.set_content(CLEAN)
    assert axe.run_axe(page) == []
    axe.assert_accessible(page)
    assert axe.describe([]) == "no accessibility violations"


def test_axe_runs_under_a_strict_csp(context):
    context.route(HARNESS + "csp", lambda route: route.fulfill(
        status=200, content_type="text/html", body=BROKEN,
        headers={"Content-Security-Policy": "default-src 'none'; script-src 'self'; img-src https:"}))
    page = context.new_page()
    page.goto(HARNESS + "csp")
    ids = {v["id"] for v in axe.run_axe(page)}
    assert {"image-alt", "button-name"} <= ids
    page.close()
