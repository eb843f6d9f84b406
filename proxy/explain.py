"""`doctor --explain`: recognise, in a pasted URL or code snippet, the Genesys endpoints and scopes
that widely copied tutorials show but that do not exist (or no longer do), and the things that are
right, and say for each what it is and what the real Web Messaging equivalent is.

Pure functions over a string: a table of plain regular expressions, `explain(text)` returns
`Finding`s, `as_json` shapes them for scripts. Nothing here prints or touches the network; the
doctor prints the findings. The facts are those of /work/shared/reference/web-messaging-protocol.md
(§1 "Endpoints seen in popular tutorials that do not exist", §2 hosts, §3 Web Messaging, §4 the
retired guest chat API, §5 the org's OAuth).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import unquote

WRONG, RIGHT, NOTE = "wrong", "right", "note"

# A Genesys Cloud region domain (`D` in api.D, webmessaging.D): mypurecloud.{com,ie,de,jp,com.au}
# and the {code}.pure.cloud family (also us-gov-pure.cloud and eusc-pure.cloud).
DOMAIN = r"(?:mypurecloud\.(?:com\.au|com|ie|de|jp)|[a-z0-9-]+\.(?:us-gov-|eusc-)?pure\.cloud)"

# Region id by domain (reference §2).
REGIONS = {
    "mypurecloud.com": "us-east-1", "use2.us-gov-pure.cloud": "us-east-2 (FedRAMP)", "usw2.pure.cloud": "us-west-2",
    "cac1.pure.cloud": "ca-central-1", "sae1.pure.cloud": "sa-east-1", "mxc1.pure.cloud": "mx-central-1",
    "mypurecloud.ie": "eu-west-1", "euw2.pure.cloud": "eu-west-2", "mypurecloud.de": "eu-central-1",
    "euc2.pure.cloud": "eu-central-2", "edee1.eusc-pure.cloud": "eusc-de-east-1", "mec1.pure.cloud": "me-central-1",
    "aps1.pure.cloud": "ap-south-1", "apse1.pure.cloud": "ap-southeast-1", "mypurecloud.com.au": "ap-southeast-2",
    "mypurecloud.jp": "ap-northeast-1", "apne2.pure.cloud": "ap-northeast-2", "apne3.pure.cloud": "ap-northeast-3",
}

REAL_SOCKET = ("Web Messaging: the browser opens wss://webmessaging.{region}/v1?deploymentId={deploymentId} "
               "itself and sends, as its first frame, {\"action\": \"configureSession\", \"token\": <a UUID the "
               "page makes up>, \"deploymentId\": ...}. No REST call, no OAuth and no token endpoint come first; "
               "the same token later resumes the same conversation.")
NO_GUEST_OAUTH = ("A guest needs no OAuth at all: Web Messaging's guest socket asks for no scope or permission. "
                  "The org's client-credentials token is for the proxy only (it reads the wait time, agents and "
                  "hours) and never goes to the browser; that client gets its rights from a role "
                  "(routing:queue:view, analytics:queueObservation:view, routing:scheduleGroup:view, "
                  "routing:schedule:view), because scopes do not apply to the client-credentials grant.")
# One more piece of a URL in code or prose: a ${...} of a JavaScript template, or a character that
# is not a space, a quote or a closing bracket.
URL_END = r"(?:\$\{[^}\s]{0,64}\}|[^\s\"'<>`)\]}])"


MAX_CHARS = 200_000


@dataclass(frozen=True)
class Pattern:
    key: str
    verdict: str          # WRONG, RIGHT or NOTE
    label: str            # a short name for the finding
    regex: re.Pattern
    what: str             # what the matched thing is
    instead: str          # the real equivalent, or what to keep in mind
    # Optional: look at the match and return (verdict, label, what, instead) instead of the defaults.
    refine: Callable[[re.Match], tuple[str, str, str, str]] | None = None


@dataclass
class Finding:
    key: str
    verdict: str
    label: str
    what: str
    instead: str
    line: int                                  # 1-based line of the first occurrence
    matches: list[str] = field(default_factory=list)  # the text found (tokens blanked), up to 3

    @property
    def wrong(self) -> bool:
        return self.verdict == WRONG

    def as_json(self) -> dict:
        return {"key": self.key, "verdict": self.verdict, "label": self.label, "what": self.what,
                "instead": self.instead, "line": self.line, "matches": list(self.matches)}


def _re(text: str) -> re.Pattern:
    return re.compile(text, re.IGNORECASE)


def _webmessaging(m: re.Match) -> tuple[str, str, str, str]:
    domain = m.group("domain").lower()
    path = m.group("path") or ""
    query = m.group("query") or ""
    region = REGIONS.get(domain)
    url = "wss://webmessaging.%s%s" % (domain, path)
    if path not in ("", "/", "/v1", "/v1/"):
        return (WRONG, "Web Messaging host with a wrong path",
                "The host webmessaging.%s is the guest socket's, but its path is %s." % (domain, path),
                "The path is /v1: wss://webmessaging.%s/v1?deploymentId={deploymentId}. %s" % (domain, REAL_SOCKET))
    if region is None:
        return (NOTE, "Web Messaging host in a domain this list does not know",
                "The shape wss://webmessaging.{domain}/v1 is right, but %s is not one of the region domains "
                "(mypurecloud.com, mypurecloud.ie, euw2.pure.cloud, ...)." % domain,
                "Use the domain of your Genesys Cloud URL (apps.{domain}); in config.json, \"region\": \"{domain}\" "
                "makes the page build this URL itself.")
    where = "the Web Messaging guest socket of %s (%s)" % (region, domain)
    if "deploymentid=" in query.lower():
        return (RIGHT, "Web Messaging guest socket", "This is %s, with the deployment id in the query: this is "
                "what the page opens." % where,
                "Looks right. Send configureSession with a UUID token of your own as the first frame; no token "
                "or header goes in the URL or the handshake.")
    return (RIGHT, "Web Messaging guest socket host", "This is %s (%s)." % (where, url),
            "Looks right. The socket URL also needs ?deploymentId={deploymentId}; the page adds it itself when "
            "this is its webMessagingUrl (or give \"region\": \"%s\")." % domain)


PATTERNS: tuple[Pattern, ...] = (
    # -- tutorial endpoints and scopes that do not exist (reference §1) --------------------------
    Pattern(
        "guest_conversations_webchat", WRONG, "/api/v2/guest/conversations/webchat",
        _re(r"/api/v2/guest/conversations/webchat(?:/token)?"),
        "Not a Genesys API: no SDK or schema has this path (nor its /token variant). Tutorials mix it up with "
        "the retired guest chat API of the old chat widgets (v1/v2, ACD Web Chat v2: POST "
        "/api/v2/webchat/guest/conversations), which is unsupported since late 2025 and was removed from the "
        "public Platform API.",
        REAL_SOCKET),
    Pattern(
        "webchat_guest_api", WRONG, "/api/v2/webchat/guest/conversations (retired)",
        _re(r"/api/v2/webchat/guest/conversations\b"),
        "The retired guest chat API (ACD Web Chat v2, the old chat widgets v1/v2). It existed, but it is "
        "unsupported since late 2025 and was removed from the public Platform API (API version 10706, 2026).",
        REAL_SOCKET),
    Pattern(
        "chat_guestsessions", WRONG, "/api/v2/chat/guestsessions",
        _re(r"/api/v2/chat/guestsessions\b"),
        "Not a Genesys API: there is no /api/v2/chat/guestsessions (and no {sessionId, token} it would "
        "return) in any Platform API SDK.",
        REAL_SOCKET + " The page makes its own session token; nothing has to issue one."),
    Pattern(
        "invented_guest_endpoints", WRONG, "invented guest endpoint",
        _re(r"/api/v2/conversations/messaging/guests\b|/webchat/v1/guest/connect\b"),
        "Not a Genesys API: these paths come from pages of invented \"tutorials\" and appear in no Genesys SDK.",
        REAL_SOCKET),
    Pattern(
        "chat_host", WRONG, "chat.{region} host",
        _re(r"\b(?:wss?|https?)://chat\." + DOMAIN + r"\b"),
        "There is no chat. host in any Genesys region. A region's hosts are api., login., api-cdn. and "
        "webmessaging. (and the legacy streaming.).",
        "Use the guest socket's host, webmessaging.{region}: wss://webmessaging.{region}/v1?deploymentId="
        "{deploymentId}, then configureSession as the first frame."),
    Pattern(
        "ws_session_id", WRONG, "ws?sessionId= socket",
        _re(r"\bws\?(?:" + URL_END + r"{0,512}?&)?sessionId=|\bwss?://" + URL_END + r"{0,512}?[?&]sessionId="),
        "A socket opened with a sessionId in its URL (as in wss://chat.{region}/ws?sessionId=...&token=...): "
        "no Genesys guest socket works like that. There is no /ws path and no server-issued sessionId.",
        REAL_SOCKET),
    Pattern(
        "api_host_socket", WRONG, "socket on the api. host",
        _re(r"\bwss://api(?:-cdn)?\." + DOMAIN + r"\b"),
        "A WebSocket to the REST host: api.{region} (and api-cdn.{region}) serve HTTPS only; no guest socket "
        "lives there.",
        "Use the guest socket's host, webmessaging.{region}: wss://webmessaging.{region}/v1?deploymentId="
        "{deploymentId}, then configureSession as the first frame; REST calls (history) go to "
        "https://api.{region}."),
    Pattern(
        "legacy_stream", WRONG, "legacy chat event stream",
        _re(r"\bwss://streaming\." + DOMAIN + r"/chat/"),
        "The event stream of the retired guest chat API (its eventStreamUri, wss://streaming.{region}/chat/jwt/"
        "<jwt>). It went with that API.",
        REAL_SOCKET),
    Pattern(
        "guest_chat_scope", WRONG, "chat:guest:* scope",
        _re(r"\b(?:web)?chat:guest(?::[a-z*]+)*"),
        "Not a Genesys OAuth scope: no chat:guest:* (or webchat:guest:*) scope exists.",
        NO_GUEST_OAUTH),
    Pattern(
        "guest_scope", WRONG, "guest:* scope",
        _re(r"(?<![\w:/.@-])guest:(?:\*|read|write|create|view|edit|delete|admin|all|chat)(?![\w-])"),
        "Not a Genesys OAuth scope: no guest:* (guest:read, guest:write, ...) scope exists.",
        NO_GUEST_OAUTH),
    Pattern(
        "token_in_socket_url", WRONG, "token in the socket URL",
        _re(r"\bwss?://" + URL_END + r"{0,512}?[?&](?:access_token|token|jwt|auth_?token|bearer|authorization)="),
        "A token in the WebSocket's URL. Web Messaging takes none there: the URL carries only the "
        "deploymentId, and a token in a URL ends up in logs and browser history.",
        "Connect to wss://webmessaging.{region}/v1?deploymentId={deploymentId} and put the guest's session "
        "token (a UUID the page makes up, not an OAuth token) in the configureSession frame: "
        "{\"action\": \"configureSession\", \"token\": ..., \"deploymentId\": ...}. " + NO_GUEST_OAUTH),
    Pattern(
        "ws_authorization_header", WRONG, "Authorization header on the WebSocket",
        _re(r"(?:\bnew\s+WebSocket\b|\bwebsockets?\.(?:connect|create_connection)\b|\bcreate_connection\b"
            r"|\bWebSocketApp\b|\bUpgrade:\s*websocket\b|\bwss?://)[\s\S]{0,240}?\bAuthorization\b"
            r"|\bAuthorization\b[\s\S]{0,240}?(?:\bnew\s+WebSocket\b|\bwebsockets?\.(?:connect|create_connection)\b"
            r"|\bcreate_connection\b|\bWebSocketApp\b|\bUpgrade:\s*websocket\b)"),
        "An Authorization header on the WebSocket upgrade. A browser cannot set headers on a WebSocket (the "
        "constructor takes only a URL and subprotocols), and Web Messaging does not read one: it "
        "authenticates a guest by the session token inside the configureSession frame.",
        "Open the socket with no header and no credential, then send configureSession with the session token. "
        + NO_GUEST_OAUTH),
    Pattern(
        "invented_frame_types", WRONG, "invented server frame type",
        _re(r"[\"'](?:conversation-update|bot-message)[\"']"),
        "Not a Web Messaging frame type. A server frame's type is only \"message\" or \"response\"; what it "
        "is comes from its class.",
        "Dispatch on class: a StructuredMessage with body.type \"Text\" is a message (originatingEntity \"Bot\" "
        "for a bot), body.type \"Event\" with eventType \"Typing\" is typing, \"Presence\" is join/disconnect."),
    # -- things that are right (reference §2, §3, §5) ---------------------------------------------
    Pattern(
        "webmessaging_socket", RIGHT, "Web Messaging guest socket",
        _re(r"\bwss://webmessaging\.(?P<domain>[a-z0-9-]+(?:\.[a-z0-9-]+)+?)(?=[/?\s\"'<>`)\]}]|$)"
            r"(?P<path>/[^\s?#\"'<>`)\]}]{0,512})?(?P<query>\?" + URL_END + r"{0,1024})?"),
        "", "", refine=_webmessaging),
    Pattern(
        "configure_session", RIGHT, "configureSession frame",
        _re(r"[\"']?action[\"']?\s*[:=]\s*[\"']configureSession[\"']"),
        "The first frame of a Web Messaging guest session.",
        "Looks right: it carries the guest's session token (a UUID the page makes up and keeps to resume) and "
        "the deploymentId, and gets a SessionResponse back."),
    Pattern(
        "deployment_config", RIGHT, "deployment's public config",
        _re(r"\bhttps://api-cdn\." + DOMAIN + r"/webdeployments/v1/deployments/[^/\s\"'<>`]+/config\.json"),
        "The Messenger deployment's public configuration, on the region's CDN. It needs no authentication.",
        "Looks right. A 404 there means a wrong deployment id or region. It does not list the deployment's "
        "allowed domains."),
    Pattern(
        "webmessaging_history", RIGHT, "Web Messaging history",
        _re(r"/api/v2/webmessaging/messages\b"),
        "The guest's message history, on https://api.{region}.",
        "Looks right: it is called with the short-lived JWT the socket hands out (the getJwt action), not "
        "with an OAuth token."),
    Pattern(
        "proxy_permission", RIGHT, "permission for the proxy's role",
        _re(r"\b(?:routing:queue:view|analytics:queueObservation:view|routing:scheduleGroup:view"
            r"|routing:schedule:view|webDeployments:deployment:view)\b"),
        "A Genesys Cloud permission, given to the role of the proxy's client-credentials OAuth client.",
        "Looks right, for the proxy (server side). It is a role permission (Admin > Roles / Permissions), not a "
        "scope, and the guest's browser never needs it."),
    Pattern(
        "client_credentials", NOTE, "client-credentials grant",
        _re(r"\bgrant_type=client_credentials\b|\bclient_credentials\b"),
        "The org's OAuth client-credentials grant (POST https://login.{region}/oauth/token).",
        "Right on a server (this proxy), never in a browser: a page that holds the client secret gives it to "
        "every visitor. A guest needs no OAuth at all."),
)


_SECRETS = (
    re.compile(r"([?&](?:access_token|token|jwt|auth_?token|bearer|authorization|sessionId)=)[^&\s\"'#<>`]+",
               re.IGNORECASE),
    re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=-]{6,}", re.IGNORECASE),
    re.compile(r"(/chat/jwt/)[^/\s\"'<>`]+", re.IGNORECASE),
)


def blank_tokens(text: str) -> str:
    """The text with token-looking values replaced by … (what is echoed back may be shared)."""
    for pattern in _SECRETS:
        text = pattern.sub(lambda m: m.group(1) + "…", text)
    return text


def _shown(text: str, limit: int = 120) -> str:
    text = " ".join(blank_tokens(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def explain(text: str) -> list[Finding]:
    """Every pattern of PATTERNS found in `text`, once per key (the wrong ones first, then by line),
    with the line of its first occurrence and up to three of the texts it matched.

    A percent-encoded URL (pasted from a browser's address bar or a log) is also read decoded.
    Only the first MAX_CHARS characters are read (a snippet, not a whole bundle)."""
    text = text[:MAX_CHARS]
    texts = [text]
    decoded = unquote(text)
    if decoded != text:
        texts.append(decoded)
    found: dict[str, Finding] = {}
    for pattern in PATTERNS:
        for source in texts:
            for m in pattern.regex.finditer(source):
                verdict, label, what, instead = (pattern.refine(m) if pattern.refine else
                                                 (pattern.verdict, pattern.label, pattern.what, pattern.instead))
                # A refined pattern can give different answers for different matches (a right socket
                # and one with a wrong path); each answer is its own finding.
                key = pattern.key if verdict == pattern.verdict else f"{pattern.key}:{verdict}"
                line = source.count("\n", 0, m.start()) + 1 if source is text else _line_of(text, m.group(0))
                finding = found.get(key)
                if finding is None:
                    finding = found[key] = Finding(key, verdict, label, what, instead, line)
                shown = _shown(m.group(0))
                if shown not in finding.matches and len(finding.matches) < 3:
                    finding.matches.append(shown)
    order = {WRONG: 0, NOTE: 1, RIGHT: 2}
    # The wrong ones first, then by line; the table's order within a line (sorted is stable).
    return sorted(found.values(), key=lambda f: (order[f.verdict], f.line))


def _line_of(text: str, fragment: str) -> int:
    # A match in the decoded text: its line is where the (encoded) line containing it starts.
    for number, line in enumerate(text.splitlines() or [text], 1):
        if fragment in unquote(line):
            return number
    return 1


def has_problems(findings: list[Finding]) -> bool:
    return any(f.wrong for f in findings)


def summary(findings: list[Finding]) -> str:
    wrong = sum(f.wrong for f in findings)
    right = sum(f.verdict == RIGHT for f in findings)
    if not findings:
        return "Nothing recognised: no tutorial endpoint, scope or Web Messaging URL in this text."
    if wrong:
        return f"{wrong} thing(s) that do not work with Genesys Cloud Web Messaging" + (
            f"; {right} that look right." if right else ".")
    return f"Nothing wrong found; {right} thing(s) look right." if right else "Nothing wrong found."


def as_json(text: str, findings: list[Finding]) -> dict:
    return {"ok": not has_problems(findings), "exitCode": 1 if has_problems(findings) else 0,
            "input": _shown(text, 2000), "findings": [f.as_json() for f in findings], "summary": summary(findings)}
