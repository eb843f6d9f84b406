"""The chat's look from the settings: design tokens (CSS custom properties) and the colour scheme.

Pure: the edge sets what this returns on the panel (style.setProperty, one property at a time, so a
value can never add a rule). The deployment's `primaryColor` (Messenger's own setting) is the
default accent; the settings' `theme` overrides it and any other token. Text on the accent is
black or white, whichever reads better, and the accent used as text on the panel's background is
darkened (light scheme) or lightened (dark) until it reaches WCAG AA contrast, so a brand colour
never makes the chat unreadable.
"""
# settings key -> CSS custom property (docs/customising.md lists them with their defaults)
TOKENS = {
    "accent": "--gcw-accent", "accentText": "--gcw-accent-text", "background": "--gcw-bg", "text": "--gcw-text",
    "muted": "--gcw-muted", "border": "--gcw-border", "guestBubble": "--gcw-guest-bg", "guestText": "--gcw-guest-text",
    "agentBubble": "--gcw-agent-bg", "botBubble": "--gcw-bot-bg", "chipBackground": "--gcw-chip-bg",
    "cardBackground": "--gcw-card-bg", "focus": "--gcw-focus", "danger": "--gcw-danger", "font": "--gcw-font",
    "radius": "--gcw-radius", "bubbleRadius": "--gcw-bubble-radius", "spacing": "--gcw-spacing",
    "shadow": "--gcw-shadow",
}
LIGHT_BG = "#ffffff"
DARK_BG = "#16181d"
AA = 4.5


def parse_hex(color):
    """'#0b5fff' / '#fff' -> (11, 95, 255); None for anything else (named colours, rgb(), ...)."""
    if not isinstance(color, str):
        return None
    text = color.strip().lower()
    if not text.startswith("#") or len(text) not in (4, 7):
        return None
    digits = text[1:]
    if not all(c in "0123456789abcdef" for c in digits):
        return None
    if len(digits) == 3:
        digits = "".join(c + c for c in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def to_hex(rgb):
    return "#%02x%02x%02x" % tuple(max(0, min(255, int(round(v)))) for v in rgb)


def luminance(rgb):
    def channel(value):
        value = value / 255.0
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a, b):
    la, lb = luminance(a), luminance(b)
    if la < lb:
        la, lb = lb, la
    return (la + 0.05) / (lb + 0.05)


def text_on(background):
    """'#ffffff' or '#000000', whichever has the higher contrast on background."""
    return "#ffffff" if contrast((255, 255, 255), background) >= contrast((0, 0, 0), background) else "#000000"


def readable(color, background, ratio=AA):
    """color moved towards black (or white, on a dark background) until it reads on background."""
    target = (255, 255, 255) if luminance(background) < 0.2 else (0, 0, 0)
    current = color
    for step in range(21):
        if contrast(current, background) >= ratio:
            break
        mix = step / 20.0
        current = tuple(c + (t - c) * mix for c, t in zip(color, target))
    return to_hex(current)


def _safe(value):
    """A token value as text, or None: no rule can be smuggled through setProperty, but keep values plain."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        return None
    if any(c in value for c in ";{}<>\\") or "url(" in value.lower() or "expression(" in value.lower():
        return None
    return value.strip()


def primary_color(deployment):
    """The Messenger deployment's primaryColor, where its public config has one."""
    messenger = deployment.get("messenger") if isinstance(deployment, dict) else None
    styles = messenger.get("styles") if isinstance(messenger, dict) else None
    color = styles.get("primaryColor") if isinstance(styles, dict) else None
    return color if parse_hex(color) else None


def tokens(theme, deployment=None):
    """{custom property: value} for the panel, from the settings' theme and the deployment."""
    theme = theme if isinstance(theme, dict) else {}
    out = {}
    for key in TOKENS:
        value = _safe(theme.get(key))
        if value is not None:
            out[TOKENS[key]] = value
    accent = theme.get("accent") if parse_hex(theme.get("accent")) else primary_color(deployment)
    rgb = parse_hex(accent)
    if rgb is not None:
        out["--gcw-accent"] = to_hex(rgb)
        if "accentText" not in theme:
            out["--gcw-accent-text"] = text_on(rgb)
        light = readable(rgb, parse_hex(LIGHT_BG))
        dark = readable(rgb, parse_hex(DARK_BG))
        out["--gcw-accent-strong"] = "light-dark(%s, %s)" % (light, dark)
    return out


def scheme(theme):
    """'light', 'dark' or 'auto' (follow the guest's prefers-color-scheme)."""
    value = theme.get("scheme") if isinstance(theme, dict) else None
    return value if value in ("light", "dark") else "auto"
