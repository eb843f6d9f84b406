"""The web-messaging history REST call: GET {api}/api/v2/webmessaging/messages with the guest JWT
from `getJwt`. Page 1 is the newest; entities are newest first."""
from collections import namedtuple

from app.protocol.messages import parse_message

# total: messages in the whole conversation (None when the service did not say); size: page size
Page = namedtuple("Page", ["messages", "number", "count", "total", "size"])

PAGE_SIZE = 25


def history_url(api_base_url, page_number, page_size=PAGE_SIZE):
    return "%s/api/v2/webmessaging/messages?pageSize=%d&pageNumber=%d" % (api_base_url, page_size, page_number)


def auth_headers(jwt):
    return {"Authorization": "bearer " + jwt}


def parse_page(data):
    """The `Page` of an entity list (messages oldest first); tolerant of junk."""
    if not isinstance(data, dict):
        return Page([], 0, 0, None, PAGE_SIZE)
    entities = data.get("entities")
    messages = [parse_message(e) for e in (entities if isinstance(entities, list) else ()) if isinstance(e, dict)]
    messages.reverse()
    return Page(messages, _int(data.get("pageNumber"), 0), _int(data.get("pageCount"), 0),
                _int(data.get("total"), None), _int(data.get("pageSize"), PAGE_SIZE) or PAGE_SIZE)


def _int(value, default):
    return value if isinstance(value, int) and not isinstance(value, bool) else default
