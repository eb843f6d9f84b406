"""Default render functions for the panel's own controls: the menu, confirmations, the pre-chat
form and the "New messages" divider. Registered in app/chat/render.py's DEFAULTS (compiled on
first use); a customer replaces any of them by name like every other entry.

Handlers go through `ctx.act` (app/browser/dom.Actions): `menu_toggle()`, `menu_pick(name)`,
`confirm_yes()`, `confirm_no()`, `prechat_submit(event)`, `prechat_typed(event)`.
"""

MENU_WORDS = {
    "download_text": "menu.download_text",
    "download_json": "menu.download_json",
    "notify_off": "menu.notify_on",
    "notify_on": "menu.notify_off",
    "notify_blocked": "menu.notify_blocked",
    "clear": "menu.clear",
    "end": "menu.end",
}


def availability(props, h, ctx):
    """Open hours, agents and the wait, above the transcript (props: View.availability's parts and
    `wait`, the wait's words). Nothing unknown is claimed."""
    lines = []
    is_open, reason, next_at, next_open = props.get("open"), props.get("reason"), props.get("next_at"), \
        props.get("next_open")
    if is_open is True:
        lines.append(("open", ctx.t("hours.open_until", when=ctx.fmt.when(next_at)) if next_at else ctx.t("hours.open")))
    elif is_open is False:
        if next_at and next_open:
            key = "hours.holiday_until" if reason == "holiday" else "hours.closed_until"
            lines.append(("closed", ctx.t(key, when=ctx.fmt.when(next_at))))
        else:
            lines.append(("closed", ctx.t("hours.closed")))
    agents = props.get("agents")
    if agents is not None and is_open is not False:
        words = ctx.t("agents.none") if agents == 0 else (
            ctx.t("agents.one") if agents == 1 else ctx.t("agents.many", count=agents))
        lines.append(("agents", words))
    if props.get("wait") and is_open is not False:
        lines.append(("wait", props["wait"]))
    if not lines:
        return None
    drawn = []
    for kind, words in lines:
        if drawn:
            drawn.append(h("span", {"class": "gcw-availability-sep", "aria-hidden": "true"}, " · "))
        drawn.append(h("span", {"class": "gcw-availability-line gcw-availability--" + kind}, words))
    return h("span", {"class": "gcw-availability"}, drawn)


def divider(props, h, ctx):
    """Above the first message the guest has not seen (an `<li>` of the transcript)."""
    return h("li", {"class": "gcw-divider"}, h("span", {"class": "gcw-divider-text"}, ctx.t("new_messages")))


def menu(props, h, ctx):
    """The header's "More" button and what it offers (a disclosure: Tab and Enter reach every item)."""
    items = props.get("items") or ()
    is_open = bool(props.get("open"))
    entries = []
    for name in items:
        blocked = name == "notify_blocked"
        entries.append(h("li", None, h("button", {
            "type": "button", "class": "gcw-menu-item gcw-menu-item--" + name, "data-item": name,
            "disabled": blocked, "aria-disabled": "true" if blocked else None,
            "on": {"click": lambda event, n=name: ctx.act.menu_pick(n)}}, ctx.t(MENU_WORDS.get(name, name)))))
    return h("div", {"class": "gcw-menu"},
             h("button", {"type": "button", "class": "gcw-menu-button", "id": "chat-menu-button",
                          "aria-expanded": "true" if is_open else "false", "aria-controls": "chat-menu-list",
                          "aria-label": ctx.t("menu.label"), "title": ctx.t("menu.label"),
                          "on": {"click": lambda event: ctx.act.menu_toggle()}},
               h("span", {"class": "gcw-menu-dots", "aria-hidden": "true"}, "⋯")),
             h("ul", {"class": "gcw-menu-list", "id": "chat-menu-list", "hidden": not is_open}, entries))


def confirm(props, h, ctx):
    """Asking before something that cannot be undone ("end" or "clear")."""
    what = props.get("what") or ""
    return h("div", {"class": "gcw-confirm", "role": "alertdialog", "aria-labelledby": "chat-confirm-title",
                     "aria-describedby": "chat-confirm-message", "data-what": what},
             h("p", {"class": "gcw-confirm-title", "id": "chat-confirm-title"}, ctx.t("confirm." + what + ".title")),
             h("p", {"class": "gcw-confirm-message", "id": "chat-confirm-message"}, ctx.t("confirm." + what + ".message")),
             h("div", {"class": "gcw-confirm-buttons"},
               h("button", {"type": "button", "class": "gcw-confirm-no", "id": "chat-confirm-no",
                            "on": {"click": lambda event: ctx.act.confirm_no()}}, ctx.t("confirm.cancel")),
               h("button", {"type": "button", "class": "gcw-confirm-yes", "id": "chat-confirm-yes",
                            "on": {"click": lambda event: ctx.act.confirm_yes()}}, ctx.t("confirm." + what + ".yes"))))


def prechat(props, h, ctx):
    """The pre-chat form (app/chat/prechat.FormView in props["form"])."""
    form = props["form"]
    fields = [ctx.render("prechat_field", {"field": field}) for field in form.fields]
    near = form.used > form.limit * 0.8
    budget = ctx.t("prechat.budget", used=form.used, limit=form.limit) if near and not form.error else ""
    return h("form", {"class": "gcw-prechat", "id": "chat-prechat-form", "novalidate": True,
                      "aria-labelledby": "chat-prechat-title",
                      "on": {"submit": lambda event: ctx.act.prechat_submit(event),
                             "input": lambda event: ctx.act.prechat_typed(event),
                             "change": lambda event: ctx.act.prechat_typed(event)}},
             h("h3", {"class": "gcw-prechat-title", "id": "chat-prechat-title"}, form.title),
             h("p", {"class": "gcw-prechat-intro"}, form.intro) if form.intro else None,
             h("p", {"class": "gcw-prechat-required"}, ctx.t("prechat.required_note"))
             if any(f.required for f in form.fields) else None,
             fields,
             h("p", {"class": "gcw-prechat-budget", "aria-live": "polite"}, budget),
             h("p", {"class": "gcw-prechat-error", "role": "alert"}, form.error),
             h("button", {"type": "submit", "class": "gcw-prechat-start", "disabled": form.submitting},
               ctx.t("prechat.start")))


def prechat_field(props, h, ctx):
    field = props["field"]
    ident = "gcw-pre-" + _ident(field.name)
    error_id = ident + "-error"
    hint_id = ident + "-hint"
    described = " ".join([i for i, on in ((hint_id, field.hint), (error_id, field.error)) if on]) or None
    common = {"id": ident, "name": field.name, "required": field.required,
              "aria-invalid": "true" if field.error else None, "aria-describedby": described,
              "autocomplete": field.autocomplete or None}
    label = h("label", {"for": ident, "class": "gcw-field-label"}, field.label,
              h("span", {"class": "gcw-field-star", "aria-hidden": "true"}, " *") if field.required else None)
    if field.type == "checkbox":
        common["type"] = "checkbox"
        common["checked"] = field.value == "true"
        control = h("input", common)
        return h("div", {"class": "gcw-field gcw-field--checkbox"}, control, label,
                 _under(h, field, hint_id, error_id))
    if field.type == "select":
        options = [h("option", {"value": ""}, ctx.t("prechat.select"))]
        for value, words in field.options:
            options.append(h("option", {"value": value, "selected": value == field.value}, words))
        control = h("select", common, options)
    else:
        common["maxlength"] = field.max_length
        common["minlength"] = field.min_length
        common["pattern"] = field.pattern or None
        common["value"] = field.value if field.type != "textarea" else None
        if field.type == "textarea":
            common["rows"] = 3
            control = h("textarea", common, field.value)
        else:
            common["type"] = field.type
            common["inputmode"] = {"email": "email", "tel": "tel", "number": "decimal"}.get(field.type)
            if field.type == "number":
                common["type"] = "text"  # digits checked by us, so a locale's comma still counts
            control = h("input", common)
    return h("div", {"class": "gcw-field", "data-invalid": "true" if field.error else None},
             label, control, _under(h, field, hint_id, error_id))


def _under(h, field, hint_id, error_id):
    return [h("p", {"class": "gcw-field-hint", "id": hint_id}, field.hint) if field.hint else None,
            h("p", {"class": "gcw-field-error", "id": error_id}, field.error) if field.error else None]


def _ident(name):
    return "".join([c if (c.isalpha() or c.isdigit()) else "-" for c in name])
