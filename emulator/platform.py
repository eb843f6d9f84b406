"""Platform API endpoints a server-side proxy calls with a client-credentials token (reference
§5.2): queues, estimated wait time, queue observations, business-hours schedules, deployment
lookup. Each checks the bearer token and then the OAuth client's permission, as the platform
does: 401 before 403, 403 before 404.

The figures are derived from the live emulator state so a proxy's "agents available" and
"wait time" features can be exercised: agents on a queue = a configurable baseline plus the
human agents joined via the console/control API; waiting = guests handed over to an agent.
"""
import copy

from .deployments import DEMO_QUEUE_ID
from .rest import JSONResponse, bad_credentials_error, bearer, json_object, no_bearer_error, platform_error

DEMO_SCHEDULE_GROUP_ID = "5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f"
DEMO_SCHEDULE_ID = "9e8d7c6b-5a49-4382-9160-5f4e3d2c1b0a"

PERMISSIONS = ("routing:queue:view", "analytics:queueObservation:view", "routing:scheduleGroup:view",
               "routing:schedule:view", "webDeployments:deployment:view")

OBSERVATION_METRICS = ("oActiveUsers", "oInteracting", "oMemberUsers", "oOffQueueUsers", "oOnQueueUsers",
                       "oUserPresences", "oUserRoutingStatuses", "oWaiting")
AVERAGE_HANDLE_SECONDS = 60
MEDIA_TYPES = ("all", "call", "chat", "callback", "email", "videoComm", "message")
DATE_CREATED = "2024-01-01T00:00:00.000Z"  # fixed, so responses are stable across runs


class Directory:
    """The org's routing and architect objects (reset with the deployments)."""

    def __init__(self):
        self.queues = {DEMO_QUEUE_ID: {"name": "Demo queue", "baselineAgents": 1, "offQueueAgents": 0}}
        self.schedules = {DEMO_SCHEDULE_ID: {
            "name": "Weekdays 09:00-17:00", "start": "2024-01-01T09:00:00.000", "end": "2024-01-01T17:00:00.000",
            "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"}}
        self.schedule_groups = {DEMO_SCHEDULE_GROUP_ID: {
            "name": "Demo business hours", "timeZone": "Europe/Dublin",
            "openSchedules": [DEMO_SCHEDULE_ID], "closedSchedules": [], "holidaySchedules": []}}

    def schedule_view(self, schedule_id):
        s = self.schedules[schedule_id]
        return {"id": schedule_id, "name": s["name"], "version": 1, "state": "active", "start": s["start"],
                "end": s["end"], "rrule": s["rrule"], "selfUri": "/api/v2/architect/schedules/" + schedule_id}

    def schedule_group_view(self, group_id):
        g = self.schedule_groups[group_id]

        def refs(ids):
            return [{"id": i, "name": self.schedules[i]["name"] if i in self.schedules else "",
                     "selfUri": "/api/v2/architect/schedules/" + i} for i in ids]

        return {"id": group_id, "name": g["name"], "version": 1, "state": "active", "timeZone": g["timeZone"],
                "openSchedules": refs(g["openSchedules"]), "closedSchedules": refs(g["closedSchedules"]),
                "holidaySchedules": refs(g["holidaySchedules"]),
                "selfUri": "/api/v2/architect/schedulegroups/" + group_id}


# -- live figures ------------------------------------------------------------------------------

def _queue_sessions(region, queue_id):
    for session in region.sessions.values():
        deployment = region.deployments.get(session.deployment_id)
        if deployment and deployment.queue_id == queue_id and not session.read_only:
            yield session


def queue_figures(region, queue_id):
    queue = region.queues[queue_id]
    sessions = list(_queue_sessions(region, queue_id))
    joined = {tuple(sorted(s.agent.items())) for s in sessions if s.agent}
    interacting_agents = len(joined)
    on_queue = queue["baselineAgents"] + interacting_agents
    return {
        "onQueue": on_queue,
        "offQueue": queue["offQueueAgents"],
        "idle": on_queue - interacting_agents,
        "interactingAgents": interacting_agents,
        "interactions": sum(1 for s in sessions if s.agent),
        "waiting": sum(1 for s in sessions if s.waiting_for_agent),
    }


def _metric_data(metric, f):
    def stat(qualifier, count):
        entry = {"metric": metric, "stats": {"count": count}}
        if qualifier is not None:
            entry["qualifier"] = qualifier
        return entry

    if metric == "oOnQueueUsers":
        return [stat("IDLE", f["idle"]), stat("INTERACTING", f["interactingAgents"])]
    if metric == "oUserRoutingStatuses":
        return [stat("IDLE", f["idle"]), stat("INTERACTING", f["interactingAgents"]),
                stat("OFF_QUEUE", f["offQueue"])]
    if metric == "oUserPresences":
        return [stat("ON_QUEUE", f["onQueue"]), stat("AVAILABLE", f["offQueue"])]
    if metric == "oInteracting":
        return [stat("message", f["interactions"])]
    if metric == "oWaiting":
        return [stat("message", f["waiting"])]
    if metric == "oOffQueueUsers":
        return [stat(None, f["offQueue"])]
    if metric == "oActiveUsers":
        return [stat(None, f["onQueue"])]
    return [stat(None, f["onQueue"] + f["offQueue"])]  # oMemberUsers


# -- guard -------------------------------------------------------------------------------------

def guard(request, permission):
    """None when the bearer token is live and its client holds `permission`, else the error."""
    region = request.app.state.region
    region.count_call(request.url.path)  # how often a proxy really asks (GET /_emulator/calls)
    token = bearer(request)
    if token is None:
        return no_bearer_error()
    client_id = region.access_token_client(token)
    if client_id is None:
        return bad_credentials_error()
    if permission not in region.permissions.get(client_id, ()):
        return platform_error(403, "missing.permissions",
                              "Unable to perform the requested action. You are missing the following "
                              "permission(s): [%s]" % permission)
    return None


# -- endpoints ---------------------------------------------------------------------------------

async def estimated_wait_time(request):
    region = request.app.state.region
    error = guard(request, "routing:queue:view")
    if error:
        return error
    queue_id = request.path_params["queue_id"]
    if queue_id not in region.queues:
        return platform_error(404, "not.found", "The requested queue could not be found.")
    media_type = request.path_params.get("media_type")
    if media_type is not None and media_type not in MEDIA_TYPES:
        return platform_error(400, "bad.request", "mediaType must be one of " + ", ".join(MEDIA_TYPES))
    # One demo agent works the queue: a new guest waits for everyone already waiting. Only
    # messaging guests exist here, so every media type gets the same figure.
    seconds = AVERAGE_HANDLE_SECONDS * region.waiting_count(queue_id)
    return JSONResponse({"results": [{"intent": "OFFER", "formula": "BEST", "estimatedWaitTimeSeconds": seconds}]})


def _guarded_view(permission, param, what, view):
    """A guarded GET of one record: 401/403 before 404, then `view(region, id)` (None = unknown)."""
    async def handler(request):
        error = guard(request, permission)
        if error:
            return error
        body = view(request.app.state.region, request.path_params[param])
        if body is None:
            return platform_error(404, "not.found", "The requested %s could not be found." % what)
        return JSONResponse(body)
    return handler


def _queue_view(region, queue_id):
    queue = region.queues.get(queue_id)
    if queue is None:
        return None
    figures = queue_figures(region, queue_id)
    return {
        "id": queue_id, "name": queue["name"], "description": "", "dateCreated": DATE_CREATED,
        "memberCount": figures["onQueue"] + figures["offQueue"], "joinedMemberCount": figures["onQueue"],
        "mediaSettings": {"message": {"alertingTimeoutSeconds": 30,
                                      "serviceLevel": {"percentage": 0.8, "durationMs": 20000}}},
        "acwSettings": {"wrapupPrompt": "OPTIONAL"}, "skillEvaluationMethod": "BEST",
        "selfUri": "/api/v2/routing/queues/" + queue_id,
    }


get_queue = _guarded_view("routing:queue:view", "queue_id", "queue", _queue_view)


def _observation_queue_ids(body):
    """Queue ids named by `filter` (a predicate, or nested clauses of predicates)."""
    if not isinstance(body, dict) or not isinstance(body.get("filter"), dict):
        raise ValueError("filter (an object) is required")
    ids = []

    def walk(node):
        if not isinstance(node, dict):
            raise ValueError("filter clauses and predicates must be objects")
        for predicate in node.get("predicates") or []:
            if not isinstance(predicate, dict):
                raise ValueError("predicates must be objects")
            if predicate.get("dimension") == "queueId":
                if not isinstance(predicate.get("value"), str):
                    raise ValueError("a queueId predicate needs a string value")
                ids.append(predicate["value"])
        for clause in node.get("clauses") or []:
            walk(clause)

    walk(body["filter"])
    if not ids:
        raise ValueError("filter must name at least one queueId")
    return list(dict.fromkeys(ids))


async def queue_observations(request):
    region = request.app.state.region
    error = guard(request, "analytics:queueObservation:view")
    if error:
        return error
    try:
        body = await json_object(request)
        queue_ids = _observation_queue_ids(body)
        metrics = body.get("metrics", list(OBSERVATION_METRICS))
        if not isinstance(metrics, list) or not metrics or any(m not in OBSERVATION_METRICS for m in metrics):
            raise ValueError("metrics must be a non-empty list of " + ", ".join(OBSERVATION_METRICS))
    except ValueError as exc:
        return platform_error(400, "bad.request", str(exc))
    results = []
    for queue_id in queue_ids:
        if queue_id not in region.queues:
            continue  # an unknown queue has no observations (choice, see README)
        figures = queue_figures(region, queue_id)
        data = [entry for metric in metrics for entry in _metric_data(metric, figures)]
        results.append({"group": {"queueId": queue_id, "mediaType": "message"}, "data": data})
    return JSONResponse({"results": results})


get_schedule_group = _guarded_view(
    "routing:scheduleGroup:view", "group_id", "schedule group",
    lambda region, key: region.platform.schedule_group_view(key) if key in region.platform.schedule_groups else None)
get_schedule = _guarded_view(
    "routing:schedule:view", "schedule_id", "schedule",
    lambda region, key: region.platform.schedule_view(key) if key in region.platform.schedules else None)
get_web_deployment = _guarded_view(
    "webDeployments:deployment:view", "deployment_id", "deployment",
    lambda region, key: region.deployments[key].platform_view() if key in region.deployments else None)


# -- control API: /_emulator/queues/{id}, /_emulator/schedules/{id}, /_emulator/schedulegroups/{id} --

def _patch_record(table, key, body, fields, template):
    """All-or-nothing patch of one record; `"create": true` adds it from `template`."""
    create = body.pop("create", False) is True
    if key not in table and not create:
        raise LookupError
    staged = copy.deepcopy(table.get(key, template))
    for name, value in body.items():
        if name not in fields:
            raise ValueError("unknown field %r" % name)
        if not fields[name](value):
            raise ValueError("bad value for %r" % name)
        staged[name] = value
    table[key] = staged
    return staged


def _non_negative_int(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _str(v):
    return isinstance(v, str)


def _id_list(v):
    return isinstance(v, list) and all(isinstance(i, str) for i in v)


QUEUE_FIELDS = {"name": _str, "baselineAgents": _non_negative_int, "offQueueAgents": _non_negative_int}
SCHEDULE_FIELDS = {"name": _str, "start": _str, "end": _str, "rrule": _str}
GROUP_FIELDS = {"name": _str, "timeZone": _str, "openSchedules": _id_list, "closedSchedules": _id_list,
                "holidaySchedules": _id_list}


def _control_patch(table_of, fields, template, view):
    async def handler(request):
        region = request.app.state.region
        key = request.path_params["id"]
        table = table_of(region)
        if request.method == "GET":
            if key not in table:
                return platform_error(404, "not.found", "Not found.")
            return JSONResponse(view(region, key))
        try:
            _patch_record(table, key, await json_object(request), fields, template)
        except LookupError:
            return platform_error(404, "not.found", "Not found (send \"create\": true to add it).")
        except ValueError as exc:
            return platform_error(400, "bad.request", str(exc))
        return JSONResponse(view(region, key))
    return handler


control_queue = _control_patch(
    lambda r: r.platform.queues, QUEUE_FIELDS, {"name": "Queue", "baselineAgents": 0, "offQueueAgents": 0},
    lambda r, k: {"id": k} | r.platform.queues[k] | {"figures": queue_figures(r, k)})
control_schedule = _control_patch(
    lambda r: r.platform.schedules, SCHEDULE_FIELDS,
    {"name": "Schedule", "start": "2024-01-01T00:00:00.000", "end": "2024-01-01T23:59:59.000",
     "rrule": "FREQ=DAILY"},
    lambda r, k: r.platform.schedule_view(k))
control_schedule_group = _control_patch(
    lambda r: r.platform.schedule_groups, GROUP_FIELDS,
    {"name": "Schedule group", "timeZone": "UTC", "openSchedules": [], "closedSchedules": [], "holidaySchedules": []},
    lambda r, k: r.platform.schedule_group_view(k))
