"""Open hours from Architect schedule groups (proxy/hours.py): open, closed, holidays over open hours,
and the next change across a DST switch and across midnight in a zone far from UTC."""
from datetime import datetime, timezone

import pytest

from proxy import hours

WEEKDAYS = {"id": "s-open", "name": "Weekdays 09:00-17:00", "start": "2024-01-01T09:00:00.000",
            "end": "2024-01-01T17:00:00.000", "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"}


def group(zone="Europe/Dublin", open_=("s-open",), closed=(), holiday=()):
    return {"timeZone": zone, "openSchedules": [{"id": i} for i in open_],
            "closedSchedules": [{"id": i} for i in closed], "holidaySchedules": [{"id": i} for i in holiday]}


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_open_on_a_weekday_afternoon_and_closing_at_five_local():
    got = hours.evaluate(group(), {"s-open": WEEKDAYS}, utc(2026, 1, 14, 12, 0))  # a Wednesday, GMT
    assert got.open and got.reason == "open" and got.time_zone == "Europe/Dublin"
    assert got.next_change == utc(2026, 1, 14, 17, 0) and got.next_open is False


def test_closed_at_the_weekend_opens_monday_at_nine():
    got = hours.evaluate(group(), {"s-open": WEEKDAYS}, utc(2026, 1, 17, 10, 0))  # Saturday
    assert not got.open and got.reason == "outside"
    assert got.next_change == utc(2026, 1, 19, 9, 0) and got.next_open is True
    assert got.as_json()["nextChange"] == {"at": "2026-01-19T09:00:00Z", "open": True, "reason": "open"}


def test_a_holiday_overrides_open_hours():
    holiday = {"id": "h", "name": "St Patrick's Day", "start": "2026-03-17T00:00:00.000",
               "end": "2026-03-18T00:00:00.000", "rrule": ""}
    got = hours.evaluate(group(holiday=("h",)), {"s-open": WEEKDAYS, "h": holiday}, utc(2026, 3, 17, 11, 0))
    assert not got.open and got.reason == "holiday"
    assert got.next_change == utc(2026, 3, 18, 9, 0) and got.next_open is True  # Wednesday 09:00 GMT


def test_a_closed_schedule_overrides_open_hours_but_not_a_holiday():
    lunch = {"id": "c", "name": "Lunch", "start": "2024-01-01T12:30:00", "end": "2024-01-01T13:30:00",
             "rrule": "FREQ=DAILY"}
    got = hours.evaluate(group(closed=("c",)), {"s-open": WEEKDAYS, "c": lunch}, utc(2026, 1, 14, 12, 45))
    assert not got.open and got.reason == "closed" and got.next_change == utc(2026, 1, 14, 13, 30)


def test_the_next_change_across_the_spring_dst_switch():
    # Dublin moves to IST (UTC+1) on Sunday 29 March 2026: Monday's 09:00 is 08:00 UTC, Friday's was 09:00.
    got = hours.evaluate(group(), {"s-open": WEEKDAYS}, utc(2026, 3, 28, 12, 0))
    assert got.next_change == utc(2026, 3, 30, 8, 0) and got.next_open is True
    friday = hours.evaluate(group(), {"s-open": WEEKDAYS}, utc(2026, 3, 27, 12, 0))
    assert friday.next_change == utc(2026, 3, 27, 17, 0)


def test_a_schedule_through_local_midnight_far_from_utc():
    # Kiritimati is UTC+14: a 22:00-02:00 local shift every day spans two UTC dates' boundaries.
    night = {"id": "n", "name": "Night", "start": "2024-01-01T22:00:00", "end": "2024-01-02T02:00:00",
             "rrule": "FREQ=DAILY"}
    zone = "Pacific/Kiritimati"
    inside = hours.evaluate(group(zone, open_=("n",)), {"n": night}, utc(2026, 6, 1, 9, 30))  # 23:30 local
    assert inside.open and inside.next_change == utc(2026, 6, 1, 12, 0)  # 02:00 local next day
    before = hours.evaluate(group(zone, open_=("n",)), {"n": night}, utc(2026, 6, 1, 7, 0))  # 21:00 local
    assert not before.open and before.next_change == utc(2026, 6, 1, 8, 0)


def test_always_open_has_no_next_change():
    always = {"id": "a", "name": "Always", "start": "2024-01-01T00:00:00", "end": "2024-01-02T00:00:00",
              "rrule": "FREQ=DAILY"}
    got = hours.evaluate(group(open_=("a",)), {"a": always}, utc(2026, 5, 5, 5, 5))
    assert got.open and got.next_change is None and got.as_json()["nextChange"] is None


@pytest.mark.parametrize("bad, words", [
    ({"start": "9am", "end": "2024-01-01T17:00:00", "rrule": ""}, "is not a local date and time"),
    ({"start": "2024-01-01T17:00:00", "end": "2024-01-01T09:00:00", "rrule": ""}, "end is not after"),
    ({"start": "2024-01-01T09:00:00", "end": "2024-01-01T17:00:00", "rrule": "FREQ=SOMETIMES"}, "cannot be read"),
])
def test_unreadable_schedules_say_which_and_why(bad, words):
    with pytest.raises(hours.ScheduleError, match=words):
        hours.evaluate(group(), {"s-open": dict(bad, name="Broken")}, utc(2026, 1, 14, 12, 0))


def test_an_unknown_zone_or_schedule_is_named():
    with pytest.raises(hours.ScheduleError, match="Mars/Olympus"):
        hours.evaluate(group("Mars/Olympus"), {"s-open": WEEKDAYS}, utc(2026, 1, 1))
    with pytest.raises(hours.ScheduleError, match="'gone'"):
        hours.evaluate(group(open_=("gone",)), {}, utc(2026, 1, 1))


def test_an_until_in_utc_ends_the_recurrence_in_local_time():
    ending = dict(WEEKDAYS, rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20260116T235959Z")
    friday = hours.evaluate(group(), {"s-open": ending}, utc(2026, 1, 16, 12, 0))
    assert friday.open and friday.next_change == utc(2026, 1, 16, 17, 0)
    after = hours.evaluate(group(), {"s-open": ending}, utc(2026, 1, 19, 12, 0))  # the next Monday: ended
    assert not after.open and after.next_change is None
