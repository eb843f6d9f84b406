"""Web Messenger deployments: the per-deployment settings the emulator behaves by.

A real deployment's settings live in several Genesys objects (WebDeployment, Messenger
configuration, Architect flow). Here one flat record holds them all; `config_json()` renders
the public CDN document (reference §3.12) and `origin_allowed()` is the handshake rule.
"""
import dataclasses
import urllib.parse
import uuid

DEMO_DEPLOYMENT_ID = "f3b8c4d2-5a6e-4b7f-8c9d-0e1f2a3b4c5d"
DEMO_QUEUE_ID = "7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
# A second demo deployment with authenticated messaging on (reference §3.13, idp.py).
AUTH_DEPLOYMENT_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5e"

# A few of the extensions Genesys blocks by default (the fixture shows `.ade`, `.adp`).
DEFAULT_BLOCKED_EXTENSIONS = [".ade", ".adp", ".app", ".bat", ".cmd", ".com", ".exe", ".js", ".msi", ".scr", ".vbs"]
DEFAULT_IMAGE_TYPES = ["image/jpeg", "image/gif", "image/png"]


@dataclasses.dataclass
class Deployment:
    id: str
    queue_id: str = DEMO_QUEUE_ID
    status: str = "Active"
    allow_all_domains: bool = False
    allowed_domains: list = dataclasses.field(default_factory=lambda: ["127.0.0.1", "localhost"])
    auto_start: bool = True
    show_agent_typing: bool = True
    show_user_typing: bool = True
    disconnect_enabled: bool = True
    disconnect_type: str = "ReadOnly"
    clear_enabled: bool = True
    markdown_enabled: bool = True
    attachments_enabled: bool = True
    file_types: list = dataclasses.field(default_factory=lambda: list(DEFAULT_IMAGE_TYPES))
    max_file_size_kb: int = 10240
    blocked_extensions: list = dataclasses.field(default_factory=lambda: list(DEFAULT_BLOCKED_EXTENSIONS))
    download_url_seconds: int = 600  # attachment download links (reference §3.9: about ten minutes)
    bot_delay_seconds: float = 1.0
    # UNCONFIRMED defaults, see README "Choices"
    session_duration_seconds: int = 259200
    max_custom_data_bytes: int = 2048
    max_text_bytes: int = 4096
    messages_per_second: float = 2.0
    max_sockets: int = 3
    jwt_seconds: int = 900
    # anchors §0 item 4; 0 = unlimited (limits.py)
    requests_per_minute: int = 60
    health_checks_per_minute: int = 2
    history_fetches_per_minute: int = 10
    bot: bool = True  # off: no scripted replies (the load bench measures the service path alone)
    auth_enabled: bool = False
    name: str = ""
    version: int = 1

    def __post_init__(self):
        self.name = self.name or "Emulator deployment %s" % self.id[:8]

    def platform_view(self):
        """`GET /api/v2/webdeployments/deployments/{id}` (the Platform API's WebDeployment)."""
        return {
            "id": self.id, "name": self.name, "description": "",
            "allowAllDomains": self.allow_all_domains, "allowedDomains": list(self.allowed_domains),
            "status": self.status,
            "configuration": {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, "configuration/" + self.id)),
                              "version": str(self.version)},
            "flow": {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, "flow/" + self.id)), "name": "Emulator inbound flow"},
            "selfUri": "/api/v2/webdeployments/deployments/" + self.id,
        }

    def allowed_media(self):
        types = self.file_types if self.attachments_enabled else []
        return {"inbound": {"fileTypes": [{"type": t} for t in types], "maxFileSizeKB": self.max_file_size_kb}}

    def origin_allowed(self, origin):
        """Origin rule: an allowedDomains entry matches the Origin's hostname, any port, any scheme.

        An entry with a port (`localhost:8765`) must match host and port; `*.example.com` matches
        subdomains. No Origin header at all (non-browser clients) is allowed; `null` is not.
        """
        if origin is None or self.allow_all_domains:
            return True
        try:
            parsed = urllib.parse.urlsplit(origin)
            host = (parsed.hostname or "").lower()
            port = parsed.port
        except ValueError:
            return False
        if not host:
            return False
        for entry in self.allowed_domains:
            entry = str(entry).strip().lower()
            if "://" in entry:
                entry = entry.split("://", 1)[1]
            entry = entry.rstrip("/")
            entry_host, _, entry_port = entry.partition(":")
            if entry_port and str(port) != entry_port:
                continue
            if entry_host.startswith("*."):
                if host.endswith(entry_host[1:]):
                    return True
            elif host == entry_host:
                return True
        return False

    def config_json(self, api_base, socket_base):
        conversations = {
            "messagingEndpoint": socket_base,
            "showAgentTypingIndicator": self.show_agent_typing,
            "showUserTypingIndicator": self.show_user_typing,
            "autoStart": {"enabled": self.auto_start},
            "conversationDisconnect": {"enabled": self.disconnect_enabled, "type": self.disconnect_type},
            "conversationClear": {"enabled": self.clear_enabled},
            "notifications": {"enabled": False, "notificationContentType": "ExcludeMessagesContent"},
            "markdown": {"enabled": self.markdown_enabled},
            "humanize": {"enabled": True, "bot": {"name": "Demo Bot"}},
        }
        file_upload = {"enableAttachments": self.attachments_enabled, "modes": []}
        if self.attachments_enabled:
            file_upload["modes"] = [{"fileTypes": list(self.file_types), "maxFileSizeKB": self.max_file_size_kb}]
        return {
            "id": self.id,
            "version": str(self.version),
            "languages": ["en-us"],
            "defaultLanguage": "en-us",
            "apiEndpoint": api_base,
            "status": self.status,
            "messenger": {
                "enabled": True,
                "styles": {"primaryColor": "#ff4f1f"},
                "launcherButton": {"visibility": "On"},
                "fileUpload": file_upload,
                "apps": {"conversations": conversations},
            },
            "journeyEvents": {"enabled": False},
            "auth": {"enabled": self.auth_enabled, "allowSessionUpgrade": False},
        }

    # Control-API names (camelCase, as a JSON client writes them) -> attribute and type.
    PATCHABLE = {
        "queueId": ("queue_id", str),
        "status": ("status", str),
        "allowAllDomains": ("allow_all_domains", bool),
        "allowedDomains": ("allowed_domains", list),
        "autoStart": ("auto_start", bool),
        "showAgentTypingIndicator": ("show_agent_typing", bool),
        "showUserTypingIndicator": ("show_user_typing", bool),
        "conversationDisconnectEnabled": ("disconnect_enabled", bool),
        "conversationDisconnectType": ("disconnect_type", str),
        "conversationClearEnabled": ("clear_enabled", bool),
        "markdownEnabled": ("markdown_enabled", bool),
        "attachmentsEnabled": ("attachments_enabled", bool),
        "fileTypes": ("file_types", list),
        "maxFileSizeKB": ("max_file_size_kb", int),
        "blockedExtensions": ("blocked_extensions", list),
        "downloadUrlSeconds": ("download_url_seconds", int),
        "botDelaySeconds": ("bot_delay_seconds", float),
        "sessionDurationSeconds": ("session_duration_seconds", int),
        "maxCustomDataBytes": ("max_custom_data_bytes", int),
        "maxTextBytes": ("max_text_bytes", int),
        "messagesPerSecond": ("messages_per_second", float),
        "maxSockets": ("max_sockets", int),
        "jwtSeconds": ("jwt_seconds", int),
        "requestsPerMinute": ("requests_per_minute", int),
        "healthChecksPerMinute": ("health_checks_per_minute", int),
        "historyFetchesPerMinute": ("history_fetches_per_minute", int),
        "bot": ("bot", bool),
        "authEnabled": ("auth_enabled", bool),
        "name": ("name", str),
    }
    ALIASES = {"durationSeconds": "sessionDurationSeconds"}  # the SessionResponse field's name
    ENUMS = {"status": ("Active", "Inactive"), "disconnect_type": ("ReadOnly", "Send")}

    def patch(self, changes):
        """Apply camelCase settings; raise ValueError naming the first bad one (nothing applied then)."""
        staged = {}
        for key, value in changes.items():
            key = self.ALIASES.get(key, key)
            if key not in self.PATCHABLE:
                raise ValueError("unknown setting %r" % key)
            attr, kind = self.PATCHABLE[key]
            if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise ValueError("setting %r must be %s" % (key, kind.__name__))
            if kind is list and not all(isinstance(item, str) for item in value):
                raise ValueError("setting %r must be a list of strings" % key)
            if kind in (int, float) and value < 0:
                raise ValueError("setting %r must not be negative" % key)
            if attr in self.ENUMS and value not in self.ENUMS[attr]:
                raise ValueError("setting %r must be one of %s" % (key, ", ".join(self.ENUMS[attr])))
            staged[attr] = list(value) if kind is list else value
        for attr, value in staged.items():
            setattr(self, attr, value)
        self.version += 1

    def settings(self):
        return {key: getattr(self, attr) for key, (attr, _) in self.PATCHABLE.items()} | {"id": self.id}


def default_deployments(bot_delay_seconds=1.0):
    return {
        DEMO_DEPLOYMENT_ID: Deployment(DEMO_DEPLOYMENT_ID, bot_delay_seconds=bot_delay_seconds,
                                       name="Emulator demo deployment"),
        AUTH_DEPLOYMENT_ID: Deployment(AUTH_DEPLOYMENT_ID, bot_delay_seconds=bot_delay_seconds, auth_enabled=True,
                                       name="Emulator demo deployment (authenticated)"),
    }
