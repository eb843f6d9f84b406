"""/api/context's parts against the emulator's platform endpoints (schedule groups, schedules, queue
observations, estimated wait), driven through its control API: open, closed, a holiday over open
hours, agents joining, one part failing while the others answer, and a burst answered by one
upstream call per part and one token."""
import asyncio
from dataclasses import replace
from datetime import datetime, timezone

import httpx
import pytest

from proxy.context import Context
from proxy.genesys import GenesysClient
from proxy.settings import Settings
from scripts import stack as stack_mod

GROUP = "5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f"  # the emulator's demo schedule group (weekdays 9-17, Dublin)
WEDNESDAY_NOON = datetime(2026, 1, 14, 12, 0, tzinfo=timezone.utc)
SATURDAY = datetime(2026, 1, 17, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def settings(emu):
    return Settings(client_id=stack_mod.DEMO_CLIENT_ID, client_secret=stack_mod.DEMO_CLIENT_SECRET,
                    queue_id=stack_mod.DEMO_QUEUE_ID, login_url=emu.emulator_url, api_url=emu.emulator_url,
                    schedule_group_id=GROUP)


def answer(settings, now):
    async def go():
        client = GenesysClient(settings)
        try:
            return await Context(client, now=lambda: now).answer()
        finally:
            await client.aclose()
    return asyncio.run(go())


def control(emu, path, body):
    response = httpx.post(emu.emulator_url + path, json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def test_open_on_a_weekday_with_agents_and_a_wait(settings, emu):
    status, body = answer(settings, WEDNESDAY_NOON)
    assert status == 200
    assert body["hours"] == {"status": "ok", "open": True, "reason": "open", "timeZone": "Europe/Dublin",
                             "nextChange": {"at": "2026-01-14T17:00:00Z", "open": False, "reason": "outside"}}
    assert body["agents"] == {"status": "ok", "available": 1, "idle": 1, "interacting": 0}
    assert body["wait"] == {"status": "ok", "estimatedWaitSeconds": 0} and body["estimatedWaitSeconds"] == 0


def test_closed_at_the_weekend_and_a_holiday_over_open_hours(settings, emu):
    status, body = answer(settings, SATURDAY)
    assert body["hours"]["open"] is False and body["hours"]["nextChange"]["at"] == "2026-01-19T09:00:00Z"
    control(emu, "/_emulator/schedules/holiday-1", {"create": True, "name": "Company day",
                                                    "start": "2026-01-14T00:00:00.000", "end": "2026-01-15T00:00:00.000",
                                                    "rrule": ""})
    control(emu, "/_emulator/schedulegroups/" + GROUP, {"holidaySchedules": ["holiday-1"]})
    status, body = answer(settings, WEDNESDAY_NOON)
    assert body["hours"]["open"] is False and body["hours"]["reason"] == "holiday"
    assert body["hours"]["nextChange"] == {"at": "2026-01-15T09:00:00Z", "open": True, "reason": "open"}


def test_agents_count_who_is_on_queue(settings, emu):
    control(emu, "/_emulator/queues/" + stack_mod.DEMO_QUEUE_ID, {"baselineAgents": 3, "offQueueAgents": 2})
    status, body = answer(settings, WEDNESDAY_NOON)
    assert body["agents"] == {"status": "ok", "available": 3, "idle": 3, "interacting": 0}


def test_a_part_failing_upstream_leaves_the_others(settings, emu):
    status, body = answer(replace(settings, schedule_group_id="00000000-0000-4000-8000-00000000dead"), WEDNESDAY_NOON)
    assert status == 200
    assert body["hours"]["status"] == "unavailable" and body["hours"]["code"] == "schedule_group_not_found"
    assert "GENESYS_SCHEDULE_GROUP_ID" in body["hours"]["fix"]
    assert body["agents"]["status"] == "ok" and body["wait"]["status"] == "ok"


def test_an_unreadable_schedule_is_said_plainly(settings, emu):
    control(emu, "/_emulator/schedules/9e8d7c6b-5a49-4382-9160-5f4e3d2c1b0a", {"rrule": "FREQ=FORTNIGHTLY"})
    status, body = answer(settings, WEDNESDAY_NOON)
    assert body["hours"]["code"] == "schedule_unreadable" and "RRULE" in body["hours"]["fix"]
    assert body["wait"]["status"] == "ok"


def test_a_burst_makes_one_token_call_and_one_upstream_call_per_part(settings, emu):
    async def burst():
        client = GenesysClient(settings)
        context = Context(client, now=lambda: WEDNESDAY_NOON)
        try:
            answers = await asyncio.gather(*(context.answer() for _ in range(200)))
        finally:
            await client.aclose()
        return client, context, answers

    client, context, answers = asyncio.run(burst())
    assert all(status == 200 and body["hours"]["open"] for status, body in answers)
    assert client.token_requests == 1
    assert context.cache.fetches == {"wait:" + stack_mod.DEMO_QUEUE_ID: 1, "agents:" + stack_mod.DEMO_QUEUE_ID: 1,
                                     "hours:" + GROUP: 1}


def test_the_next_change_across_dst_and_midnight_far_from_utc_with_the_emulators_group(settings, emu):
    # Dublin's spring switch (Sunday 29 March 2026): Monday opens at 08:00 UTC, not 09:00.
    status, body = answer(settings, datetime(2026, 3, 28, 12, 0, tzinfo=timezone.utc))
    assert body["hours"]["nextChange"]["at"] == "2026-03-30T08:00:00Z"
    # A night shift 22:00-02:00 in Kiritimati (UTC+14), through local midnight.
    control(emu, "/_emulator/schedules/night", {"create": True, "name": "Night shift", "start": "2024-01-01T22:00:00",
                                                "end": "2024-01-02T02:00:00", "rrule": "FREQ=DAILY"})
    control(emu, "/_emulator/schedulegroups/" + GROUP, {"timeZone": "Pacific/Kiritimati", "openSchedules": ["night"]})
    status, body = answer(settings, datetime(2026, 6, 1, 9, 30, tzinfo=timezone.utc))  # 23:30 local
    assert body["hours"]["open"] is True and body["hours"]["timeZone"] == "Pacific/Kiritimati"
    assert body["hours"]["nextChange"]["at"] == "2026-06-01T12:00:00Z"  # 02:00 local, the next day
