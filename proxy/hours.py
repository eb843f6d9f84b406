"""Open hours from an Architect schedule group: open now, and when that next changes.

A schedule group has open, closed and holiday schedules and one time zone. Each schedule is a
local start and end (no offset: wall-clock time in the group's zone) and an iCalendar RRULE that
repeats it. At any instant a holiday schedule wins, then a closed one, then an open one; outside
all of them the group is closed. Recurrences come from python-dateutil's rrule and wall-clock
times become instants through zoneinfo, so DST switches and far-from-UTC zones are theirs to get
right, not ours.

Pure: the schedules' JSON and the time in, the answer out (proxy/context.py fetches).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr

LOOKAHEAD = timedelta(days=21)  # how far to look for the next change (three weeks covers long holidays)
KINDS = ("holiday", "closed", "open")  # priority order


class ScheduleError(ValueError):
    """A schedule the platform returned cannot be read (the message says which and why)."""


@dataclass(frozen=True)
class Interval:
    start: datetime  # aware, UTC
    end: datetime
    kind: str  # "open" | "closed" | "holiday"
    name: str


def _local(text: str, what: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().rstrip("Z"))
    except (AttributeError, ValueError):
        raise ScheduleError(f"{what}: {text!r} is not a local date and time") from None
    return value.replace(tzinfo=None, microsecond=0)


def _instant(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(timezone.utc)


def intervals(schedule: dict, kind: str, zone: ZoneInfo, since: datetime, until: datetime) -> list[Interval]:
    """The schedule's occurrences that overlap [since, until) (aware datetimes)."""
    name = str(schedule.get("name") or schedule.get("id") or "schedule")
    start = _local(schedule.get("start", ""), name + " start")
    end = _local(schedule.get("end", ""), name + " end")
    if end <= start:
        raise ScheduleError(f"{name}: its end is not after its start")
    length = end - start
    rule = (schedule.get("rrule") or "").strip()
    # Local wall-clock window to search; a day of slack either side covers any zone offset.
    low = since.astimezone(zone).replace(tzinfo=None) - length - timedelta(days=1)
    high = until.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    if rule:
        rule = _local_until(rule, zone)
        try:
            recurrence = rrulestr(rule, dtstart=start)
        except (ValueError, TypeError) as exc:
            raise ScheduleError(f"{name}: its RRULE {rule!r} cannot be read ({exc})") from None
        starts = recurrence.between(low, high, inc=True)
    else:
        starts = [start] if low <= start <= high else []
    out = []
    for local_start in starts:
        interval = Interval(_instant(local_start, zone), _instant(local_start + length, zone), kind, name)
        if interval.end > since and interval.start < until:
            out.append(interval)
    return out


def _local_until(rule: str, zone: ZoneInfo) -> str:
    """An UNTIL in UTC (`...Z`, as iCalendar writes it) as the group's wall-clock time: the schedule's
    start is wall-clock, and rrule wants both alike."""
    def convert(match):
        moment = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc)
        return "UNTIL=" + moment.astimezone(zone).strftime("%Y%m%dT%H%M%S")
    return re.sub(r"UNTIL=(\d{8}T\d{6})Z", convert, rule)


@dataclass(frozen=True)
class Hours:
    open: bool
    reason: str  # "open" | "closed" | "holiday" | "outside" (no schedule covers now)
    time_zone: str
    next_change: datetime | None  # aware UTC, or None when nothing changes within LOOKAHEAD
    next_open: bool | None
    next_reason: str | None

    def as_json(self) -> dict:
        out = {"open": self.open, "reason": self.reason, "timeZone": self.time_zone, "nextChange": None}
        if self.next_change is not None:
            out["nextChange"] = {"at": self.next_change.isoformat().replace("+00:00", "Z"), "open": self.next_open,
                                 "reason": self.next_reason}
        return out


def _state(at: datetime, spans: list[Interval]) -> str:
    active = {i.kind for i in spans if i.start <= at < i.end}
    for kind in KINDS:
        if kind in active:
            return kind
    return "outside"


def evaluate(group: dict, schedules: dict[str, dict], now: datetime) -> Hours:
    """`group`: the schedule group's JSON; `schedules`: id -> schedule JSON for every schedule it
    names; `now`: an aware datetime."""
    zone_name = group.get("timeZone") or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"the schedule group's time zone {zone_name!r} is unknown") from None
    until = now + LOOKAHEAD
    spans: list[Interval] = []
    for kind, key in (("open", "openSchedules"), ("closed", "closedSchedules"), ("holiday", "holidaySchedules")):
        for ref in group.get(key) or []:
            schedule_id = ref.get("id") if isinstance(ref, dict) else ref
            schedule = schedules.get(schedule_id)
            if schedule is None:
                raise ScheduleError(f"the schedule group names schedule {schedule_id!r}, which was not found")
            spans += intervals(schedule, kind, zone, now, until)
    current = _state(now, spans)
    is_open = current == "open"
    boundaries = sorted({t for i in spans for t in (i.start, i.end) if now < t <= until})
    for moment in boundaries:
        after = _state(moment, spans)
        if (after == "open") != is_open:
            return Hours(is_open, current, zone_name, moment, after == "open", after)
    return Hours(is_open, current, zone_name, None, None, None)
