"""Every content type the scripted bot can send (keywords and menu), the guest's button
responses to them, the files it serves, and the same content sent through the control API."""
import datetime
import re
import struct
import time
import urllib.parse
import zlib

import httpx
import pytest
from emulator_harness import is_event, is_text, validate_content
from shyrka import FrameInvalid

from emulator import bot_content, frames


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
    assert echo["body"]["type"] == "Structured"  # a ButtonResponse echo is Structured (SDK fixtures)
    return guest.expect(lambda f: is_text(f, "Bot"))["body"]


def _fetch(url, content_type):
    """GET `url` from the emulator itself (never elsewhere) and check its Content-Type."""
    assert url.startswith("http://127.0.0.1:"), url
    response = httpx.get(url)
    assert response.status_code == 200, (url, response.text)
    assert response.headers["content-type"] == content_type
    return response.content


def _png_size(png):
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR" and png.endswith(b"IEND\xaeB`\x82")
    return struct.unpack(">II", png[16:24])


def _png_pixels(png):
    """The RGB rows of one of our PNGs (8-bit RGB, filter 0 on every row), to check its picture."""
    width, height = _png_size(png)
    data, at = b"", 8
    while at < len(png):
        length, kind = struct.unpack(">I", png[at:at + 4])[0], png[at + 4:at + 8]
        if kind == b"IDAT":
            data += png[at + 8:at + 8 + length]
        at += 12 + length
    raw = zlib.decompress(data)
    stride = width * 3 + 1
    assert len(raw) == stride * height and all(raw[y * stride] == 0 for y in range(height))
    return [raw[y * stride + 1:(y + 1) * stride] for y in range(height)]


@pytest.mark.parametrize("text, content_type", [
    ("carousel", "Carousel"), ("Show me a CAROUSEL please", "Carousel"), ("date", "DatePicker"),
    ("an appointment?", "DatePicker"), ("list", "ListPicker"), ("card", "Card"), ("menu", "QuickReply"),
])
def test_keyword_sends_its_structured_content(emulator, text, content_type):
    guest = emulator.guest()
    guest.configure()
    body = _reply_to(guest, text)
    assert body["type"] == "Structured" and body["originatingEntity"] == "Bot"
    assert [c["contentType"] for c in body["content"]] == [content_type] * len(body["content"])
    guest.close()


@pytest.mark.parametrize("text, filename", [
    ("file", "logo.png"), ("send me a FILE", "logo.png"), ("a Picture", "demo-photo.png"), ("image", "demo-photo.png"),
    ("photo", "demo-photo.png"), ("pdf", "demo-document.pdf"), ("the document please", "demo-document.pdf"),
])
def test_attachment_keywords_send_a_text_message_with_one_attachment(emulator, text, filename):
    # Attachment-only content is a "Text" message (SDK fixture onMessageWithAttachment); the
    # transport SDK would drop it as an unknown "Structured" one.
    guest = emulator.guest()
    guest.configure()
    body = _reply_to(guest, text)
    assert body["type"] == "Text" and body["originatingEntity"] == "Bot" and body["text"]
    assert [c["contentType"] for c in body["content"]] == ["Attachment"]
    assert body["content"][0]["attachment"]["filename"] == filename
    guest.close()


@pytest.mark.parametrize("content, expected", [
    (None, "Text"), ([], "Text"),
    ([{"contentType": "Attachment", "attachment": {"mediaType": "Image"}}], "Text"),
    ([{"contentType": "Attachment", "attachment": {"mediaType": "Image"}}] * 2, "Text"),
    ([{"contentType": "QuickReply", "quickReply": {}}], "Structured"),
    ([{"contentType": "Attachment", "attachment": {}}, {"contentType": "QuickReply", "quickReply": {}}],
     "Structured"),
    ([{"contentType": "Card"}], "Structured"), ([{"contentType": "Carousel"}], "Structured"),
    ([{"contentType": "DatePicker"}], "Structured"), ([{"contentType": "ListPicker"}], "Structured"),
    ([{"contentType": "ButtonResponse"}], "Structured"), ([{"contentType": "Form"}], "Structured"),
])
def test_message_type_follows_the_content(content, expected):
    assert frames.message_type(content) == expected
    assert frames.text_body("x", "Outbound", content=content)["type"] == expected


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
    assert text == bot_content.MARKDOWN_TEXT
    for fragment in ("**bold**", "_italic_", "~~strikethrough~~", "`inline code`", "[site](https://example.com)",
                     "\n\n* first point\n* second point\n", "\n\n1. step one\n2. step two\n",
                     "\n```\n", "**not bold**"):
        assert fragment in text, fragment
    paragraphs = text.split("\n\n")
    assert len(paragraphs) >= 5
    assert "\n" in paragraphs[0] and not paragraphs[0].startswith(("* ", "1. ", "```"))  # a single line break
    fence = re.search(r"\n```\n(.*?)\n```\n", text, re.S)
    assert fence and "**not bold**" in fence.group(1)  # markdown inside a code block stays literal
    guest.close()


def test_menu_offers_every_keyword_with_short_labels(emulator):
    guest = emulator.guest()
    guest.configure()
    body = _reply_to(guest, "menu")
    replies = [c["quickReply"] for c in body["content"]]
    assert [r["payload"] for r in replies] == ["agent", "card", "carousel", "markdown", "date", "list", "file",
                                               "picture", "pdf", "everything", "bye"]
    assert all(len(r["text"]) <= 16 for r in replies)
    guest.close()


def test_card_image_is_served_by_the_emulator(emulator):
    guest = emulator.guest()
    guest.configure()
    card = _content(_reply_to(guest, "card"), "Card")
    assert card["image"] == emulator.base + "/static-bot/cards/product.png"
    assert _png_size(_fetch(card["image"], "image/png")) == (320, 180)
    assert card["defaultAction"]["url"].startswith("https://example.com/")  # links are not fetched
    guest.close()


def test_carousel_cards_and_postback(emulator):
    guest = emulator.guest()
    guest.configure()
    cards = _content(_reply_to(guest, "carousel"), "Carousel")["cards"]
    assert len(cards) == 3
    images = set()
    for card in cards:
        assert card["title"] and card["description"]
        assert urllib.parse.urlsplit(card["image"]).netloc == urllib.parse.urlsplit(emulator.base).netloc
        png = _fetch(card["image"], "image/png")
        assert _png_size(png) == (320, 180)
        images.add(png)
        assert {a["type"] for a in card["actions"]} == {"Postback", "Link"}
    assert len(images) == 3  # a different picture per card
    postback = next(a for a in cards[1]["actions"] if a["type"] == "Postback")
    reply = _respond(guest, "Button", postback["text"], postback["payload"], message_type="Structured")
    assert reply["text"].startswith("You picked: %s" % postback["text"])
    guest.close()


def test_card_images_differ_in_colour_and_unknown_ones_are_404(emulator):
    grounds = set()
    for name in ("product", "basic", "plus", "pro"):
        rows = _png_pixels(_fetch("%s/static-bot/cards/%s.png" % (emulator.base, name), "image/png"))
        centre, corner = bytes(rows[90][160 * 3:161 * 3]), bytes(rows[2][2 * 3:3 * 3])
        assert centre != corner  # a shape on a ground
        grounds.add(corner)
    assert len(grounds) == 4
    for path in ("/static-bot/cards/nope.png", "/static-bot/cards/product.jpg"):
        assert httpx.get(emulator.base + path).status_code == 404


def test_date_picker_offers_future_slots_and_takes_a_pick(emulator):
    guest = emulator.guest()
    guest.configure()
    picker = _content(_reply_to(guest, "appointment"), "DatePicker")
    assert picker["title"] and picker["subtitle"]
    assert "UTC" not in picker["subtitle"]  # the client shows the slots in the guest's own zone
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
    body = _reply_to(guest, "file")
    assert body["type"] == "Text"
    attachment = _content(body, "Attachment")
    assert (attachment["mediaType"], attachment["mime"], attachment["filename"]) == ("Image", "image/png", "logo.png")
    assert attachment["url"] == emulator.base + "/static-bot/logo.png"
    png = _fetch(attachment["url"], "image/png")
    assert len(png) == attachment["fileSize"] and _png_size(png) == (16, 16)
    guest.close()


def _expires(url):
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert set(query) == {"expires", "sig"}, url
    return int(query["expires"][0])


def test_picture_is_a_400x300_png_behind_a_signed_link(emulator):
    guest = emulator.guest()
    guest.configure()
    body = _reply_to(guest, "picture")
    attachment = _content(body, "Attachment")
    assert (attachment["mediaType"], attachment["mime"], attachment["filename"]) == (
        "Image", "image/png", "demo-photo.png")
    assert attachment["url"].startswith(emulator.base + "/uploads/%s?" % attachment["id"])
    assert 599 <= _expires(attachment["url"]) - time.time() <= 601  # the deployment's downloadUrlSeconds
    png = _fetch(attachment["url"], "image/png")
    assert len(png) == attachment["fileSize"] and _png_size(png) == (400, 300)
    rows = _png_pixels(png)
    assert len({bytes(row[i:i + 3]) for row in rows[::10] for i in range(0, 1200, 30)}) > 5  # a picture
    guest.close()


def _check_pdf(pdf):
    """A well-formed one-page PDF: header, objects where the xref says, trailer, EOF."""
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf).group(1))
    assert pdf[startxref:startxref + 4] == b"xref"
    first, count = map(int, re.match(rb"xref\s+(\d+) (\d+)\s", pdf[startxref:]).groups())
    entries = re.findall(rb"(\d{10}) (\d{5}) ([nf]) ?\r?\n", pdf[startxref:])[:count]
    assert first == 0 and len(entries) == count > 1
    for number, (offset, _, kind) in enumerate(entries):
        if kind == b"n":
            assert pdf[int(offset):].startswith(b"%d 0 obj" % number), number
    assert b"/Type /Catalog" in pdf and b"/Count 1" in pdf and b"/Root 1 0 R" in pdf
    length = int(re.search(rb"<< /Length (\d+) >>\nstream\n", pdf).group(1))
    stream = pdf.split(b"stream\n", 1)[1]
    assert stream[length:].startswith(b"\nendstream")


def test_pdf_is_a_file_attachment_behind_a_signed_link(emulator):
    guest = emulator.guest()
    guest.configure()
    body = _reply_to(guest, "pdf")
    assert body["type"] == "Text"
    attachment = _content(body, "Attachment")
    assert (attachment["mediaType"], attachment["mime"], attachment["filename"]) == (
        "File", "application/pdf", "demo-document.pdf")
    assert attachment["url"].startswith(emulator.base + "/uploads/")
    pdf = _fetch(attachment["url"], "application/pdf")
    assert len(pdf) == attachment["fileSize"]
    _check_pdf(pdf)
    guest.close()


@pytest.mark.parametrize("keyword, content_type", [("photo", "image/png"), ("document", "application/pdf")])
def test_bot_file_link_expires_and_get_attachment_renews_it(emulator, keyword, content_type):
    emulator.patch(downloadUrlSeconds=0)  # every link is born expired
    guest = emulator.guest()
    guest.configure()
    attachment = _content(_reply_to(guest, keyword), "Attachment")
    expired = httpx.get(attachment["url"])
    assert expired.status_code == 403 and expired.json()["errorCode"] == 4008
    emulator.patch(downloadUrlSeconds=600)
    guest.action("getAttachment", attachmentId=attachment["id"], tracingId="fresh")
    fresh = guest.expect(lambda f: f.get("tracingId") == "fresh")
    assert fresh["class"] == "PresignedUrlResponse" and fresh["body"]["headers"] == {}
    assert (fresh["body"]["fileName"], fresh["body"]["fileType"], fresh["body"]["fileSize"]) == (
        attachment["filename"], attachment["mime"], attachment["fileSize"])
    assert len(_fetch(fresh["body"]["url"], content_type)) == attachment["fileSize"]
    guest.action("deleteAttachment", attachmentId=attachment["id"], tracingId="del")
    assert guest.expect(lambda f: f.get("tracingId") == "del")["code"] == 409  # it was sent, it stays
    other = emulator.guest()
    other.configure()
    other.action("getAttachment", attachmentId=attachment["id"], tracingId="other")
    assert other.expect(lambda f: f.get("tracingId") == "other")["code"] == 4009  # not another session's
    guest.close()
    other.close()


def test_bot_files_are_in_the_history_with_their_links(emulator):
    guest = emulator.guest()
    guest.configure()
    sent = _content(_reply_to(guest, "pdf"), "Attachment")
    guest.action("getJwt", tracingId="jwt")
    jwt = guest.expect(lambda f: f.get("tracingId") == "jwt")["body"]["jwt"]
    history = emulator.http.get("/api/v2/webmessaging/messages", headers={"Authorization": "bearer " + jwt}).json()
    kept = [e for e in history["entities"] if e.get("content")]
    assert kept[0]["type"] == "Text" and kept[0]["content"][0]["attachment"] == sent
    guest.close()


def test_everything_sends_one_message_per_content_kind(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.say("show me everything")
    guest.expect(lambda f: is_text(f, "Bot"))  # greeting
    intro = guest.expect(lambda f: is_text(f, "Bot"))["body"]
    assert "every kind" in intro["text"]
    got = [guest.expect(lambda f: is_text(f, "Bot"), timeout=5)["body"] for _ in range(9)]
    kinds = [(b["type"], [c["contentType"] for c in b.get("content", [])]) for b in got]
    assert kinds == [("Structured", ["Card"]), ("Structured", ["Carousel"]), ("Text", []),
                     ("Structured", ["DatePicker"]), ("Structured", ["ListPicker"]), ("Text", ["Attachment"]),
                     ("Text", ["Attachment"]), ("Text", ["Attachment"]), ("Structured", ["QuickReply"] * 11)]
    assert got[2]["text"] == bot_content.MARKDOWN_TEXT
    assert [b["content"][0]["attachment"]["mime"] for b in got[5:8]] == ["image/png", "image/png", "application/pdf"]
    typing = [f for f in guest.seen if is_event(f, "Typing")]
    assert len(typing) >= 11  # greeting, the answer, and one before each of the nine
    guest.close()


def test_everything_stops_when_an_agent_takes_over(emulator):
    emulator.patch(botDelaySeconds=0.3)
    guest = emulator.guest()
    guest.configure()
    guest.say("everything")
    guest.expect(lambda f: is_text(f, "Bot"))  # greeting
    guest.expect(lambda f: is_text(f, "Bot") and "every kind" in f["body"]["text"])
    assert emulator.control(guest.token, "agent/join", {"firstName": "Sam"}).status_code == 200
    later = guest.quiet(1.5)
    assert len([f for f in later if is_text(f, "Bot")]) <= 1
    guest.close()


def _all_content(base):
    return {
        "QuickReply": bot_content.QUICK_REPLIES,
        "Card": bot_content.card(base),
        "Carousel": bot_content.carousel(base),
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
    assert pushed["type"] == ("Text" if content_type == "Attachment" else "Structured")
    assert pushed["content"] == content
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
