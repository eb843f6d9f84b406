"""The web-messaging history REST call: GET {api}/api/v2/webmessaging/messages with the guest JWT
from `getJwt`. Page 1 is the newest; entities are newest first."""
from app.protocol.messages import parse_message

PAGE_SIZE = 25


def history_url(api_base_url, page_number, page_size=PAGE_SIZE):
    return "%s/api/v2/webmessaging/messages?pageSize=%d&pageNumber=%d" % (api_base_url, page_size, page_number)


def auth_headers(jwt):
    return {"Authorization": "bearer " + jwt}


def parse_page(data):
    """(messages oldest first, page number, page count) from an entity list; tolerant of junk."""
    if not isinstance(data, dict):
        return [], 0, 0
    entities = data.get("entities")
    messages = [parse_message(e) for e in (entities if isinstance(entities, list) else ()) if isinstance(e, dict)]
    messages.reverse()
    number = data.get("pageNumber")
    count = data.get("pageCount")
    return (messages, number if isinstance(number, int) else 0, count if isinstance(count, int) else 0)
