"""Times from ISO-8601 strings, in pure Python (MicroPython has no datetime, and its FFI wraps
large numbers such as `Date.now()`, so the browser edge reads the wall clock as an ISO string)."""

_MONTH_DAYS = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)


def _days_from_civil(year, month, day):
    """Days since 1970-01-01 of a proleptic Gregorian date."""
    years = year - 1970
    leaps = (year - 1 - 1968) // 4 - (year - 1 - 1900) // 100 + (year - 1 - 1600) // 400
    days = years * 365 + leaps + _MONTH_DAYS[(month - 1) % 12] + day - 1
    if month > 2 and (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        days += 1
    return days


def epoch_seconds(iso):
    """Seconds since 1970 (float, with milliseconds) of "YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]",
    or None when the text is not such a time."""
    if not isinstance(iso, str) or len(iso) < 19 or iso[4] != "-" or iso[7] != "-" or iso[10] not in "Tt ":
        return None
    try:
        year, month, day = int(iso[0:4]), int(iso[5:7]), int(iso[8:10])
        hour, minute, second = int(iso[11:13]), int(iso[14:16]), int(iso[17:19])
    except ValueError:
        return None
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
        return None
    rest = iso[19:]
    fraction = 0.0
    if rest.startswith("."):
        digits = ""
        for ch in rest[1:]:
            if "0" <= ch <= "9":
                digits += ch
            else:
                break
        rest = rest[1 + len(digits):]
        if digits:
            fraction = int(digits[:6]) / (10 ** len(digits[:6]))
    offset = 0
    if rest[:1] in ("+", "-") and len(rest) >= 6 and rest[3] == ":":
        try:
            offset = (int(rest[1:3]) * 60 + int(rest[4:6])) * 60
        except ValueError:
            return None
        if rest[0] == "-":
            offset = -offset
    elif rest not in ("", "Z", "z"):
        return None
    whole = ((_days_from_civil(year, month, day) * 24 + hour) * 60 + minute) * 60 + second - offset
    return whole + fraction
