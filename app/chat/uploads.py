"""The guest's outgoing files: a pure, sans-IO upload manager. Portable: CPython, MicroPython, Pyodide.

Nothing here touches the socket, the network, the DOM or the clock. The edge (controller + browser)
calls a method when something happens and carries out the *outputs* the method returns: plain tuples

    ("request", attachment_id, name, mime, size)  send onAttachment (connection.request_upload; md5 None)
    ("put", upload_id, url, headers)               edge: HTTP PUT the file's bytes to url with every header
                                                   (Content-Type is already included); report back with
                                                   on_progress / on_put_done
    ("abort", upload_id)                           edge: stop the PUT (or file read) of that file, if any
    ("delete", attachment_id)                      send deleteAttachment (connection.delete_attachment)
    ("download", attachment_id, url)               a getAttachment answer: a fresh download link

Two ids. `upload_id` is the edge's own id for a chosen file (it keys the File object and the composer
chip) and never changes. `attachment_id` is the id of the current *attempt* at the service: the first
attempt uses the upload id itself (the service echoes a client-chosen attachmentId), a retry needs a
fresh one, which the edge supplies: `retry(upload_id, new_attempt_id)`. Hence "request"/"delete" name
the attachment id (they become socket frames) and "put"/"abort" name the upload id (the edge acts on
its File). Methods the edge calls (on_progress, on_put_done, cancel, remove, retry, retryable, get,
attachment_id) accept either id; methods fed by service events (on_ready, on_succeeded, on_failed,
on_deleted) take the attachment id. Unknown ids are ignored (return [] / None): the service may
report attachments of another tab.

API
    Upload = namedtuple("Upload", ["id", "name", "mime", "size", "state", "progress", "error", "media_type"])
        id: the upload id; mime: the effective type (the browser's, or guessed from the extension when
        the browser gave none, else "application/octet-stream"); state: see below; progress: 0..100;
        error: a guest-facing sentence or ""; media_type: "Image" | "Video" | "Audio" | "File".

    states: "requesting" (onAttachment sent) -> "uploading" (PUT running) -> "processing" (PUT done,
        waiting for UploadSuccessEvent) -> "ready" (may be sent); "failed" from any of the first three.
        "checking" and "removing" are reserved and never shown: check() is synchronous, and cancel() /
        remove() take a file out of the list at once (the deleteAttachment answer is not waited for).

    u = Uploads(words=None)          words: optional {key: text} overriding the wording (see the upload.* keys of app/chat/strings.py)
    u.set_limits(body)               SessionResponse body (or a GetConfigurationResponse body):
                                     allowedMedia.inbound.fileTypes [{type}], .maxFileSizeKB, blockedExtensions
    u.set_deployment(config)         the public deployment config.json: messenger.fileUpload
                                     {enableAttachments, modes[{fileTypes[str], maxFileSizeKB}]}
    u.enabled() -> bool              False when enableAttachments is false, when the session has no
                                     allowedMedia (or no file types), or when no limits are known yet.
                                     The session's rules win; the deployment's modes are used only
                                     until set_limits() is called; enableAttachments false always wins.
    u.accept_attribute() -> str      for <input type=file accept=...>: "image/*,application/pdf,.pdf"; ""
                                     when any type is allowed (also "" when disabled: hide the button)
    u.check(name, mime, size) -> str "" if allowed, else why not (one sentence)
    u.add(upload_id, name, mime, size) -> (Upload, outputs)
                                     refused: (Upload "failed" with the reason, []) and NOT kept;
                                     allowed: kept "requesting", [("request", upload_id, name, mime, size)];
                                     an id already in the list: (that Upload, [])
    u.on_ready(attachment_id, url, headers) -> outputs
                                     UploadReady. For a "requesting" attempt: [("put", ...)], "uploading".
                                     Otherwise, with empty headers (a getAttachment answer):
                                     [("download", attachment_id, url)]; else [].
    u.on_progress(id, sent, total) -> []      while "uploading"
    u.on_put_done(id, status) -> []           2xx: "processing", progress 100; 0 (network/CORS) or any
                                              other status: "failed", retryable
    u.on_succeeded(attachment_id, download_url) -> outputs
                                     UploadSucceeded: "ready" (also after a PUT that looked failed: a
                                     CORS-hidden PUT reports status 0 yet may have worked). For a
                                     cancelled attempt: [("delete", attachment_id)] so no file lingers.
    u.on_failed(attachment_id, problem) -> outputs
                                     UploadFailed / GenerateUrlError (problem: errors.Problem):
                                     "failed" with the problem's words; [("abort", upload_id)] if a PUT
                                     is still running. 4001-4005 (type/size/content/name) are not retryable.
    u.cancel(id) -> outputs          requesting: [("abort", upload_id)]; uploading: [("abort", upload_id),
                                     ("delete", attachment_id)]; processing: [("delete", attachment_id)];
                                     ready: same as remove(); failed: []. The file leaves the list.
    u.remove(id) -> outputs          ready: [("delete", attachment_id)]; any other state: as cancel().
                                     The file leaves the list at once.
    u.on_deleted(attachment_id) -> []         AttachmentDeleted: nothing to show (the file already left)
    u.retry(id, new_attempt_id) -> outputs    a failed, retryable upload: checked again against the
                                     current limits, then "requesting" under the new attachment id:
                                     [("request", new_attempt_id, name, mime, size)]. Not retryable,
                                     not failed, unknown, or new_attempt_id empty/in use: [].
    u.retryable(id) -> bool          whether the composer should offer Retry for a failed file
    u.items() -> tuple of Upload     in the order added (what the composer shows)
    u.get(id) -> Upload or None
    u.attachment_id(id) -> str       the current attempt's attachment id ("" if unknown)
    u.ready_for_send() -> [(attachment_id, media_type)]   of the "ready" files, in order
                                     (exactly what connection.send_attachments takes)
    u.busy() -> bool                 any file still requesting/uploading/processing (Send waits)
    u.sent(attachment_ids=None) -> [(attachment_id, media_type)]
                                     after the message carrying them was queued: those ready files
                                     (default: every ready one) leave the list; returns them
    u.clear() -> outputs             a new session/token: every file leaves; [("abort", upload_id)] for
                                     each PUT or request still in flight (attachment ids die with the token)

Uploads do not survive a page reload: a File object cannot be stored, and an uploaded-but-unsent
attachment is cheap to choose again. There is no saved()/restored().

Matching: mime types compare case-insensitively, parameters (";charset=...") dropped; "*/*" allows
everything, "image/*" any image/...; an entry starting with "." names an extension. A file without a
browser mime is matched by the type its extension implies (EXTENSION_TYPES), and without a known
extension only "*/*" allows it. Blocked extensions compare case-insensitively, with or without the
dot, against the last extension and the compound one (".tar.gz"); trailing dots and spaces of the
name are ignored ("x.pdf.exe." is an .exe). Size limit: maxFileSizeKB x 1024 bytes.

Words: looked up by key in the `words` table given to Uploads(), then in the string table
(app/chat/strings.py, the upload.* and kind.* keys). Placeholders are {name}.
"""
from collections import namedtuple

from app.protocol import errors

from app.chat import strings as _strings

Upload = namedtuple("Upload", ["id", "name", "mime", "size", "state", "progress", "error", "media_type"])

CHECKING = "checking"  # reserved: checks are synchronous
REQUESTING = "requesting"
UPLOADING = "uploading"
PROCESSING = "processing"
READY = "ready"
FAILED = "failed"
REMOVING = "removing"  # reserved: removed files leave the list at once

MAX_NAME = 255
OCTET_STREAM = "application/octet-stream"

# The types a file's extension implies when the browser gives no mime (first extension of a type is
# the one named in messages).
EXTENSION_TYPES = (
    ("png", "image/png"), ("jpg", "image/jpeg"), ("jpeg", "image/jpeg"), ("gif", "image/gif"),
    ("webp", "image/webp"), ("bmp", "image/bmp"), ("svg", "image/svg+xml"), ("heic", "image/heic"),
    ("tif", "image/tiff"), ("tiff", "image/tiff"),
    ("pdf", "application/pdf"), ("txt", "text/plain"), ("csv", "text/csv"), ("rtf", "application/rtf"),
    ("json", "application/json"), ("xml", "application/xml"), ("zip", "application/zip"),
    ("doc", "application/msword"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xls", "application/vnd.ms-excel"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt", "application/vnd.ms-powerpoint"),
    ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("mp4", "video/mp4"), ("mov", "video/quicktime"), ("webm", "video/webm"), ("mpg", "video/mpeg"),
    ("mpeg", "video/mpeg"), ("3gp", "video/3gpp"), ("avi", "video/x-msvideo"),
    ("mp3", "audio/mpeg"), ("wav", "audio/wav"), ("ogg", "audio/ogg"), ("m4a", "audio/mp4"),
    ("aac", "audio/aac"),
)

_MAX_KINDS = 6
_NOT_RETRYABLE = (4001, 4002, 4003, 4004, 4005)
_IN_FLIGHT = (REQUESTING, UPLOADING, PROCESSING)


def _fill(text, values):
    for key in values:
        text = text.replace("{" + key + "}", str(values[key]))
    return text


def media_type(mime):
    """The schema's mediaType for an Attachment: Image, Video, Audio or File."""
    major = (mime or "").lower().split("/")[0]
    if major == "image":
        return "Image"
    if major == "video":
        return "Video"
    if major == "audio":
        return "Audio"
    return "File"


def _clean_mime(mime):
    if not isinstance(mime, str):
        return ""
    return mime.split(";")[0].strip().lower()


def _clean_name(name):
    return (name or "").rstrip(". ")


def _extensions(name):
    """(last extension, compound extension) without dots, lowercase: "a.tar.gz" -> ("gz", "tar.gz")."""
    parts = _clean_name(name).lower().lstrip(".").split(".")
    if len(parts) < 2:
        return "", ""
    return parts[-1].strip(), ".".join(parts[1:]).strip()


def _type_for_extension(ext):
    for known, mime in EXTENSION_TYPES:
        if known == ext:
            return mime
    return ""


def _extension_for_type(mime):
    for known, kind in EXTENSION_TYPES:
        if kind == mime:
            return known
    return ""


def _size_limit_kb(value):
    try:
        kb = int(float(value))
    except (TypeError, ValueError):
        return 0
    return kb if kb > 0 else 0


def _matches(pattern, mime, ext):
    if pattern == "*/*" or pattern == "*":
        return True
    if pattern.startswith("."):
        return bool(ext) and pattern[1:] == ext
    if not mime:
        return False
    if pattern.endswith("/*"):
        return mime.startswith(pattern[:-1])
    return pattern == mime


class _Item:
    """One file in the composer (mutable; items() hands out immutable Upload records)."""

    def __init__(self, upload_id, name, mime, size):
        self.id = upload_id
        self.attempt = upload_id
        self.name = name
        self.mime = mime
        self.size = size
        self.state = REQUESTING
        self.progress = 0
        self.error = ""
        self.retryable = False
        self.download_url = ""

    def record(self):
        return Upload(self.id, self.name, self.mime, self.size, self.state, self.progress, self.error,
                      media_type(self.mime))


class Uploads:
    def __init__(self, words=None):
        self._words = words or {}
        self._items = []
        self._session_rules = None  # list of (patterns, max_kb) from set_limits; None = not told yet
        self._deployment_rules = None  # the same from set_deployment's modes
        self._accept = None  # (the rules, the accept attribute made from them)
        self._blocked = []  # extensions without the dot, lowercase
        self._switched_off = False  # enableAttachments false
        self._cancelled = {}  # attachment id -> True: attempts cancelled after the service knew them

    # ----- words

    def _t(self, key, **values):
        text = self._words.get(key)
        if text is None:
            return _strings.t(key, **values)
        return _fill(text, values) if values else text

    def _size_words(self, kb):
        if kb >= 1024:
            tenths = kb * 10 // 1024  # round down: never promise more than the limit
            if tenths % 10 == 0:
                return self._t("size.mb", n=tenths // 10)
            return self._t("size.mb", n="%d.%d" % (tenths // 10, tenths % 10))
        return self._t("size.kb", n=kb)

    # ----- limits

    def set_limits(self, session_body):
        body = session_body if isinstance(session_body, dict) else {}
        media = body.get("allowedMedia")
        inbound = media.get("inbound") if isinstance(media, dict) else None
        rules = []
        if isinstance(inbound, dict):
            patterns = []
            for entry in inbound.get("fileTypes") or ():
                kind = entry.get("type") if isinstance(entry, dict) else entry
                kind = _clean_mime(kind)
                if kind and kind not in patterns:
                    patterns.append(kind)
            if patterns:
                rules.append((patterns, _size_limit_kb(inbound.get("maxFileSizeKB"))))
        self._session_rules = rules
        blocked = []
        for ext in body.get("blockedExtensions") or ():
            if isinstance(ext, str):
                ext = ext.strip().lower().lstrip(".")
                if ext and ext not in blocked:
                    blocked.append(ext)
        self._blocked = blocked

    def set_deployment(self, deployment_config):
        config = deployment_config if isinstance(deployment_config, dict) else {}
        messenger = config.get("messenger")
        upload = messenger.get("fileUpload") if isinstance(messenger, dict) else None
        if not isinstance(upload, dict):
            return
        self._switched_off = upload.get("enableAttachments") is False
        rules = []
        for mode in upload.get("modes") or ():
            if not isinstance(mode, dict):
                continue
            patterns = []
            for kind in mode.get("fileTypes") or ():
                if isinstance(kind, dict):
                    kind = kind.get("type")
                kind = _clean_mime(kind)
                if kind and kind not in patterns:
                    patterns.append(kind)
            if patterns:
                rules.append((patterns, _size_limit_kb(mode.get("maxFileSizeKB"))))
        self._deployment_rules = rules

    def _rules(self):
        if self._switched_off:
            return []
        if self._session_rules is not None:
            return self._session_rules
        return self._deployment_rules or []

    def _patterns(self):
        out = []
        for patterns, _ in self._rules():
            for p in patterns:
                if p not in out:
                    out.append(p)
        return out

    def enabled(self):
        return bool(self._rules())

    def accept_attribute(self):
        """The file picker's `accept`, worked out again only when the rules change (it is part of
        every view)."""
        rules = self._rules()
        if self._accept is None or self._accept[0] is not rules:
            self._accept = (rules, self._accept_for())
        return self._accept[1]

    def _accept_for(self):
        patterns = self._patterns()
        if not patterns or "*/*" in patterns or "*" in patterns:
            return ""
        out = []
        for p in patterns:
            if p not in out:
                out.append(p)
            if not p.startswith(".") and not p.endswith("/*"):
                # the picker also offers files whose system type is missing or odd
                for ext, kind in EXTENSION_TYPES:
                    if kind == p and "." + ext not in out:
                        out.append("." + ext)
        return ",".join(out)

    def _kinds(self):
        words = []
        for p in self._patterns():
            if p.startswith("."):
                word = p[1:].upper()
            elif p.endswith("/*"):
                word = self._t("kind." + p[:-2]) if ("kind." + p[:-2]) in _strings.STRINGS else p
            else:
                word = (_extension_for_type(p) or p.split("/")[-1]).upper()
                if len(word) > 8 or "." in word or "+" in word:
                    word = p
            if word not in words:
                words.append(word)
        if len(words) > _MAX_KINDS:
            return self._t("upload.kinds_more", kinds=", ".join(words[:_MAX_KINDS]), n=len(words) - _MAX_KINDS)
        return ", ".join(words)

    def _effective_mime(self, name, mime):
        mime = _clean_mime(mime)
        if mime:
            return mime
        return _type_for_extension(_extensions(name)[0])

    def check(self, name, mime, size):
        if not self.enabled():
            return self._t("upload.disabled")
        name = name if isinstance(name, str) else ""
        if not _clean_name(name).strip():
            return self._t("upload.no_name")
        if len(name) > MAX_NAME:
            return self._t("upload.name_too_long", max=MAX_NAME)
        last, compound = _extensions(name)
        tail = "." + compound
        for blocked in self._blocked:
            if blocked == last or tail.endswith("." + blocked):
                return self._t("upload.blocked", name=name, ext="." + blocked)
        effective = self._effective_mime(name, mime)
        matching = []
        for patterns, max_kb in self._rules():
            for p in patterns:
                if _matches(p, effective, last):
                    matching.append(max_kb)
                    break
        if not matching:
            return self._t("upload.type", name=name, kinds=self._kinds())
        try:
            size = int(size)
        except (TypeError, ValueError):
            size = 0
        if size <= 0:
            return self._t("upload.empty", name=name)
        largest = 0
        for max_kb in matching:
            if max_kb == 0 or size <= max_kb * 1024:
                return ""
            largest = max(largest, max_kb)
        return self._t("upload.too_large", name=name, limit=self._size_words(largest))

    # ----- lookups

    def _find(self, some_id):
        """By upload id, else by the current attempt's attachment id."""
        if not some_id:
            return None
        for item in self._items:
            if item.id == some_id:
                return item
        return self._by_attempt(some_id)

    def _by_attempt(self, attachment_id):
        if not attachment_id:
            return None
        for item in self._items:
            if item.attempt == attachment_id:
                return item
        return None

    def _drop(self, item):
        self._items = [i for i in self._items if i is not item]

    def get(self, some_id):
        item = self._find(some_id)
        return item.record() if item else None

    def attachment_id(self, some_id):
        item = self._find(some_id)
        return item.attempt if item else ""

    def items(self):
        return tuple(item.record() for item in self._items)

    def ready_for_send(self):
        return [(item.attempt, media_type(item.mime)) for item in self._items if item.state == READY]

    def busy(self):
        for item in self._items:
            if item.state in _IN_FLIGHT:
                return True
        return False

    def retryable(self, some_id):
        item = self._find(some_id)
        return bool(item and item.state == FAILED and item.retryable)

    # ----- the edge's calls

    def add(self, upload_id, name, mime, size):
        existing = self._find(upload_id)
        if existing is not None:
            return existing.record(), []
        effective = self._effective_mime(name, mime) or OCTET_STREAM
        try:
            size = int(size)
        except (TypeError, ValueError):
            size = 0
        item = _Item(upload_id, name if isinstance(name, str) else "", effective, size)
        reason = self.check(name, mime, size)
        if reason:
            item.state = FAILED
            item.error = reason
            return item.record(), []
        self._items.append(item)
        return item.record(), [("request", item.attempt, item.name, item.mime, item.size)]

    def on_progress(self, upload_id, sent, total):
        item = self._find(upload_id)
        if item is None or item.state != UPLOADING:
            return []
        try:
            sent, total = int(sent), int(total)
        except (TypeError, ValueError):
            return []
        if total > 0:
            item.progress = max(0, min(100, sent * 100 // total))
        return []

    def on_put_done(self, upload_id, status):
        item = self._find(upload_id)
        if item is None or item.state != UPLOADING:
            return []
        try:
            status = int(status)
        except (TypeError, ValueError):
            status = 0
        if 200 <= status < 300:
            item.state = PROCESSING
            item.progress = 100
        else:
            self._fail(item, self._t("upload.offline" if status == 0 else "upload.put_refused", name=item.name),
                       True)
        return []

    def cancel(self, upload_id):
        item = self._find(upload_id)
        if item is None:
            return []
        if item.state == READY:
            return self.remove(upload_id)
        self._drop(item)
        if item.state == REQUESTING:
            self._cancelled[item.attempt] = True  # a late upload URL for it is not a download link
            return [("abort", item.id)]
        if item.state == UPLOADING:
            self._cancelled[item.attempt] = True
            return [("abort", item.id), ("delete", item.attempt)]
        if item.state == PROCESSING:
            self._cancelled[item.attempt] = True
            return [("delete", item.attempt)]
        return []

    def remove(self, upload_id):
        item = self._find(upload_id)
        if item is None:
            return []
        if item.state != READY:
            return self.cancel(upload_id)
        self._drop(item)
        return [("delete", item.attempt)]

    def retry(self, upload_id, new_attempt_id):
        item = self._find(upload_id)
        if item is None or item.state != FAILED or not item.retryable:
            return []
        if not new_attempt_id or new_attempt_id in self._cancelled or self._find(new_attempt_id) is not None:
            return []
        reason = self.check(item.name, item.mime, item.size)
        if reason:
            self._fail(item, reason, False)
            return []
        item.attempt = new_attempt_id
        item.state = REQUESTING
        item.progress = 0
        item.error = ""
        item.retryable = False
        item.download_url = ""
        return [("request", item.attempt, item.name, item.mime, item.size)]

    def sent(self, attachment_ids=None):
        out = []
        keep = []
        for item in self._items:
            if item.state == READY and (attachment_ids is None or item.attempt in attachment_ids):
                out.append((item.attempt, media_type(item.mime)))
            else:
                keep.append(item)
        self._items = keep
        return out

    def clear(self):
        out = [("abort", item.id) for item in self._items if item.state in (REQUESTING, UPLOADING)]
        self._items = []
        self._cancelled = {}
        return out

    # ----- the service's events

    def on_ready(self, attachment_id, url, headers):
        if attachment_id in self._cancelled:
            return []
        item = self._by_attempt(attachment_id)
        if item is not None and item.state == REQUESTING:
            if not url:
                self._fail(item, self._t("upload.no_link", name=item.name), True)
                return []
            put_headers = {}
            has_type = False
            for key in headers or {}:
                put_headers[key] = headers[key]
                if key.lower() == "content-type":
                    has_type = True
            if not has_type:
                put_headers["Content-Type"] = item.mime
            item.state = UPLOADING
            item.progress = 0
            return [("put", item.id, url, put_headers)]
        if not headers and url and attachment_id:
            return [("download", attachment_id, url)]
        return []

    def on_succeeded(self, attachment_id, download_url):
        if attachment_id in self._cancelled:
            # the PUT beat the abort: delete the file the guest no longer wants
            del self._cancelled[attachment_id]
            return [("delete", attachment_id)]
        item = self._by_attempt(attachment_id)
        if item is None or item.state in (READY, REQUESTING):
            return []
        item.state = READY
        item.progress = 100
        item.error = ""
        item.retryable = False
        item.download_url = download_url or ""
        return []

    def on_failed(self, attachment_id, problem):
        if attachment_id in self._cancelled:
            del self._cancelled[attachment_id]
            return []
        item = self._by_attempt(attachment_id)
        if item is None or item.state == FAILED:
            return []
        was_uploading = item.state == UPLOADING
        code = getattr(problem, "code", None)
        fault = getattr(problem, "fault", None)
        _, words, action = _strings.problem_words(problem) if problem is not None else ("", "", "")
        words = words or self._t("upload.put_refused", name=item.name)
        if action and fault in (errors.GUEST, errors.NETWORK, errors.CLIENT):
            words = words + " " + action
        elif fault != errors.SITE and code not in _NOT_RETRYABLE:
            words = words + " " + self._t("upload.try_again")
        retryable = code not in _NOT_RETRYABLE and fault != errors.SITE
        self._fail(item, words, retryable)
        return [("abort", item.id)] if was_uploading else []

    def on_deleted(self, attachment_id):
        self._cancelled.pop(attachment_id, None)  # deleted: a late success needs no second delete
        return []

    def _fail(self, item, words, retryable):
        item.state = FAILED
        item.error = words
        item.retryable = retryable
