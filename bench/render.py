"""The stored transcripts the drawing benchmarks start from (bench/history.py, bench/scroll.py):
a mix of every content kind (text, Markdown, cards, carousels, date and list pickers, images,
files, quick replies, guest messages), as a returning guest's page has it in localStorage.
"""


def _card(i, base):
    return {"title": "Plan %d" % i, "description": "A plan with **no** markup, number %d." % i,
            "image": base + "/static-bot/cards/basic.png", "default": None,
            "actions": [{"type": "Postback", "text": "Choose %d" % i, "url": "", "payload": "p%d" % i},
                        {"type": "Link", "text": "Details", "url": "https://example.com/%d" % i, "payload": ""}]}


def transcript(count, base, rich_every=1):
    """`count` stored rows cycling through every content kind; with `rich_every` N, only one
    cycle in N has the rich kinds (cards, carousels, pickers, files), the others plain and
    Markdown text and guest messages: 10,000 rows of the full mix (~4.5 MB) do not fit in
    localStorage, which holds about 5 million characters per site."""
    rows = []
    for i in range(count):
        minute, second = divmod(i, 60)
        time = "2026-01-01T%02d:%02d:%02d.000Z" % (8 + minute // 60, minute % 60, second)
        kind = i % 10
        if rich_every > 1 and (i // 10) % rich_every and kind not in (0, 3, 7):
            kind = 9
        side, author = ("guest", "You") if kind in (3, 7) else ("bot", "Demo Bot")
        if kind in (3, 7):
            parts = [["text", {"text": "Guest message %d with some words in it" % i}]]
        elif kind == 0:
            parts = [["markdown", {"text": "Here is **bold**, _italic_ and `code` with a [link](https://example.com)."
                                           "\n\n* one\n* two\n* three"}]]
        elif kind == 1:
            parts = [["text", {"text": "Pick a card"}], ["card", dict(_card(i, base), message_id="m%d" % i)]]
        elif kind == 2:
            parts = [["carousel", {"cards": [_card(i, base), _card(i + 1, base), _card(i + 2, base)],
                                   "message_id": "m%d" % i}]]
        elif kind == 4:
            parts = [["date_picker", {"id": "", "title": "Book", "subtitle": "", "image": "", "message_id": "m%d" % i,
                                      "times": [{"start": "2031-03-0%dT%02d:00:00Z" % (1 + d, 9 + h), "duration": 1800}
                                                for d in range(2) for h in range(3)]}]]
        elif kind == 5:
            parts = [["list_picker", {"id": "l%d" % i, "title": "Topic", "subtitle": "", "button": "Choose",
                                      "message_id": "m%d" % i, "sections": [{"title": "All", "multiple": False, "items": [
                                          {"id": "a", "title": "Billing", "subtitle": "Invoices", "image": ""},
                                          {"id": "b", "title": "Orders", "subtitle": "", "image": ""}]}]}]]
        elif kind == 6:
            parts = [["attachment", {"id": "", "url": base + "/static-bot/logo.png", "filename": "logo.png", "size": 300,
                                     "media_type": "Image", "mime": "image/png", "text": ""}]]
        elif kind == 8:
            parts = [["attachment", {"id": "f%d" % i, "url": "https://files.example/doc.pdf", "filename": "doc.pdf",
                                     "size": 123456, "media_type": "File", "mime": "application/pdf", "text": ""}]]
        else:
            parts = [["text", {"text": "A plain bot line number %d." % i}],
                     ["quick_replies", {"replies": [{"text": "Yes", "payload": "y", "image": ""}], "message_id": "m%d" % i}]]
        rows.append({"key": "r%d" % i, "side": side, "author": author, "avatar": "", "text": "row %d" % i,
                     "status": "sent" if side == "guest" else "", "time": time, "note": "", "parts": parts})
    return rows
