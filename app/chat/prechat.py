"""The optional form a guest fills in before the chat starts; its answers become custom attributes.

Configured in config.json (docs/customising.md, "Pre-chat form"):

    "prechat": {
      "title": "Before we start",            (optional: the string table's words otherwise)
      "intro": "So we can help you faster.",
      "fields": [
        {"name": "name", "label": "Your name", "required": true, "maxLength": 80, "autocomplete": "name"},
        {"name": "email", "label": "Email", "type": "email", "required": true},
        {"name": "topic", "label": "Topic", "type": "select", "options": [{"value": "billing", "label": "Billing"}]},
        {"name": "question", "label": "How can we help?", "type": "textarea", "message": true}
      ]
    }

`name` is the custom attribute's name; a `label` (and `title`, `intro`, an option's `label`) may
be one string or words per language ({"en": "...", "fr": "..."}). Types: text, email, tel, number,
textarea, select, checkbox. `required`, `maxLength`, `minLength` and `pattern` (checked by the
browser, whose regular expressions both interpreters share) validate; a field with `message: true`
is sent as the guest's first message instead of as an attribute.

The answers and any attributes the host page set must fit the session's `maxCustomDataBytes`
(the UTF-8 bytes of every name and value; 2,048 until the session says otherwise): the form shows
what is used as the guest types and refuses to start over the limit. Pure: no browser here.
"""
from collections import namedtuple

from app.chat.strings import t

TYPES = ("text", "email", "tel", "number", "textarea", "select", "checkbox")
DEFAULT_LIMIT = 2048  # the service's documented default (its 4013 text says 2048 bytes)
MAX_FIELDS = 20

# One field as drawn: its answer so far and why it is refused ("" when fine).
FieldView = namedtuple("FieldView", ["name", "label", "type", "required", "options", "value", "error",
                                     "max_length", "min_length", "pattern", "autocomplete", "hint"])
FormView = namedtuple("FormView", ["title", "intro", "fields", "used", "limit", "error", "submitting"])


class PrechatError(ValueError):
    pass


def words(value, language):
    """A configured label: one string, or words per language (best match, then English, then any)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or not value:
        return ""
    language = (language or "").lower()
    for key in (language, language.split("-")[0], "en"):
        if isinstance(value.get(key), str):
            return value[key]
    for key in value:
        if isinstance(value[key], str):
            return value[key]
    return ""


def parse(data):
    """The settings' `prechat` object checked; None when there is no form. Raises PrechatError."""
    if data is None or data is False:
        return None
    if not isinstance(data, dict):
        raise PrechatError("\"prechat\" must be an object with \"fields\"")
    fields = data.get("fields")
    if not isinstance(fields, list) or not fields:
        raise PrechatError("\"prechat\" needs a non-empty \"fields\" list")
    if len(fields) > MAX_FIELDS:
        raise PrechatError("\"prechat\" has more than %d fields" % MAX_FIELDS)
    seen = []
    out = []
    for index, field in enumerate(fields):
        where = "prechat field %d" % (index + 1)
        if not isinstance(field, dict):
            raise PrechatError(where + " must be an object")
        name = field.get("name")
        if not isinstance(name, str) or not name.strip():
            raise PrechatError(where + " needs a \"name\" (the custom attribute it fills)")
        name = name.strip()
        if name in seen:
            raise PrechatError("prechat field \"%s\" appears twice" % name)
        seen.append(name)
        kind = field.get("type", "text")
        if kind not in TYPES:
            raise PrechatError("prechat field \"%s\": type must be one of %s" % (name, ", ".join(TYPES)))
        options = field.get("options", [])
        if kind == "select":
            if not isinstance(options, list) or not options:
                raise PrechatError("prechat field \"%s\": a select needs \"options\"" % name)
            for option in options:
                if not isinstance(option, (dict, str)):
                    raise PrechatError("prechat field \"%s\": each option is a string or {value, label}" % name)
        for key in ("maxLength", "minLength"):
            if key in field and (not isinstance(field[key], int) or isinstance(field[key], bool) or field[key] < 0):
                raise PrechatError("prechat field \"%s\": %s must be a whole number" % (name, key))
        if "pattern" in field and not isinstance(field["pattern"], str):
            raise PrechatError("prechat field \"%s\": pattern must be a string" % name)
        item = dict(field)
        item["name"] = name
        item["type"] = kind
        out.append(item)
    if sum(1 for f in out if f.get("message") is True) > 1:
        raise PrechatError("only one prechat field can be the first message (\"message\": true)")
    result = dict(data)
    result["fields"] = out
    limit = data.get("maxBytes")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0):
        raise PrechatError("\"prechat.maxBytes\" must be a positive whole number")
    return result


def attribute_bytes(attributes):
    """What the service counts against maxCustomDataBytes: UTF-8 bytes of names and values."""
    return sum(len(k.encode("utf-8")) + len(v.encode("utf-8")) for k, v in attributes.items())


def _options(field, language):
    out = []
    for option in field.get("options") or ():
        if isinstance(option, str):
            out.append((option, option))
        else:
            value = option.get("value")
            value = value if isinstance(value, str) else words(option.get("label"), language)
            out.append((value, words(option.get("label"), language) or value))
    return tuple(out)


def _email_ok(value):
    if " " in value or value.count("@") != 1:
        return False
    local, domain = value.split("@")
    return bool(local) and "." in domain and not domain.startswith(".") and not domain.endswith(".")


class Prechat:
    """The form's state: the answers typed so far, the errors shown, and whether it is done."""

    def __init__(self, config, language="en"):
        self.config = config
        self.language = language
        self.values = {}
        self.errors = {}
        self.error = ""  # about the whole form (the byte budget, a refusal from the service)
        self.done = False
        self.limit = config.get("maxBytes") or DEFAULT_LIMIT
        self.submitting = False

    def fields(self):
        return self.config["fields"]

    def message_field(self):
        for field in self.fields():
            if field.get("message") is True:
                return field["name"]
        return ""

    def set_limit(self, limit):
        if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
            self.limit = limit

    def attributes(self, values=None, extra=None):
        """The custom attributes the answers make (answered fields only; not the message field)."""
        values = self.values if values is None else values
        out = dict(extra or {})
        skip = self.message_field()
        for field in self.fields():
            name = field["name"]
            value = values.get(name, "")
            if name == skip:
                continue
            if field["type"] == "checkbox":
                value = "true" if value in (True, "true", "on") else ""
            if isinstance(value, str) and value.strip():
                out[name] = value.strip()
        return out

    def typed(self, values, extra=None):
        """The guest changed an answer: keep it, and recheck the byte budget (live)."""
        self.values = dict(values)
        used = attribute_bytes(self.attributes(extra=extra))
        self.error = t("prechat.too_big", used=used, limit=self.limit) if used > self.limit else ""
        return used

    def validate(self, values, invalid=(), extra=None):
        """The guest pressed Start. `invalid`: names whose `pattern` the browser refused.
        Returns True when the answers can be sent."""
        self.values = dict(values)
        self.errors = {}
        for field in self.fields():
            name = field["name"]
            value = values.get(name, "")
            if field["type"] == "checkbox":
                if field.get("required") and value not in (True, "true", "on"):
                    self.errors[name] = t("prechat.required_check")
                continue
            value = value.strip() if isinstance(value, str) else ""
            label = words(field.get("label"), self.language) or name
            if not value:
                if field.get("required"):
                    self.errors[name] = t("prechat.required", label=label)
                continue
            if field["type"] == "email" and not _email_ok(value):
                self.errors[name] = t("prechat.email")
            elif field["type"] == "number" and not _is_number(value):
                self.errors[name] = t("prechat.number")
            elif "maxLength" in field and len(value) > field["maxLength"]:
                self.errors[name] = t("prechat.too_long", max=field["maxLength"])
            elif "minLength" in field and len(value) < field["minLength"]:
                self.errors[name] = t("prechat.too_short", min=field["minLength"])
            elif field["type"] == "select" and value not in [o[0] for o in _options(field, self.language)]:
                self.errors[name] = t("prechat.choose")
            elif name in invalid:
                self.errors[name] = words(field.get("patternMessage"), self.language) or t("prechat.pattern")
        used = attribute_bytes(self.attributes(extra=extra))
        self.error = t("prechat.too_big", used=used, limit=self.limit) if used > self.limit else ""
        return not self.errors and not self.error

    def refused(self, limit=None):
        """The service refused the answers as too large (4013): the form comes back to shorten them."""
        self.set_limit(limit)
        self.done = False
        self.submitting = False
        used = attribute_bytes(self.attributes())
        self.error = t("prechat.refused", used=used, limit=self.limit)

    def view(self, extra=None):
        fields = []
        for field in self.fields():
            name = field["name"]
            value = self.values.get(name, "")
            fields.append(FieldView(name, words(field.get("label"), self.language) or name, field["type"],
                                    bool(field.get("required")), _options(field, self.language),
                                    value if isinstance(value, str) else ("true" if value else ""),
                                    self.errors.get(name, ""), field.get("maxLength"), field.get("minLength"),
                                    field.get("pattern") or "", field.get("autocomplete") or "",
                                    words(field.get("hint"), self.language)))
        title = words(self.config.get("title"), self.language) or t("prechat.title")
        intro = words(self.config.get("intro"), self.language) or t("prechat.intro")
        return FormView(title, intro, tuple(fields), attribute_bytes(self.attributes(extra=extra)), self.limit,
                        self.error, self.submitting)


def _is_number(value):
    try:
        float(value)
        return True
    except ValueError:
        return False
