"""The page's settings file (config.json beside index.html): where to find it, and what it says.

Pure functions over strings and dicts (MicroPython has no urllib): the edge fetches, this decides.
"""
from collections import namedtuple

Settings = namedtuple(
    "Settings",
    ["deployment_id", "web_messaging_url", "api_base_url", "cdn_base_url", "proxy_url", "runtime",
     "language", "strings", "theme", "modules", "stylesheets", "prechat", "attention", "ending",
     "when_closed"],
)
# prechat: the checked pre-chat form (app/chat/prechat.py) or None; attention: {"sound",
# "notifications", "notificationText"} (app/chat/attention.py); ending: {"endChat", "clear",
# "download"}, each true unless set false (what the panel's menu offers; see docs/customising.md).
SCHEMES = ("auto", "light", "dark")

RUNTIMES = ("micropython", "pyodide")
DEFAULT_CONFIG = "config.json"


class SettingsError(Exception):
    """The settings cannot be used. `key` names the catalogue entry (app.protocol.errors)."""

    def __init__(self, key, detail):
        super().__init__(detail)
        self.key = key
        self.detail = detail


def origin_of(url):
    """'http://host:8765/a/b?c' -> 'http://host:8765' (lower-cased scheme and host)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return ""
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return scheme.lower() + "://" + host.lower()


def query_param(url, name):
    query = url.split("#", 1)[0].partition("?")[2]
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        if key == name:
            return _unquote(value)
    return None


def _unquote(text):
    out = []
    i = 0
    text = text.replace("+", " ")
    while i < len(text):
        if text[i] == "%" and _is_hex(text[i + 1:i + 3]):
            out.append(chr(int(text[i + 1:i + 3], 16)))
            i += 3
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _is_hex(pair):
    return len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair)


def config_url(page_url, with_param=True):
    """The settings file's absolute URL: `?config=` if given (and with_param) and same-origin, else
    config.json beside the page.

    A foreign origin (or a scheme-relative or non-http URL) is refused: a settings file decides
    where the guest's messages go, so only the site itself may name it.
    """
    page = page_url.split("#", 1)[0].split("?", 1)[0]
    page_origin = origin_of(page)
    wanted = query_param(page_url, "config") if with_param else None
    if wanted is None or wanted == "":
        wanted = DEFAULT_CONFIG
    if wanted.startswith("//") or "\\" in wanted:
        raise SettingsError("config_foreign", "?config= must name a file on this site")
    if ":" in wanted.split("/", 1)[0]:  # it names a scheme, so maybe another site
        if not page_origin or origin_of(wanted) != page_origin:
            raise SettingsError("config_foreign", "?config= names another site: " + wanted)
        return wanted
    if wanted.startswith("/"):
        return page_origin + wanted
    directory = page[: page.rfind("/") + 1]
    while wanted.startswith("./"):
        wanted = wanted[2:]
    return directory + wanted


def parse(data, page_url):
    """Settings from the parsed JSON of the settings file; raises SettingsError('config_invalid')."""
    if not isinstance(data, dict):
        raise SettingsError("config_invalid", "the settings file must hold a JSON object")
    deployment_id = data.get("deploymentId")
    if not isinstance(deployment_id, str) or not deployment_id.strip():
        raise SettingsError("config_invalid", "deploymentId is missing")
    region = data.get("region")
    if region is not None and (not isinstance(region, str) or "/" in region or not region.strip()):
        raise SettingsError("config_invalid", "region must be a domain such as mypurecloud.com")
    socket_url = data.get("webMessagingUrl") or ("wss://webmessaging." + region + "/v1" if region else None)
    api_url = data.get("apiBaseUrl") or ("https://api." + region if region else None)
    if not isinstance(socket_url, str) or not (socket_url.startswith("ws://") or socket_url.startswith("wss://")):
        raise SettingsError("config_invalid", "webMessagingUrl must be a ws:// or wss:// URL (or give region)")
    if not isinstance(api_url, str) or not (api_url.startswith("http://") or api_url.startswith("https://")):
        raise SettingsError("config_invalid", "apiBaseUrl must be an http(s) URL (or give region)")
    cdn_url = data.get("cdnBaseUrl") or (("https://api-cdn." + region) if region and not data.get("apiBaseUrl")
                                         else api_url)
    socket_url = socket_url.rstrip("/")
    if socket_url.count("/") == 2:  # bare host, as Genesys' own `messagingEndpoint` is written
        socket_url += "/v1"
    proxy = data.get("proxyUrl")
    if proxy == "":
        proxy = origin_of(page_url)
    elif proxy is not None and not (isinstance(proxy, str) and (proxy.startswith("http://")
                                                                or proxy.startswith("https://"))):
        raise SettingsError("config_invalid", "proxyUrl must be an http(s) URL, \"\" or null")
    runtime = data.get("runtime") or "micropython"
    if runtime not in RUNTIMES:
        raise SettingsError("config_invalid", "runtime must be micropython or pyodide")
    language = data.get("language")
    if language is not None and not isinstance(language, str):
        raise SettingsError("config_invalid", "language must be a language tag such as \"fr\" or \"ar\"")
    strings = data.get("strings") or {}
    if not isinstance(strings, dict):
        raise SettingsError("config_invalid", "strings must be an object of string keys and texts")
    theme = data.get("theme") or {}
    if isinstance(theme, str):
        theme = {"scheme": theme}
    if not isinstance(theme, dict) or theme.get("scheme", "auto") not in SCHEMES:
        raise SettingsError("config_invalid", "theme must be an object (see docs/customising.md); "
                                              "its scheme auto, light or dark")
    prechat = None
    if data.get("prechat") is not None:
        from app.chat import prechat as prechat_mod  # compiled only for a site that has a form

        try:
            prechat = prechat_mod.parse(data.get("prechat"))
        except prechat_mod.PrechatError as exc:
            raise SettingsError("config_invalid", str(exc))
    attention = _flags(data, "attention", ("sound", "notifications", "notificationText"))
    ending = _flags(data, "ending", ("endChat", "clear", "download"))
    return Settings(deployment_id.strip(), socket_url, api_url.rstrip("/"), cdn_url.rstrip("/"),
                    proxy.rstrip("/") if proxy else None, runtime, language or "", strings, theme,
                    site_files(data.get("modules"), page_url, "modules", ".py"),
                    site_files(data.get("stylesheets"), page_url, "stylesheets", ".css"),
                    prechat, attention, ending, _when_closed(data))


def _when_closed(data):
    value = data.get("whenClosed", "show")
    if value not in ("show", "hide"):
        raise SettingsError("config_invalid", "whenClosed must be \"show\" or \"hide\"")
    return value


def _flags(data, key, names):
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise SettingsError("config_invalid", "%s must be an object of %s" % (key, ", ".join(names)))
    for name in value:
        if name not in names or not isinstance(value[name], bool):
            raise SettingsError("config_invalid", "%s.%s: expected one of %s, each true or false"
                                % (key, name, ", ".join(names)))
    return dict(value)


def site_files(paths, page_url, key, extension):
    """The customer's files (`"modules": ["custom/brand.py"]`, `"stylesheets": ["custom/brand.css"]`):
    files of this site only, beside or below the page, as absolute URLs."""
    if paths is None:
        return ()
    if not isinstance(paths, list):
        raise SettingsError("config_invalid", "%s must be a list of %s files beside the page" % (key, extension))
    page = page_url.split("#", 1)[0].split("?", 1)[0]
    directory = page[: page.rfind("/") + 1]
    found = []
    for path in paths:
        ok = isinstance(path, str) and path.endswith(extension) and ":" not in path and "\\" not in path
        parts = path.split("/") if ok else []
        while parts and parts[0] == ".":
            parts = parts[1:]
        name = parts[-1][:-len(extension)] if parts else ""
        if not parts or not all(p and p not in (".", "..") for p in parts) or not _identifier(name.replace("-", "_")):
            raise SettingsError("config_invalid", "%s: %r must be a %s file beside or below the page"
                                % (key, path, extension))
        if extension == ".py" and not _identifier(name):
            raise SettingsError("config_invalid", "%s: %r must be named like a Python module" % (key, path))
        found.append(directory + "/".join(parts))
    return tuple(found)


def _identifier(name):
    return bool(name) and not name[0].isdigit() and all(c.isalpha() or c.isdigit() or c == "_" for c in name)


def socket_url(settings):
    return settings.web_messaging_url + "?deploymentId=" + settings.deployment_id


def deployment_config_url(settings):
    return settings.cdn_base_url + "/webdeployments/v1/deployments/" + settings.deployment_id + "/config.json"


def context_url(settings):
    return settings.proxy_url + "/api/context" if settings.proxy_url else None
