"""Platform API endpoints for the proxy (reference §5.2): token + permission guards, figures, control."""
import pytest

from emulator.deployments import DEMO_DEPLOYMENT_ID, DEMO_QUEUE_ID
from emulator.platform import DEMO_SCHEDULE_GROUP_ID, DEMO_SCHEDULE_ID
from emulator.region import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, LIMITED_CLIENT_ID, LIMITED_CLIENT_SECRET

OBSERVATIONS = "/api/v2/analytics/queues/observations/query"

# (method, path, permission, path with an unknown id)
GUARDED = [
    ("GET", "/api/v2/routing/queues/%s/estimatedwaittime" % DEMO_QUEUE_ID, "routing:queue:view",
     "/api/v2/routing/queues/nope/estimatedwaittime"),
    ("GET", "/api/v2/routing/queues/%s/mediatypes/message/estimatedwaittime" % DEMO_QUEUE_ID, "routing:queue:view",
     "/api/v2/routing/queues/nope/mediatypes/message/estimatedwaittime"),
    ("GET", "/api/v2/routing/queues/%s" % DEMO_QUEUE_ID, "routing:queue:view", "/api/v2/routing/queues/nope"),
    ("POST", OBSERVATIONS, "analytics:queueObservation:view", None),
    ("GET", "/api/v2/architect/schedulegroups/%s" % DEMO_SCHEDULE_GROUP_ID, "routing:scheduleGroup:view",
     "/api/v2/architect/schedulegroups/nope"),
    ("GET", "/api/v2/architect/schedules/%s" % DEMO_SCHEDULE_ID, "routing:schedule:view",
     "/api/v2/architect/schedules/nope"),
    ("GET", "/api/v2/webdeployments/deployments/%s" % DEMO_DEPLOYMENT_ID, "webDeployments:deployment:view",
     "/api/v2/webdeployments/deployments/nope"),
]
IDS = [g[1].split("/api/v2/")[1][:40] for g in GUARDED]


def _token(emulator, client_id=DEMO_CLIENT_ID, secret=DEMO_CLIENT_SECRET):
    response = emulator.http.post("/oauth/token", auth=(client_id, secret), data={"grant_type": "client_credentials"})
    assert response.status_code == 200
    return response.json()["access_token"]


def _call(emulator, method, path, token=None, body=None):
    headers = {"Authorization": "bearer " + token} if token else {}
    if method == "POST":
        body = body if body is not None else {"filter": {"type": "or", "predicates": [
            {"dimension": "queueId", "value": DEMO_QUEUE_ID}]}, "metrics": ["oOnQueueUsers"]}
        return emulator.http.post(path, json=body, headers=headers)
    return emulator.http.get(path, headers=headers)


def _platform_error(response, status, code=None):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status and body["message"] and body["contextId"] and body["details"] == []
    if code:
        assert body["code"] == code


@pytest.mark.parametrize("method, path, permission, unknown", GUARDED, ids=IDS)
def test_guarded_ok_with_the_demo_client(emulator, method, path, permission, unknown):
    assert _call(emulator, method, path, _token(emulator)).status_code == 200


@pytest.mark.parametrize("method, path, permission, unknown", GUARDED, ids=IDS)
def test_guarded_401_without_or_with_a_bad_token(emulator, method, path, permission, unknown):
    _platform_error(_call(emulator, method, path), 401, "authentication.required")
    _platform_error(_call(emulator, method, path, "forged"), 401, "bad.credentials")


@pytest.mark.parametrize("method, path, permission, unknown", GUARDED, ids=IDS)
def test_guarded_403_without_the_permission(emulator, method, path, permission, unknown):
    response = _call(emulator, method, path, _token(emulator, LIMITED_CLIENT_ID, LIMITED_CLIENT_SECRET))
    _platform_error(response, 403, "missing.permissions")
    assert permission in response.json()["message"]


@pytest.mark.parametrize("method, path, permission, unknown", [g for g in GUARDED if g[3]],
                         ids=[i for g, i in zip(GUARDED, IDS) if g[3]])
def test_guarded_404_for_an_unknown_id(emulator, method, path, permission, unknown):
    _platform_error(_call(emulator, method, unknown, _token(emulator)), 404, "not.found")
    # the permission is checked before the lookup
    _platform_error(_call(emulator, method, unknown, _token(emulator, LIMITED_CLIENT_ID, LIMITED_CLIENT_SECRET)), 403)


def _observe(emulator, metrics, queue_ids=(DEMO_QUEUE_ID,)):
    body = {"filter": {"type": "or", "predicates": [{"dimension": "queueId", "value": q} for q in queue_ids]},
            "metrics": metrics}
    response = _call(emulator, "POST", OBSERVATIONS, _token(emulator), body)
    assert response.status_code == 200, response.text
    return response.json()["results"]


def _counts(results):
    return {(d["metric"], d.get("qualifier")): d["stats"]["count"] for d in results[0]["data"]}


def test_queue_observations_follow_agents_and_waiting_guests(emulator):
    metrics = ["oOnQueueUsers", "oWaiting", "oInteracting"]
    results = _observe(emulator, metrics)
    assert results[0]["group"]["queueId"] == DEMO_QUEUE_ID
    assert _counts(results) == {("oOnQueueUsers", "IDLE"): 1, ("oOnQueueUsers", "INTERACTING"): 0,
                                ("oWaiting", "message"): 0, ("oInteracting", "message"): 0}
    waiting, served = emulator.guest(), emulator.guest()
    for guest in (waiting, served):
        guest.configure()
    waiting.say("agent please")
    waiting.expect(lambda f: f["class"] == "StructuredMessage" and "handing you over" in f["body"].get("text", ""))
    emulator.control(served.token, "agent/join", {"firstName": "Sam", "lastName": "Lee"})
    counts = _counts(_observe(emulator, metrics))
    assert counts[("oWaiting", "message")] == 1 and counts[("oInteracting", "message")] == 1
    assert counts[("oOnQueueUsers", "INTERACTING")] == 1 and counts[("oOnQueueUsers", "IDLE")] == 1
    response = emulator.http.post("/_emulator/queues/%s" % DEMO_QUEUE_ID, json={"baselineAgents": 4})
    assert response.status_code == 200 and response.json()["figures"]["onQueue"] == 5
    assert _counts(_observe(emulator, ["oOnQueueUsers"]))[("oOnQueueUsers", "IDLE")] == 4
    waiting.close()
    served.close()


def test_queue_observations_every_metric_and_unknown_queues(emulator):
    results = _observe(emulator, ["oActiveUsers", "oInteracting", "oMemberUsers", "oOffQueueUsers", "oOnQueueUsers",
                                  "oUserPresences", "oUserRoutingStatuses", "oWaiting"], (DEMO_QUEUE_ID, "nope"))
    assert len(results) == 1 and {d["metric"] for d in results[0]["data"]} == {
        "oActiveUsers", "oInteracting", "oMemberUsers", "oOffQueueUsers", "oOnQueueUsers", "oUserPresences",
        "oUserRoutingStatuses", "oWaiting"}
    assert all(isinstance(d["stats"]["count"], int) for d in results[0]["data"])


@pytest.mark.parametrize("body", [{}, {"filter": {"type": "or", "predicates": []}},
                                  {"filter": {"predicates": [{"dimension": "queueId", "value": DEMO_QUEUE_ID}]},
                                   "metrics": ["oNope"]}, {"filter": "x"}])
def test_queue_observations_bad_body_is_400(emulator, body):
    _platform_error(_call(emulator, "POST", OBSERVATIONS, _token(emulator), body), 400)


def test_schedule_group_and_schedule(emulator):
    token = _token(emulator)
    group = _call(emulator, "GET", "/api/v2/architect/schedulegroups/%s" % DEMO_SCHEDULE_GROUP_ID, token).json()
    assert group["id"] == DEMO_SCHEDULE_GROUP_ID and group["timeZone"] and group["name"]
    assert [s["id"] for s in group["openSchedules"]] == [DEMO_SCHEDULE_ID]
    assert group["closedSchedules"] == [] and group["holidaySchedules"] == []
    schedule = _call(emulator, "GET", "/api/v2/architect/schedules/%s" % DEMO_SCHEDULE_ID, token).json()
    assert schedule["rrule"] == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    assert schedule["start"].endswith("T09:00:00.000") and schedule["end"].endswith("T17:00:00.000")
    assert schedule["id"] == DEMO_SCHEDULE_ID and schedule["name"]


def test_control_api_patches_schedules_and_groups(emulator):
    token = _token(emulator)
    response = emulator.http.post("/_emulator/schedules/%s" % DEMO_SCHEDULE_ID,
                                  json={"start": "2024-01-01T00:00:00.000", "end": "2024-01-01T23:59:00.000",
                                        "rrule": "FREQ=DAILY"})
    assert response.status_code == 200 and response.json()["rrule"] == "FREQ=DAILY"
    assert emulator.http.post("/_emulator/schedules/holiday", json={"name": "Holiday", "create": True,
                                                                   "rrule": "FREQ=YEARLY"}).status_code == 200
    response = emulator.http.post("/_emulator/schedulegroups/%s" % DEMO_SCHEDULE_GROUP_ID,
                                  json={"holidaySchedules": ["holiday"], "timeZone": "America/New_York"})
    assert response.status_code == 200
    group = _call(emulator, "GET", "/api/v2/architect/schedulegroups/%s" % DEMO_SCHEDULE_GROUP_ID, token).json()
    assert group["timeZone"] == "America/New_York" and group["holidaySchedules"][0]["name"] == "Holiday"
    assert _call(emulator, "GET", "/api/v2/architect/schedules/holiday", token).json()["rrule"] == "FREQ=YEARLY"
    assert emulator.http.post("/_emulator/schedules/unknown", json={}).status_code == 404
    assert emulator.http.post("/_emulator/schedules/%s" % DEMO_SCHEDULE_ID, json={"rrule": 5}).status_code == 400
    assert emulator.http.post("/_emulator/queues/%s" % DEMO_QUEUE_ID, json={"baselineAgents": -1}).status_code == 400
    assert emulator.http.get("/_emulator/schedulegroups/%s" % DEMO_SCHEDULE_GROUP_ID).status_code == 200
    emulator.http.post("/_emulator/reset", json={"deployments": True})  # restores the directory
    schedule = _call(emulator, "GET", "/api/v2/architect/schedules/%s" % DEMO_SCHEDULE_ID, token).json()
    assert schedule["rrule"].startswith("FREQ=WEEKLY")


def test_web_deployment_and_queue(emulator):
    token = _token(emulator)
    deployment = _call(emulator, "GET", "/api/v2/webdeployments/deployments/%s" % DEMO_DEPLOYMENT_ID, token).json()
    assert deployment["id"] == DEMO_DEPLOYMENT_ID and deployment["status"] == "Active"
    assert deployment["allowAllDomains"] is False and deployment["allowedDomains"] == ["127.0.0.1", "localhost"]
    assert deployment["configuration"]["id"] and deployment["configuration"]["version"]
    assert deployment["flow"]["id"] and deployment["flow"]["name"] and deployment["name"]
    emulator.patch(allowAllDomains=True)
    again = _call(emulator, "GET", "/api/v2/webdeployments/deployments/%s" % DEMO_DEPLOYMENT_ID, token).json()
    assert again["allowAllDomains"] is True and again["configuration"]["version"] != deployment["configuration"][
        "version"]
    queue = _call(emulator, "GET", "/api/v2/routing/queues/%s" % DEMO_QUEUE_ID, token).json()
    assert queue["id"] == DEMO_QUEUE_ID and queue["name"] == "Demo queue" and "mediaSettings" in queue
