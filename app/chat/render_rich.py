"""Default render functions for the rich parts: quick replies, cards, carousels, date and list
pickers, attachments. Each is `fn(props, h, ctx)` returning one node (see app/chat/render.py for
the contract and the registry); `props` are the part's (app/chat/parts.py) plus `live` for the
answerable kinds (False on rows that are history).
"""
from app.chat.safety import safe_image, safe_link

NEW_TAB = {"target": "_blank", "rel": "noopener noreferrer"}


def _link(h, ctx, url, cls, *children):
    """An external link, or plain text when the URL is not safe."""
    if safe_link(url) is None:
        return h("span", {"class": cls + " gcw-link--inert"}, *children)
    attrs = {"class": cls, "href": url}
    attrs.update(NEW_TAB)
    return h("a", attrs, children, h("span", {"class": "gcw-visually-hidden"}, " " + ctx.t("link.new_tab")))


def quick_replies(props, h, ctx):
    if not props.get("live"):
        return None  # retired: answered, or an older message
    chips = []
    message_id = props.get("message_id") or ""
    for reply in props.get("replies") or ():
        text, payload = reply.get("text") or "", reply.get("payload") or ""
        image = safe_image(reply.get("image") or "")

        def click(event, text=text, payload=payload):
            ctx.act.answer("QuickReply", text, payload, message_id)

        chips.append(h("button", {"type": "button", "class": "gcw-chip", "dir": "auto", "on": {"click": click}},
                       h("img", {"class": "gcw-chip-img", "src": image, "alt": ""}) if image else None, text))
    return h("div", {"class": "gcw-quick-replies", "role": "group", "aria-label": ctx.t("quick_replies.label")},
             chips)


def _action(h, ctx, action, message_id, cls):
    text = action.get("text") or ""
    if action.get("type") == "Postback":
        payload = action.get("payload") or text

        def click(event):
            ctx.act.answer("Button", text, payload, message_id)

        return h("button", {"type": "button", "class": cls, "dir": "auto", "on": {"click": click}}, text)
    return _link(h, ctx, action.get("url") or "", cls, text or action.get("url") or "")


def card(props, h, ctx):
    message_id = props.get("message_id") or ""
    default = props.get("default")
    image = safe_image(props.get("image") or "")
    title = props.get("title") or ""
    heading = h("h3", {"class": "gcw-card-title", "dir": "auto"}, title)
    picture = h("img", {"class": "gcw-card-img", "src": image, "alt": "", "loading": "lazy"}) if image else None
    top = [picture, heading]
    if default and default.get("type") == "Link" and safe_link(default.get("url") or ""):
        attrs = {"class": "gcw-card-default", "href": default.get("url")}
        attrs.update(NEW_TAB)
        top = [h("a", attrs, picture, heading,
                 h("span", {"class": "gcw-visually-hidden"}, " " + ctx.t("link.new_tab")))]
    actions = [_action(h, ctx, action, message_id, "gcw-card-action") for action in props.get("actions") or ()]
    return h("div", {"class": "gcw-card"}, top,
             h("p", {"class": "gcw-card-text", "dir": "auto"}, props.get("description") or "")
             if props.get("description") else None,
             h("div", {"class": "gcw-card-actions"}, actions) if actions else None)


def carousel(props, h, ctx):
    cards = props.get("cards") or ()
    count = len(cards)
    slides = []
    for index, item in enumerate(cards):
        card_props = dict(item)
        card_props["message_id"] = props.get("message_id") or ""
        slides.append(h("div", {"class": "gcw-carousel-item", "role": "group", "aria-roledescription": "slide",
                                "aria-label": ctx.t("carousel.position", index=index + 1, count=count)},
                        ctx.render("card", card_props)))
    track = h("div", {"class": "gcw-carousel-track", "tabindex": "0", "aria-label": ctx.t("carousel.label", count=count),
                      "on": {"scroll": ctx.act.carousel_scrolled, "keydown": ctx.act.carousel_key}}, slides)
    nav = None
    if count > 1:
        nav = h("div", {"class": "gcw-carousel-nav"},
                h("button", {"type": "button", "class": "gcw-carousel-prev", "aria-label": ctx.t("carousel.previous"),
                             "on": {"click": lambda event: ctx.act.carousel_step(event, -1)}}, "‹"),
                h("span", {"class": "gcw-carousel-pos", "aria-live": "polite", "data-count": str(count)},
                  ctx.t("carousel.position", index=1, count=count)),
                h("button", {"type": "button", "class": "gcw-carousel-next", "aria-label": ctx.t("carousel.next"),
                             "on": {"click": lambda event: ctx.act.carousel_step(event, 1)}}, "›"))
    return h("section", {"class": "gcw-carousel", "aria-roledescription": "carousel",
                         "aria-label": ctx.t("carousel.label", count=count)}, track, nav)


def _duration(ctx, seconds):
    minutes = int(seconds // 60)
    if minutes <= 0:
        return ""
    if minutes < 60:
        return ctx.t("date.duration_min", minutes=minutes)
    if minutes % 60 == 0:
        return ctx.t("date.duration_h", hours=minutes // 60)
    return ctx.t("date.duration_hm", hours=minutes // 60, minutes=minutes % 60)


def date_picker(props, h, ctx):
    live = bool(props.get("live"))
    message_id = props.get("message_id") or ""
    days = []  # [(day key, label, [slots])] in the order offered
    index = {}
    for slot in props.get("times") or ():
        start = slot.get("start") or ""
        key = ctx.fmt.day_key(start)
        if key is None:
            continue  # not a date: never shown, never sent
        if key not in index:
            index[key] = len(days)
            days.append((key, ctx.fmt.day(start), []))
        days[index[key]][2].append(slot)
    groups = []
    for key, label, slots in days:
        buttons = []
        for slot in slots:
            start = slot["start"]
            length = _duration(ctx, slot.get("duration") or 0)

            def click(event, start=start):
                ctx.act.answer("DatePicker", start, start, message_id)

            # The accessible name is the visible text (the day is the group's label).
            buttons.append(h("button", {"type": "button", "class": "gcw-slot", "disabled": not live,
                                        "title": ctx.fmt.slot(start), "on": {"click": click} if live else None},
                             h("span", {"class": "gcw-slot-time"}, ctx.fmt.time(start)),
                             h("span", {"class": "gcw-visually-hidden"}, ", ") if length else None,
                             h("span", {"class": "gcw-slot-length"}, length) if length else None))
        groups.append(h("div", {"class": "gcw-day-slots", "role": "group", "aria-label": label},
                        h("p", {"class": "gcw-day-label"}, label), h("div", {"class": "gcw-slots"}, buttons)))
    image = safe_image(props.get("image") or "")
    return h("div", {"class": "gcw-picker gcw-datepicker", "role": "group",
                     "aria-label": props.get("title") or ctx.t("date.label")},
             h("img", {"class": "gcw-picker-img", "src": image, "alt": ""}) if image else None,
             h("h3", {"class": "gcw-picker-title", "dir": "auto"}, props.get("title")) if props.get("title") else None,
             h("p", {"class": "gcw-picker-sub", "dir": "auto"}, props.get("subtitle")) if props.get("subtitle") else None,
             groups or h("p", {"class": "gcw-picker-sub"}, ctx.t("date.none")))


def list_picker(props, h, ctx):
    live = bool(props.get("live"))
    message_id = props.get("message_id") or ""
    picker_id = props.get("id") or message_id
    chosen = {}  # item id -> title, in the order picked
    sections = []
    for number, section in enumerate(props.get("sections") or ()):
        multiple = bool(section.get("multiple"))
        name = "gcw-list-%s-%d" % (picker_id, number)
        rows = []
        for item in section.get("items") or ():
            item_id, title = item.get("id") or "", item.get("title") or ""

            def change(event, item_id=item_id, title=title, multiple=multiple, section=section):
                if not multiple:
                    for other in section.get("items") or ():
                        chosen.pop(other.get("id"), None)
                if ctx.act.checked(event):
                    chosen[item_id] = title
                else:
                    chosen.pop(item_id, None)

            image = safe_image(item.get("image") or "")
            rows.append(h("label", {"class": "gcw-list-item"},
                          h("input", {"type": "checkbox" if multiple else "radio", "name": name, "value": item_id,
                                      "disabled": not live, "on": {"change": change} if live else None}),
                          h("img", {"class": "gcw-list-img", "src": image, "alt": ""}) if image else None,
                          h("span", {"class": "gcw-list-text"},
                            h("span", {"class": "gcw-list-title", "dir": "auto"}, title),
                            h("span", {"class": "gcw-list-sub", "dir": "auto"}, item.get("subtitle"))
                            if item.get("subtitle") else None)))
        sections.append(h("fieldset", {"class": "gcw-list-section"},
                          h("legend", {"dir": "auto"}, section.get("title") or props.get("title") or ctx.t("list.choose")),
                          rows))

    def submit(event):
        ctx.act.prevent(event)
        if not chosen:
            return ctx.act.say(event, ctx.t("list.none"))
        ids = list(chosen)
        ctx.act.answer("ListPicker", ", ".join([chosen[i] for i in ids]), ",".join(ids), message_id)

    return h("form", {"class": "gcw-picker gcw-listpicker", "aria-label": props.get("title") or ctx.t("list.choose"),
                      "on": {"submit": submit} if live else None},
             h("h3", {"class": "gcw-picker-title", "dir": "auto"}, props.get("title")) if props.get("title") else None,
             h("p", {"class": "gcw-picker-sub", "dir": "auto"}, props.get("subtitle")) if props.get("subtitle") else None,
             sections,
             h("p", {"class": "gcw-picker-error", "role": "alert"}),
             h("button", {"type": "submit", "class": "gcw-picker-submit", "disabled": not live},
               props.get("button") or ctx.t("list.choose")))


def size_text(ctx, size):
    if not size:
        return ""
    if size < 1024:
        return ctx.t("size.bytes", n=size)
    if size < 1024 * 1024:
        return ctx.t("size.kb", n=(size + 512) // 1024)
    tenths = (size * 10 + 512 * 1024) // (1024 * 1024)
    return ctx.t("size.mb", n="%d.%d" % (tenths // 10, tenths % 10) if tenths < 100 else tenths // 10)


def _type_label(props):
    mime = props.get("mime") or ""
    name = props.get("filename") or ""
    if "." in name:
        ext = name.rsplit(".", 1)[1]
        if 0 < len(ext) <= 5:
            return ext.upper()
    if "/" in mime:
        return mime.split("/", 1)[1].upper()[:12]
    return props.get("media_type") or ""


def attachment(props, h, ctx):
    url = props.get("url") or ""
    name = props.get("filename") or ctx.t("attachment.image")
    attachment_id = props.get("id") or ""
    caption = h("p", {"class": "gcw-caption", "dir": "auto"}, props.get("text")) if props.get("text") else None
    image = safe_image(url)
    if props.get("media_type") == "Image" and image:
        return h("figure", {"class": "gcw-image"},
                 h("button", {"type": "button", "class": "gcw-thumb", "aria-label": ctx.t("attachment.open_image", name=name),
                              "on": {"click": lambda event: ctx.act.open_image(event, image, name, attachment_id)}},
                   h("img", {"src": image, "alt": name, "loading": "lazy", "decoding": "async",
                             "on": {"error": lambda event: ctx.act.image_failed(event, attachment_id)}})),
                 caption)
    meta = ", ".join([w for w in (_type_label(props), size_text(ctx, props.get("size") or 0)) if w])
    body = [h("span", {"class": "gcw-file-icon", "aria-hidden": "true"}, (_type_label(props) or "FILE")[:4]),
            h("span", {"class": "gcw-file-text"},
              h("span", {"class": "gcw-file-name", "dir": "auto"}, name),
              h("span", {"class": "gcw-visually-hidden"}, ", ") if meta else None,
              h("span", {"class": "gcw-file-meta"}, meta) if meta else None)]
    link = safe_link(url)
    if link is None or link.startswith("mailto:") or link.startswith("tel:"):
        return h("div", {"class": "gcw-file-wrap"}, h("span", {"class": "gcw-file gcw-file--local"}, body), caption)
    # The accessible name is the visible text (name, type and size) plus "opens in a new tab".
    attrs = {"class": "gcw-file", "href": link, "download": name, "title": ctx.t("attachment.download", name=name),
             "on": {"click": lambda event: ctx.act.open_file(event, attachment_id, name, link)}}
    attrs.update(NEW_TAB)
    return h("div", {"class": "gcw-file-wrap"},
             h("a", attrs, body, h("span", {"class": "gcw-visually-hidden"}, " " + ctx.t("link.new_tab"))), caption)


def upload(props, h, ctx):
    """One file in the composer's tray: name, size, progress, and what can be done with it."""
    item = props["upload"]
    name = item.name or ""
    state = item.state
    words = {"requesting": ctx.t("upload.state.requesting"), "uploading": ctx.t("upload.state.uploading",
                                                                                  percent=item.progress),
             "processing": ctx.t("upload.state.processing"), "ready": ctx.t("upload.state.ready"),
             "failed": item.error or ctx.t("upload.state.failed")}.get(state, "")
    buttons = []
    if state in ("requesting", "uploading", "processing"):
        buttons.append(h("button", {"type": "button", "class": "gcw-upload-cancel",
                                    "aria-label": ctx.t("upload.cancel", name=name),
                                    "on": {"click": lambda event: ctx.act.cancel_upload(item.id)}},
                         ctx.t("upload.cancel_short")))
    if state == "failed" and ctx.act.upload_retryable(item.id):
        buttons.append(h("button", {"type": "button", "class": "gcw-upload-retry",
                                    "aria-label": ctx.t("upload.retry", name=name),
                                    "on": {"click": lambda event: ctx.act.retry_upload(item.id)}},
                         ctx.t("failed.retry")))
    if state in ("ready", "failed"):
        buttons.append(h("button", {"type": "button", "class": "gcw-upload-remove",
                                    "aria-label": ctx.t("upload.remove", name=name),
                                    "on": {"click": lambda event: ctx.act.remove_upload(item.id)}}, "×"))
    bar = None
    if state in ("requesting", "uploading", "processing"):
        bar = h("progress", {"class": "gcw-upload-bar", "max": "100", "value": str(item.progress),
                             "aria-label": ctx.t("upload.progress", name=name)})
    return h("li", {"class": "gcw-upload", "data-state": state, "data-upload": item.id},
             h("span", {"class": "gcw-upload-name", "dir": "auto"}, name),
             h("span", {"class": "gcw-upload-size"}, size_text(ctx, item.size)) if item.size else None,
             bar,
             h("span", {"class": "gcw-upload-state", "role": "status" if state != "failed" else "alert"}, words),
             buttons)
