"""The rich content the scripted bot sends, one builder per content type a client must render
(reference §3.5). Shapes follow the schema's `Content*` definitions; where the schema and the
reference differ, the schema wins (emulator/README.md, Choices).
"""
import datetime

from . import static_bot


def _quick_reply(text, payload):
    return {"contentType": "QuickReply", "quickReply": {"text": text, "payload": payload, "action": "Message"}}


# The menu doubles as the list of keywords, so a tester can reach every content type by clicking.
QUICK_REPLIES = [
    _quick_reply("Talk to an agent", "agent"),
    _quick_reply("Show a card", "card"),
    _quick_reply("Show a carousel", "carousel"),
    _quick_reply("Show markdown", "markdown"),
    _quick_reply("Book an appointment", "date"),
    _quick_reply("Pick from a list", "list"),
    _quick_reply("Send me a file", "file"),
    _quick_reply("Goodbye", "bye"),
]

CARD = [{"contentType": "Card", "card": {
    "title": "Demo product",
    "description": "A card with a postback button and a link.",
    "image": "https://example.com/product.png",
    "defaultAction": {"type": "Link", "text": "Open", "url": "https://example.com/product"},
    "actions": [
        {"type": "Postback", "text": "Talk to an agent", "payload": "agent"},
        {"type": "Link", "text": "Learn more", "url": "https://example.com/product"},
    ],
}}]


def _plan_card(name, description):
    slug = name.lower()
    return {
        "title": "%s plan" % name,
        "description": description,
        "image": "https://example.com/plans/%s.png" % slug,
        "actions": [
            {"type": "Postback", "text": "Choose %s" % name, "payload": "plan-%s" % slug},
            {"type": "Link", "text": "Details", "url": "https://example.com/plans/%s" % slug},
        ],
    }


CAROUSEL = [{"contentType": "Carousel", "carousel": {"cards": [
    _plan_card("Basic", "Chat support on weekdays."),
    _plan_card("Plus", "Chat and phone support, seven days a week."),
    _plan_card("Pro", "A named agent and a four-hour answer guarantee."),
]}}]

# Genesys Messenger markdown: what a safe renderer has to turn into markup (and nothing more).
MARKDOWN_TEXT = (
    "Here is **bold**, _italic_ and `inline code`.\n"
    "\n"
    "* first point\n"
    "* second point\n"
    "* third point\n"
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
        "subtitle": "Pick a time that suits you (times in UTC).",
        "availableTimes": [{"dateTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "duration": SLOT_SECONDS}
                           for start in starts],
    }}]


def logo_attachment(base):
    return [{"contentType": "Attachment", "attachment": {
        "id": "demo-bot-logo", "mediaType": "Image", "mime": "image/png", "filename": "logo.png",
        "fileSize": len(static_bot.LOGO_PNG), "url": base + static_bot.LOGO_PATH}}]


def picked_label(button):
    """What a guest's button response chose, in words, for the bot's acknowledgement."""
    payload = button.get("payload", "")
    if button.get("type") == "ListPicker":
        ids = [part.strip() for part in payload.split(",") if part.strip()]
        return ", ".join(LIST_PICKER_ITEMS.get(item, item) for item in ids) or payload
    if button.get("type") == "DatePicker":
        return payload
    return button.get("text") or payload
