"""The transcript as a file the guest downloads: plain text to read, JSON to keep or process.

Pure: rows in (app/chat/transcript.Row), text out. Times are written in the guest's own time zone
and language through `fmt` (the renderer's date formatter: `day(iso)`, `time(iso)`), and as ISO
in the JSON. Only what the guest saw goes in: the words of each message, files by name and link,
and choices as the guest made them.
"""
import json

FORMAT_VERSION = 1


def filename(stamp, ext):
    """chat-transcript-2026-12-02-1015.txt for an ISO stamp."""
    digits = stamp[:10] + "-" + stamp[11:13] + stamp[14:16] if len(stamp) >= 16 else "now"
    return "chat-transcript-%s.%s" % (digits, ext)


def _files(row):
    out = []
    for part in row.parts:
        if part.kind == "attachment":
            props = part.props
            out.append({"name": props.get("filename") or "", "url": props.get("url") or "",
                        "mediaType": props.get("media_type") or "", "size": props.get("size") or 0})
    return out


def _words(row):
    text = row.text or ""
    names = [f["name"] for f in _files(row) if f["name"]]
    if names and not any(name in text for name in names):
        text = (text + "\n" if text else "") + "\n".join(["[" + name + "]" for name in names])
    return text


def as_text(rows, title, exported_iso, fmt, t):
    lines = [title, t("export.exported", when=_when(exported_iso, fmt)), ""]
    day = None
    for row in rows:
        if row.status == "failed":
            continue  # never reached the other side
        shown_day = fmt.day(row.time) if row.time else ""
        if shown_day and shown_day != day:
            if day is not None:
                lines.append("")
            lines.append("— " + shown_day + " —")
            day = shown_day
        stamp = fmt.time(row.time) if row.time else ""
        words = _words(row)
        if row.side == "system":
            lines.append(("[" + stamp + "] " if stamp else "") + words)
            continue
        head = ("[" + stamp + "] " if stamp else "") + (row.author or "") + ":"
        body = words.split("\n")
        lines.append(head + " " + body[0])
        for more in body[1:]:
            lines.append("    " + more)
    return "\n".join(lines) + "\n"


def as_json(rows, title, exported_iso, deployment_id):
    messages = []
    for row in rows:
        if row.status == "failed":
            continue
        item = {"id": row.key, "side": row.side, "author": row.author, "time": row.time, "text": row.text}
        files = _files(row)
        if files:
            item["files"] = files
        for part in row.parts:
            if part.kind == "choice":
                item["choice"] = {"type": part.props.get("type") or "", "payload": part.props.get("payload") or ""}
        if row.status == "pending":
            item["pending"] = True
        messages.append(item)
    return json.dumps({"format": "pychat-transcript", "version": FORMAT_VERSION, "title": title,
                       "exported": exported_iso, "deploymentId": deployment_id, "messages": messages})


def _when(iso, fmt):
    day = fmt.day(iso)
    stamp = fmt.time(iso)
    return (day + " " + stamp).strip() or iso
