"""What the proxy's /api/context says about being there: open hours, agents, the wait.

Pure: the proxy's JSON in, a small dict for the view out (`View.availability`), plus the wait's
words. The `availability` render entry (app/chat/render_panel.py) words the hours in the guest's
own time zone and language ("We're closed. We open Monday at 9:00 AM"). A part the proxy could not
answer is left out, so the guest never sees a half-known claim.

Settings: `"whenClosed": "hide"` hides the launcher while the schedule says closed (the default
"show" keeps it: a guest may still leave a message).
"""
from app.chat.strings import t

REFRESH_MS = 60000  # asked again this often while the page is open (the proxy caches for seconds)


def parse(data):
    """{"open", "reason", "next_at", "next_open", "agents", "wait"} with None for what is unknown."""
    out = {"open": None, "reason": "", "next_at": "", "next_open": None, "agents": None, "wait": None}
    if not isinstance(data, dict):
        return out
    hours = data.get("hours")
    if isinstance(hours, dict) and hours.get("status") == "ok" and isinstance(hours.get("open"), bool):
        out["open"] = hours["open"]
        out["reason"] = hours.get("reason") if isinstance(hours.get("reason"), str) else ""
        change = hours.get("nextChange")
        if isinstance(change, dict) and isinstance(change.get("at"), str):
            out["next_at"] = change["at"]
            out["next_open"] = change.get("open") is True
    agents = data.get("agents")
    if isinstance(agents, dict) and agents.get("status") == "ok":
        count = agents.get("available")
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            out["agents"] = count
    seconds = data.get("estimatedWaitSeconds")
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds >= 0:
        out["wait"] = seconds
    return out


def wait_text(seconds):
    if seconds is None:
        return ""
    if seconds < 60:
        return t("wait.under_minute")
    minutes = int((seconds + 30) // 60)
    return t("wait.minute") if minutes == 1 else t("wait.minutes", minutes=minutes)


def hide_launcher(when_closed, info):
    return when_closed == "hide" and info.get("open") is False
