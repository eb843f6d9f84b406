"""The content model, its render functions and the defects found by trying it (emoji, wall clock).
Portable: CPython, MicroPython and Pyodide (the surrogate-pair and clock bugs were MicroPython's)."""
import json

from app.chat import parts as parts_mod
from app.chat import render as render_mod
from app.chat.clock import epoch_seconds
from app.chat.elements import El, find, find_all, h, text_of, walk
from app.chat.safety import safe_image, safe_link
from app.chat.strings import t
from app.chat.transcript import ChatState, row_for
from app.protocol.jsontext import loads
from app.protocol.messages import parse_message


class Act:
    def __init__(self):
        self.answers = []

    def answer(self, kind, text, payload, message_id):
        self.answers.append((kind, text, payload, message_id))

    def __getattr__(self, name):
        return lambda *args: None


def ctx(act=None):
    return render_mod.Context(render_mod.Renderers(), h, t, render_mod.PlainFormat(), act or Act())


def bot(content, text="", mid="m1"):
    return parse_message({"id": mid, "type": "Structured", "text": text, "direction": "Outbound",
                          "originatingEntity": "Bot", "channel": {"time": "2026-01-01T10:00:00.000Z"},
                          "content": content})


def draw(row, live=True, context=None):
    return (context or ctx()).render("row", {"row": row, "first": True, "last": True, "live": live})


def test_an_escaped_surrogate_pair_decodes_to_one_emoji():
    frame = loads('{"text": "hi \\ud83d\\ude00 \\u00e9 \\uD83D\\uDC4D\\uD83C\\uDFFD"}')
    assert frame["text"] == "hi \U0001F600 \u00e9 \U0001F44D\U0001F3FD"
    assert len(frame["text"]) == 9


def test_text_without_surrogate_escapes_is_left_as_decoded():
    assert loads('{"a": ["\\u00e9", {"b": "\\ud7ff"}]}') == {"a": ["\u00e9", {"b": "\ud7ff"}]}


def test_wall_clock_from_iso_text_does_not_wrap():
    assert epoch_seconds("2026-12-01T20:21:03.456Z") == 1796156463.456
    assert epoch_seconds("2024-02-29T00:00:00+01:00") == 1709161200
    assert epoch_seconds("not a time") is None and epoch_seconds("") is None


def test_only_safe_schemes_become_links_or_images():
    for url in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:x", "java\tscript:x", "data:text/html,x",
                "vbscript:x", "//evil.example", "/relative", "https:evil", "blob:https://a/b"):
        assert safe_link(url) is None and safe_image(url) is None, url
    assert safe_link("mailto:a@b.example") and safe_link("tel:+441234") and safe_link("https://a.example/x")
    assert safe_image("mailto:a@b.example") is None


def test_every_content_kind_becomes_a_typed_part():
    message = bot([
        {"contentType": "QuickReply", "quickReply": {"text": "Yes", "payload": "Y"}},
        {"contentType": "Card", "card": {"title": "T", "actions": [{"type": "Postback", "text": "Go", "payload": "g"}]}},
        {"contentType": "Carousel", "carousel": {"cards": [{"title": "A", "actions": []}]}},
        {"contentType": "DatePicker", "datePicker": {"availableTimes": [{"dateTime": "2031-01-01T10:00:00Z",
                                                                         "duration": 1800}]}},
        {"contentType": "ListPicker", "listPicker": {"receivedMessage": {"title": "Pick"}, "replyMessage": {},
                                                     "sections": [{"items": [{"id": "i1", "title": "One"}]}]}},
        {"contentType": "Attachment", "attachment": {"mediaType": "Image", "url": "https://x.example/a.png",
                                                     "filename": "a.png", "fileSize": 12}},
        {"contentType": "Story", "story": {}},
    ], text="Hello")
    row = row_for(message, lambda: "id", markdown=True)
    assert [p.kind for p in row.parts] == ["markdown", "card", "carousel", "date_picker", "list_picker",
                                           "attachment", "quick_replies", "unsupported"]
    # Parts survive storage exactly.
    again = ChatState(json.loads(json.dumps(ChatState([row]).saved()))).ordered()[0]
    assert again.parts == row.parts


def test_quick_replies_answer_with_the_message_id_and_retire_on_older_rows():
    act = Act()
    row = row_for(bot([{"contentType": "QuickReply", "quickReply": {"text": "Yes", "payload": "Y"}}]), str)
    tree = draw(row, True, ctx(act))
    chip = find(tree, "button", "gcw-chip")
    chip.on["click"](None)
    assert act.answers == [("QuickReply", "Yes", "Y", "m1")]
    assert find(draw(row, False), "button", "gcw-chip") is None


def test_hostile_fields_never_become_markup_handlers_or_unsafe_urls():
    evil = "<img src=x onerror=alert(1)>"
    message = bot([{"contentType": "Card", "card": {
        "title": evil, "description": evil, "image": "javascript:alert(1)",
        "defaultAction": {"type": "Link", "url": "javascript:alert(2)"},
        "actions": [{"type": "Link", "text": evil, "url": "data:text/html,<script>alert(3)</script>"}]}},
        {"contentType": "Attachment", "attachment": {"mediaType": "Image", "url": "javascript:alert(4)",
                                                     "filename": evil}}], text="**" + evil + "** [x](javascript:alert(5))")
    tree = draw(row_for(message, str, markdown=True))
    for node in walk(tree):
        if isinstance(node, El):
            for name in node.attrs:
                assert not name.startswith("on"), name
                assert "javascript" not in node.attrs[name].lower() and "data:" not in node.attrs[name].lower()
            assert node.tag not in ("script", "iframe", "object")
    assert evil in text_of(tree)  # the words stay, as text
    assert find_all(tree, "a") == []  # no safe URL anywhere: no link


def test_a_failing_custom_renderer_falls_back_to_the_default():
    logged = []

    def broken(props, h, ctx):
        raise RuntimeError("boom")

    context = render_mod.Context(render_mod.Renderers({"text": broken}, lambda level, text: logged.append(text)),
                                 h, t, render_mod.PlainFormat(), Act())
    row = row_for(parse_message({"id": "a", "type": "Text", "text": "still here", "direction": "Outbound",
                                 "channel": {"time": "2026-01-01T10:00:00Z"}}), str)
    assert "still here" in text_of(draw(row, True, context)) and "boom" in logged[0]


def test_layout_groups_one_senders_messages_and_separates_days():
    def msg(mid, time, entity="Bot"):
        return row_for(parse_message({"id": mid, "type": "Text", "text": mid, "direction": "Outbound",
                                      "originatingEntity": entity, "channel": {"time": time}}), str)
    rows = [msg("a", "2026-01-01T10:00:00Z"), msg("b", "2026-01-01T10:01:00Z"), msg("c", "2026-01-01T10:30:00Z"),
            msg("d", "2026-01-02T09:00:00Z")]
    items = render_mod.layout(rows, render_mod.PlainFormat().day_key)
    shape = [(i[0], i[1] if i[0] == "day" else i[1].key, i[2] if i[0] == "row" else None,
              i[3] if i[0] == "row" else None) for i in items]
    assert shape == [("day", "day:2026-01-01", None, None), ("row", "a", True, False), ("row", "b", False, True),
                     ("row", "c", True, True), ("day", "day:2026-01-02", None, None), ("row", "d", True, True)]


def test_typing_names_the_bot_that_wrote_last():
    state = ChatState([row_for(parse_message({
        "id": "b", "type": "Text", "text": "hi", "direction": "Outbound", "originatingEntity": "Bot",
        "channel": {"time": "2026-01-01T10:00:00Z", "from": {"nickname": "Demo Bot"}}}), str)])
    state.agent_typing(None, 10_000)
    assert state.view(5_000).typing == "Demo Bot is typing…"


def test_a_customer_draws_a_content_kind_we_have_no_default_for():
    message = bot([{"contentType": "Video", "video": {"url": "https://example.com/v.mp4"}},
                   {"contentType": "Video", "video": {"url": "https://example.com/w.mp4"}}])
    row = row_for(message, lambda: "x")
    unsupported = [p for p in row.parts if p.kind == "unsupported"][0]
    assert unsupported.props["kinds"] == ["Video"] and len(unsupported.props["items"]) == 2
    assert find(draw(row), cls="gcw-unsupported") is not None  # no renderer: the plain sentence

    def video(props, h, context):
        return h("a", {"class": "video", "href": props["data"]["url"]}, "Watch")

    custom = render_mod.Context(render_mod.Renderers({"content:Video": video}), h, t, render_mod.PlainFormat(), Act())
    node = draw(row, context=custom)
    links = find_all(node, tag="a", cls="video")
    assert [a.attrs["href"] for a in links] == ["https://example.com/v.mp4", "https://example.com/w.mp4"]
    assert find(node, cls="gcw-unsupported") is None
    saved = parts_mod.restored(json.loads(json.dumps([list(p) for p in row.parts])))
    assert saved == row.parts  # what the customer's renderer needs survives a reload


def test_notice_and_typing_are_registry_entries():
    pressed = []
    act = Act()
    act.notice_button = lambda: pressed.append(True)
    node = render_mod.Renderers().draw("notice", {"title": "Chat ended", "message": "Bye", "action": "",
                                                  "kind": "info", "button": "Start a new chat"}, h, ctx(act))
    assert text_of(find(node, cls="gcw-notice-title")) == "Chat ended" and find(node, cls="gcw-notice-action") is None
    button = find(node, tag="button")
    assert button.attrs["id"] == "chat-notice-button" and text_of(button) == "Start a new chat"
    button.on["click"](None)
    assert pressed == [True]
    typing = render_mod.Renderers().draw("typing", {"text": "Demo Bot is typing…"}, h, ctx())
    assert text_of(typing) == "Demo Bot is typing…"


def test_the_default_composer_entry_draws_the_ids_the_edge_wires():
    node = render_mod.Renderers().draw("composer", {"hint": "Type a message", "enabled": True, "attachments": False,
                                                    "accept": ""}, h, ctx())
    ids = [n.attrs.get("id") for n in walk(node) if isinstance(n, El)]
    assert [i for i in ids if i] == ["chat-attach", "chat-file", "chat-input", "chat-send"]
    field = find(node, tag="textarea")
    assert field.attrs["placeholder"] == "Type a message" and "disabled" not in field.attrs
    assert find(node, tag="button").attrs.get("hidden") is not None  # no attachments: no paperclip


def test_attribute_names_are_judged_in_lower_case_however_written():
    """The builder remembers its verdict per name as written: "HREF" is still an href (checked
    by scheme), "onClick" is still refused, and asking again gives the same answer."""
    for _ in range(2):
        link = h("a", {"HREF": "javascript:alert(1)", "Class": "x", "onClick": "alert(1)", "DATA-Row": "r1"})
        assert link.attrs == {"class": "x", "data-row": "r1"}, link.attrs
        good = h("a", {"HREF": "https://example.com/"})
        assert good.attrs == {"href": "https://example.com/"}
        image = h("img", {"Src": "data:image/png;base64,AAAA", "ALT": ""})
        assert image.attrs == {"alt": ""}
