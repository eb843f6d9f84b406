"""Every content type the scripted bot can send (keywords and menu), the guest's button
responses to them, and the same content sent through the control API."""
import datetime
import struct
import time
import urllib.parse

import httpx
import pytest
from emulator_harness import is_text, validate_content
from shyrka import FrameInvalid

from emulator import bot_content


def _reply_to(guest, text):
    """Say `text` to a fresh conversation and return the bot's answer (after its greeting)."""
    guest.say(text)
    guest.expect(lambda f: is_text(f, "Bot"))  # greeting
    return guest.expect(lambda f: is_text(f, "Bot"))["body"]


def _content(body, content_type):
    items = [c for c in body.get("content", []) if c["contentType"] == content_type]
    assert items, "no %s content in %s" % (content_type, body)
    return items[0][content_type[0].lower() + content_type[1:]]


def _respond(guest, button_type, text, payload, message_type="Text"):
    time.sleep(0.5)  # stay under 2 messages per second
    guest.action("onMessage", message={"type": message_type, "text": text, "content": [
        {"contentType": "ButtonResponse", "buttonResponse": {"type": button_type, "text": text, "payload": payload}}]})
    echo = guest.expect(lambda f: is_text(f, direction="Inbound"))
    assert echo["body"]["content"][0]["buttonResponse"]["payload"] == payload
    return guest.expect(lambda f: is_text(f, "Bot"))["body"]


@pytest.mark.parametrize("text, content_type", [
    ("carousel", "Carousel"), ("Show me a CAROUSEL please", "Carousel"), ("date", "DatePicker"),
    ("an appointment?", "DatePicker"), ("list", "ListPicker"), ("file", "Attachment"), ("a Picture", "Attachment"),
    ("card", "Card"), ("menu", "QuickReply"),
])
def test_keyword_sends_its_content_type(emulator, text, content_type):
    guest = emulator.guest()
    guest.configure()
    body = _reply_to(guest, text)
    assert body["type"] == "Structured" and body["originatingEntity"] == "Bot"
    assert [c["contentType"] for c in body["content"]] == [content_type] * len(body["content"])
    guest.close()


def test_keywords_match_whole_words_only(emulator):
    guest = emulator.guest()
    guest.configure()
    body = _reply_to(guest, "update the listing profile")
    assert body["type"] == "Text" and "content" not in body
    guest.close()


def test_markdown_reply_is_text_with_messenger_markdown(emulator):
    guest = emulator.guest()
    guest.configure()
    body = _reply_to(guest, "Markdown")
    assert body["type"] == "Text" and "content" not in body
    text = body["text"]
    for fragment in ("**bold**", "_italic_", "[site](https://example.com)", "`inline code`", "\n* first point\n"):
        assert fragment in text
    guest.close()


def test_menu_offers_every_keyword(emulator):
    guest = emulator.guest()
    guest.configure()
    body = _reply_to(guest, "menu")
    payloads = {c["quickReply"]["payload"] for c in body["content"]}
    assert {"agent", "card", "carousel", "markdown", "date", "list", "file", "bye"} <= payloads
    guest.close()


def test_carousel_cards_and_postback(emulator):
    guest = emulator.guest()
    guest.configure()
    cards = _content(_reply_to(guest, "carousel"), "Carousel")["cards"]
    assert len(cards) == 3
    for card in cards:
        assert card["title"] and card["description"] and card["image"].startswith("https://")
        assert {a["type"] for a in card["actions"]} == {"Postback", "Link"}
    postback = next(a for a in cards[1]["actions"] if a["type"] == "Postback")
    reply = _respond(guest, "Button", postback["text"], postback["payload"], message_type="Structured")
    assert reply["text"].startswith("You picked: %s" % postback["text"])
    guest.close()


def test_date_picker_offers_future_slots_and_takes_a_pick(emulator):
    guest = emulator.guest()
    guest.configure()
    picker = _content(_reply_to(guest, "appointment"), "DatePicker")
    assert picker["title"] and picker["subtitle"]
    slots = picker["availableTimes"]
    assert 3 <= len(slots) <= 4
    now = datetime.datetime.now(datetime.timezone.utc)
    for slot in slots:
        when = datetime.datetime.fromisoformat(slot["dateTime"].replace("Z", "+00:00"))
        assert when.date() > now.date() and slot["duration"] == 1800
    chosen = slots[2]["dateTime"]
    reply = _respond(guest, "DatePicker", "", chosen)
    assert reply["text"].startswith("You picked: %s" % chosen)
    guest.close()


def test_list_picker_and_its_response(emulator):
    guest = emulator.guest()
    guest.configure()
    picker = _content(_reply_to(guest, "list"), "ListPicker")
    assert picker["receivedMessage"]["title"] and picker["sections"]
    item = picker["sections"][0]["items"][0]
    reply = _respond(guest, "ListPicker", item["title"], item["id"])
    assert reply["text"].startswith("You picked: %s" % item["title"])
    guest.close()


def test_quick_reply_is_acknowledged_and_acted_on(emulator):
    guest = emulator.guest()
    guest.configure()
    replies = [c["quickReply"] for c in _reply_to(guest, "menu")["content"]]
    carousel = next(r for r in replies if r["payload"] == "carousel")
    reply = _respond(guest, "QuickReply", carousel["text"], carousel["payload"])
    assert reply["text"].startswith("You picked: %s" % carousel["text"])
    assert _content(reply, "Carousel")["cards"]
    guest.close()


def test_file_reply_points_at_a_served_png(emulator):
    guest = emulator.guest()
    guest.configure()
    attachment = _content(_reply_to(guest, "file"), "Attachment")
    assert (attachment["mediaType"], attachment["mime"], attachment["filename"]) == ("Image", "image/png", "logo.png")
    assert urllib.parse.urlsplit(attachment["url"]).netloc == urllib.parse.urlsplit(emulator.base).netloc
    response = httpx.get(attachment["url"])
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    png = response.content
    assert len(png) == attachment["fileSize"] and png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png[12:16] == b"IHDR" and struct.unpack(">II", png[16:24]) == (16, 16) and png.endswith(b"IEND\xaeB`\x82")
    guest.close()


def _all_content(base):
    return {
        "QuickReply": bot_content.QUICK_REPLIES,
        "Card": bot_content.CARD,
        "Carousel": bot_content.CAROUSEL,
        "DatePicker": bot_content.date_picker(),
        "ListPicker": bot_content.LIST_PICKER,
        "Attachment": bot_content.logo_attachment(base),
    }


@pytest.mark.parametrize("speaker", ["bot", "agent"])
@pytest.mark.parametrize("content_type", ["QuickReply", "Card", "Carousel", "DatePicker", "ListPicker", "Attachment"])
def test_control_api_sends_each_content_type(emulator, speaker, content_type):
    emulator.patch(bot=False)
    guest = emulator.guest()
    guest.configure()
    if speaker == "agent":
        assert emulator.control(guest.token, "agent/join", {"firstName": "Sam"}).status_code == 200
    content = _all_content(emulator.base)[content_type]
    response = emulator.control(guest.token, speaker + "/say", {"text": "Look:", "content": content})
    assert response.status_code == 200, response.text
    pushed = guest.expect(lambda f: is_text(f, "Bot" if speaker == "bot" else "Human"))["body"]
    assert pushed["type"] == "Structured" and pushed["content"] == content
    guest.close()


def test_control_api_sends_markdown_text(emulator):
    guest = emulator.guest()
    guest.configure()
    assert emulator.control(guest.token, "bot/say", {"text": bot_content.MARKDOWN_TEXT}).status_code == 200
    assert guest.expect(lambda f: is_text(f, "Bot"))["body"]["text"] == bot_content.MARKDOWN_TEXT
    guest.close()


def test_content_check_catches_a_malformed_item():
    bad = {"type": "message", "class": "StructuredMessage", "code": 200, "body": {"type": "Structured", "content": [
        {"contentType": "ListPicker", "listPicker": {"sections": []}}]}}
    with pytest.raises(FrameInvalid):
        validate_content(bad)
    with pytest.raises(FrameInvalid):
        validate_content({"class": "StructuredMessage", "body": {"content": [{"contentType": "Carousel"}]}})
