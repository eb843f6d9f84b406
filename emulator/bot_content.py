"""The rich content the scripted bot sends, one builder per content type a client must render
(reference §3.5). Shapes follow the schema's `Content*` definitions; where the schema and the
reference differ, the schema wins (emulator/README.md, Choices).
"""
import datetime

from . import attachments, static_bot


def _quick_reply(text, payload):
    return {"contentType": "QuickReply", "quickReply": {"text": text, "payload": payload, "action": "Message"}}


# The menu doubles as the list of keywords, so a tester can reach every content type by clicking.
QUICK_REPLIES = [
    _quick_reply("Talk to an agent", "agent"),
    _quick_reply("Card", "card"),
    _quick_reply("Carousel", "carousel"),
    _quick_reply("Markdown", "markdown"),
    _quick_reply("Date picker", "date"),
    _quick_reply("List picker", "list"),
    _quick_reply("Logo file", "file"),
    _quick_reply("Picture", "picture"),
    _quick_reply("PDF", "pdf"),
    _quick_reply("Everything", "everything"),
    _quick_reply("Goodbye", "bye"),
]


def card(base):
    """One card; its image is served by the emulator (`base` = where the guest reached us)."""
    return [{"contentType": "Card", "card": {
        "title": "Demo product",
        "description": "A card with a postback button and a link.",
        "image": static_bot.card_image_url(base, "product"),
        "defaultAction": {"type": "Link", "text": "Open", "url": "https://example.com/product"},
        "actions": [
            {"type": "Postback", "text": "Talk to an agent", "payload": "agent"},
            {"type": "Link", "text": "Learn more", "url": "https://example.com/product"},
        ],
    }}]


def _plan_card(base, name, description):
    slug = name.lower()
    return {
        "title": "%s plan" % name,
        "description": description,
        "image": static_bot.card_image_url(base, slug),
        "actions": [
            {"type": "Postback", "text": "Choose %s" % name, "payload": "plan-%s" % slug},
            {"type": "Link", "text": "Details", "url": "https://example.com/plans/%s" % slug},
        ],
    }


def carousel(base):
    return [{"contentType": "Carousel", "carousel": {"cards": [
        _plan_card(base, "Basic", "Chat support on weekdays."),
        _plan_card(base, "Plus", "Chat and phone support, seven days a week."),
        _plan_card(base, "Pro", "A named agent and a four-hour answer guarantee."),
    ]}}]


# Genesys Messenger markdown: everything a safe renderer has to turn into markup (and nothing
# more): emphasis, strikethrough, inline and fenced code (whose content stays literal), both
# list kinds, a link, paragraphs (blank line) and a single line break (one newline).
MARKDOWN_TEXT = (
    "Here is **bold**, _italic_, ~~strikethrough~~ and `inline code`.\n"
    "This sentence starts after a single line break.\n"
    "\n"
    "A new paragraph, then a bulleted list:\n"
    "\n"
    "* first point\n"
    "* second point\n"
    "* third point\n"
    "\n"
    "An ordered list:\n"
    "\n"
    "1. step one\n"
    "2. step two\n"
    "3. step three\n"
    "\n"
    "A code block (markdown inside stays literal):\n"
    "\n"
    "```\n"
    "def greet(name):\n"
    "    return \"**not bold** for \" + name\n"
    "```\n"
    "\n"
    "More on our [site](https://example.com)."
)

LIST_PICKER_ITEMS = {
    "topic-billing": "Billing",
    "topic-orders": "Orders and delivery",
    "topic-account": "My account",
    "topic-other": "Something else",
}

LIST_PICKER = [{"contentType": "ListPicker", "listPicker": {
    "id": "demo-topics",
    "receivedMessage": {"title": "What is your question about?", "subtitle": "Pick one topic.",
                        "buttonLabel": "Choose"},
    "replyMessage": {"title": "Thanks for choosing"},
    "sections": [
        {"title": "Shopping", "multipleSelection": False, "items": [
            {"id": "topic-billing", "title": "Billing", "subtitle": "Invoices, refunds, payment methods"},
            {"id": "topic-orders", "title": "Orders and delivery", "subtitle": "Where is my parcel?"},
        ]},
        {"title": "Other", "multipleSelection": False, "items": [
            {"id": "topic-account", "title": "My account", "subtitle": "Sign-in, address, preferences"},
            {"id": "topic-other", "title": "Something else"},
        ]},
    ],
}}]

SLOT_SECONDS = 1800


def date_picker(now=None):
    """Four half-hour slots on the next three days, so every offered time is in the future."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    starts = [day + datetime.timedelta(days=1, hours=10), day + datetime.timedelta(days=1, hours=14),
              day + datetime.timedelta(days=2, hours=11), day + datetime.timedelta(days=3, hours=9, minutes=30)]
    return [{"contentType": "DatePicker", "datePicker": {
        "title": "Book an appointment",
        "subtitle": "Pick a time that suits you.",
        "availableTimes": [{"dateTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "duration": SLOT_SECONDS}
                           for start in starts],
    }}]


def logo_attachment(base):
    """The small logo at a fixed, never-expiring URL (the `file` keyword)."""
    return [{"contentType": "Attachment", "attachment": {
        "id": "demo-bot-logo", "mediaType": "Image", "mime": "image/png", "filename": "logo.png",
        "fileSize": len(static_bot.LOGO_PNG), "url": base + static_bot.LOGO_PATH}}]


def photo_attachment(region, session, base):
    """A 400x300 PNG behind a signed, expiring download link of the session (`picture`)."""
    return [attachments.bot_file(region, session, base, static_bot.PHOTO_NAME, "image/png", static_bot.photo_png())]


def pdf_attachment(region, session, base):
    """A one-page PDF behind a signed, expiring download link of the session (`pdf`)."""
    return [attachments.bot_file(region, session, base, static_bot.PDF_NAME, "application/pdf", static_bot.PDF)]


def picked_label(button):
    """What a guest's button response chose, in words, for the bot's acknowledgement."""
    payload = button.get("payload", "")
    if button.get("type") == "ListPicker":
        ids = [part.strip() for part in payload.split(",") if part.strip()]
        return ", ".join(LIST_PICKER_ITEMS.get(item, item) for item in ids) or payload
    if button.get("type") == "DatePicker":
        return payload
    return button.get("text") or payload
