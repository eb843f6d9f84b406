"""The error catalogue: every failure the guest can meet, in plain language, with who must act.

Each entry says whose fault it is (`fault`), what the panel tells the guest (`message`), what to do
about it (`action`, addressed to the guest or to the site owner) and what the client does next
(`policy`). Codes are the service's (HTTP-like, 4xxx, 5000) plus our own string keys for failures
the browser sees without a code (handshake, offline, settings file).
"""
from collections import namedtuple

Problem = namedtuple("Problem", ["code", "title", "message", "action", "fault", "policy"])

# whose fault
GUEST = "guest"  # something the guest can change (text too long, file type)
SITE = "site"  # the site owner's configuration (allowed domains, deployment, features)
SERVICE = "service"  # Genesys had a problem
NETWORK = "network"  # the connection between browser and Genesys
CLIENT = "client"  # this chat client sent something the service rejected: our bug

# what the client does next
CONTINUE = "continue"  # the session goes on; only that request failed
RETRY = "retry"  # reconnect with backoff
WAIT = "wait"  # wait retryAfter, then resend
REAUTHENTICATE = "reauthenticate"
NEW_SESSION = "new_session"  # this token is finished: offer a fresh conversation
STOP = "stop"  # nothing the client can do; explain and stay put

_ORIGIN_FIX = (
    "Site owner: add this page's host to the Messenger deployment's allowed domains in Genesys Cloud "
    "(Admin > Message > Messenger Deployments), or check that the deployment id and region in the "
    "chat's config.json are right."
)

_TABLE = (
    (400, "Request refused", "The chat service could not understand a request from this page.",
     "Please try again. If it keeps happening, tell the site owner.", CLIENT, CONTINUE),
    (401, "Sign-in needed", "Your sign-in for this chat is no longer valid.",
     "Sign in again to continue.", GUEST, REAUTHENTICATE),
    (403, "Not allowed", "The chat service refused this request.",
     "Site owner: check that this feature is enabled in the Messenger configuration.", SITE, CONTINUE),
    (404, "Not found", "The chat service could not find what this page asked for.",
     "Please try again.", SERVICE, CONTINUE),
    (408, "Timed out", "The chat service took too long to answer.",
     "Reconnecting…", NETWORK, RETRY),
    (409, "Conversation ended", "This conversation has ended and can no longer receive messages.",
     "Start a new chat to keep talking.", GUEST, NEW_SESSION),
    (429, "Slow down", "Messages are being sent too quickly.",
     "Your message will be sent in a moment.", GUEST, WAIT),
    (4000, "Feature unavailable", "This feature is not available for this chat.",
     "Site owner: enable the feature in the Messenger configuration.", SITE, CONTINUE),
    (4001, "File type not allowed", "This type of file cannot be sent here.",
     "Choose a file of an allowed type.", GUEST, CONTINUE),
    (4002, "File too large", "This file is larger than this chat accepts.",
     "Choose a smaller file.", GUEST, CONTINUE),
    (4003, "File not accepted", "The file's content was not accepted.",
     "Choose another file.", GUEST, CONTINUE),
    (4004, "File name not accepted", "The file's name contains characters that are not allowed.",
     "Rename the file and try again.", GUEST, CONTINUE),
    (4005, "File name too long", "The file's name is too long.",
     "Rename the file with a shorter name and try again.", GUEST, CONTINUE),
    (4006, "Chat expired", "This chat session has expired after a period of inactivity.",
     "Start a new chat to keep talking.", GUEST, NEW_SESSION),
    (4007, "Chat not found", "This chat session no longer exists.",
     "Start a new chat to keep talking.", SERVICE, NEW_SESSION),
    (4008, "Link expired", "The download link for this file has expired.",
     "A fresh link will be fetched; try again.", GUEST, CONTINUE),
    (4009, "File not found", "That file could not be found.",
     "Attach the file again.", GUEST, CONTINUE),
    (4010, "Upload incomplete", "The file was not uploaded successfully.",
     "Attach the file again.", NETWORK, CONTINUE),
    (4011, "Message too long", "This message is longer than the chat accepts.",
     "Shorten the message, or send it in parts.", GUEST, CONTINUE),
    (4013, "Too much extra data", "The extra information sent with this chat is larger than allowed.",
     "Site owner: send fewer or shorter custom attributes.", SITE, CONTINUE),
    (4017, "Signed-in chat", "This chat belongs to a signed-in session and cannot continue as a guest.",
     "Sign in again, or start a new chat.", GUEST, NEW_SESSION),
    (4020, "Missing information", "A request from this page was missing information.",
     "Please try again. If it keeps happening, tell the site owner.", CLIENT, CONTINUE),
    (4029, "Slow down", "Messages are being sent too quickly.",
     "Your message will be sent in a moment.", GUEST, WAIT),
    (5000, "Service problem", "The chat service had an unexpected problem.",
     "Reconnecting…", SERVICE, RETRY),
    # Failures the browser sees without a service code.
    ("handshake_origin", "Chat not available on this site",
     "The chat service refused to connect from this web address.", _ORIGIN_FIX, SITE, STOP),
    ("deployment_not_found", "Chat not set up",
     "The chat service does not know this chat's deployment.",
     "Site owner: check the deploymentId and region in the chat's config.json.", SITE, STOP),
    ("deployment_inactive", "Chat switched off",
     "This chat's Messenger deployment is not active.",
     "Site owner: activate the deployment in Genesys Cloud.", SITE, STOP),
    ("unreachable", "Can't reach the chat service",
     "The chat service could not be reached.",
     "Check your internet connection. Retrying…", NETWORK, RETRY),
    ("offline", "You're offline", "Your device is offline.",
     "Messages you write will be sent when you're back online.", NETWORK, RETRY),
    ("config_missing", "Chat not set up", "The chat's settings file could not be loaded.",
     "Site owner: put a config.json beside index.html (see the README).", SITE, STOP),
    ("config_invalid", "Chat not set up", "The chat's settings file is not valid.",
     "Site owner: fix config.json (the README lists its fields).", SITE, STOP),
    ("config_foreign", "Chat not set up", "The chat's settings must come from this site.",
     "Site owner: ?config= may only name a file on this page's own site.", SITE, STOP),
    ("connection_closed", "Chat opened elsewhere",
     "This chat was closed because it was opened in another window or device.",
     "Reload the page to continue here.", GUEST, STOP),
    ("session_cleared", "Conversation cleared", "This conversation was cleared.",
     "Start a new chat whenever you like.", GUEST, NEW_SESSION),
    ("logged_out", "Signed out", "You signed out of this chat.",
     "Sign in again to continue.", GUEST, REAUTHENTICATE),
)

CATALOGUE = {}
for _row in _TABLE:
    CATALOGUE[_row[0]] = Problem(*_row)

# Socket close codes: 1000 is a normal close (no retry); everything else is worth a reconnect.
NORMAL_CLOSE = 1000
_CLOSE_CODES = {
    1001: ("The chat service is restarting.", SERVICE),
    1006: ("The connection to the chat service was lost.", NETWORK),
    1011: ("The chat service had a problem with this connection.", SERVICE),
    1012: ("The chat service is restarting.", SERVICE),
    1013: ("The chat service is busy.", SERVICE),
}


def problem_for_close(code):
    """The Problem for a socket close code, or None for a normal close (nothing to explain)."""
    if code == NORMAL_CLOSE:
        return None
    message, fault = _CLOSE_CODES.get(code, ("The connection to the chat service closed.", NETWORK))
    return Problem("close_%s" % code, "Reconnecting", message, "Messages you write will be sent once reconnected.",
                   fault, RETRY)


def problem_for(code, detail=""):
    """The Problem for a service code (int) or one of our keys (str); never raises.

    A code we have no entry for gets a generic entry of its class (4xx: the request failed; 5xx and
    anything else: service trouble), with the service's own text kept in the message.
    """
    found = CATALOGUE.get(code)
    if found is not None:
        if code == 403 and detail:
            return _forbidden(detail, found)
        return found
    client = isinstance(code, int) and (400 <= code < 500 or 4000 <= code < 5000)
    generic = GENERIC[CLIENT if client else SERVICE]
    return Problem(code, generic.title, detail or generic.message, generic.action, generic.fault, generic.policy)


_FORBIDDEN_AUTH = Problem("403_auth", "Sign-in needed", "Your sign-in for this chat was not accepted.",
                          "Sign in again to continue.", GUEST, REAUTHENTICATE)
_FORBIDDEN_CLEAR = Problem("403_clear", "Clearing is switched off", "This chat does not allow clearing the conversation.",
                           "Site owner: enable Conversation Clear in the Messenger configuration.", SITE, CONTINUE)
# The words of a code we have no entry for (its message is the service's own text).
GENERIC = {CLIENT: Problem("request_failed", "Request failed", "The chat service reported a problem.",
                           "Please try again.", CLIENT, CONTINUE),
           SERVICE: Problem("service_problem", "Service problem", "The chat service reported a problem.",
                            "Reconnecting…", SERVICE, RETRY)}


def _forbidden(detail, generic):
    lowered = detail.lower()
    if "authenticat" in lowered:
        return _FORBIDDEN_AUTH
    if "clear" in lowered:
        return _FORBIDDEN_CLEAR
    return generic


def every_problem():
    """Every Problem with words of its own, for the string table (app/chat/strings.py)."""
    found = list(CATALOGUE.values()) + [_FORBIDDEN_AUTH, _FORBIDDEN_CLEAR] + list(GENERIC.values())
    for code in sorted(_CLOSE_CODES):
        found.append(problem_for_close(code))
    found.append(problem_for_close("other"))
    return found


def classify_handshake_failure(config_status, config_body):
    """Why a socket never opened, from the deployment's public config.json fetch.

    Browsers hide the handshake's HTTP status, so we ask the CDN instead: no answer means the
    service is unreachable; 404 means the deployment id (or region) is wrong; an inactive deployment
    says so; an active one means the socket refused this page's origin.
    config_status: HTTP status of the config.json fetch, or 0 when the fetch itself failed.
    """
    if not config_status:
        return problem_for("unreachable")
    if config_status == 404 or config_status == 403:
        return problem_for("deployment_not_found")
    if config_status != 200:
        return problem_for("unreachable")
    status = config_body.get("status") if isinstance(config_body, dict) else None
    if status and status != "Active":
        return problem_for("deployment_inactive")
    return problem_for("handshake_origin")
