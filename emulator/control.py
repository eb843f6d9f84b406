"""The control API under `/_emulator/` and the agent console at `/agent`.

Not part of any real region: tests and the console use it to play the agent, inspect what
crossed the socket, and reset state. JSON in and out; errors use the Platform error body.
"""
import pathlib

from starlette.responses import HTMLResponse

from . import conversation
from . import faults as faults_module
from .deployments import Deployment
from .rest import JSONResponse, json_object, platform_error

CONSOLE_HTML = pathlib.Path(__file__).with_name("console.html")


def _bad_request(message):
    return platform_error(400, "bad.request", message)


def _read_only():
    return platform_error(409, "conflict", "The conversation is read-only.")


def _session_call(handler):
    """Route `/_emulator/sessions/{token}/...`: 404 for an unknown token, 400 for a body that is
    not a JSON object, else `handler(request, region, session, body)`."""
    async def route(request):
        region = request.app.state.region
        session = region.session_for(request.path_params["token"])
        if session is None:
            return platform_error(404, "not.found", "No session with that token.")
        try:
            body = await json_object(request)
        except ValueError as exc:
            return _bad_request(str(exc))
        return await handler(request, region, session, body)
    return route


async def reset(request):
    try:
        body = await json_object(request)
    except ValueError as exc:
        return _bad_request(str(exc))
    await request.app.state.region.reset(deployments=body.get("deployments") is True)
    return JSONResponse({"ok": True})


async def list_calls(request):
    """How many OAuth token grants and platform API calls clients made since the last reset."""
    return JSONResponse({"calls": dict(request.app.state.region.calls)})


async def list_frames(request):
    return JSONResponse({"frames": list(request.app.state.region.frames)})


async def list_sessions(request):
    sessions = request.app.state.region.sessions.values()
    return JSONResponse({"sessions": [s.summary() for s in sessions]})


@_session_call
async def get_session(request, region, session, body):
    return JSONResponse(session.detail())


def _text_of(body):
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text (a non-empty string) is required")
    content = body.get("content")
    if content is not None and not (isinstance(content, list) and all(isinstance(c, dict) for c in content)):
        raise ValueError("content must be a list of objects")
    return text, content


@_session_call
async def agent_join(request, region, session, body):
    fields = {key: body.get(key) for key in ("firstName", "lastName", "nickname", "image")}
    if not isinstance(fields["firstName"], str) or not fields["firstName"].strip():
        return _bad_request("firstName (a non-empty string) is required")
    if any(v is not None and not isinstance(v, str) for v in fields.values()):
        return _bad_request("lastName, nickname and image must be strings")
    if session.read_only:
        return _read_only()
    agent = conversation.agent_join(session, fields["firstName"].strip(), fields["lastName"], fields["nickname"],
                                    fields["image"])
    return JSONResponse({"agent": agent, "session": session.summary()})


@_session_call
async def agent_typing(request, region, session, body):
    if session.read_only:
        return _read_only()
    await conversation.typing(region, session)
    return JSONResponse({"ok": True, "by": "Human" if session.agent else "Bot"})


def _say(speak, needs_agent):
    @_session_call
    async def route(request, region, session, body):
        try:
            text, content = _text_of(body)
        except ValueError as exc:
            return _bad_request(str(exc))
        if session.read_only:
            return _read_only()
        if needs_agent and not session.agent:
            return platform_error(409, "conflict", "No agent has joined this session; join first.")
        return JSONResponse({"message": await speak(region, session, text, content)})
    return route


agent_say = _say(conversation.agent_say, needs_agent=True)
bot_say = _say(conversation.bot_say, needs_agent=False)


@_session_call
async def disconnect(request, region, session, body):
    read_only = body.get("readOnly")
    if read_only is not None and not isinstance(read_only, bool):
        return _bad_request("readOnly must be a boolean")
    if session.read_only:
        return platform_error(409, "conflict", "The conversation is already read-only.")
    message = await conversation.disconnect(region, session, read_only)
    return JSONResponse({"message": message, "session": session.summary()})


@_session_call
async def expire(request, region, session, body):
    """Expire the session now: its sockets get SessionExpiredEvent and leave it (they stay open)."""
    await conversation.expire(region, session)
    return JSONResponse({"ok": True})


def _sendable_close_code(code):
    if not isinstance(code, int) or isinstance(code, bool):
        return False
    # 1004-1006 are reserved / never sent on the wire; 3000-4999 are for applications.
    return code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014) or 3000 <= code <= 4999


@_session_call
async def drop(request, region, session, body):
    """Close every socket of the session (a network drop or a server restart); the session stays,
    so the client can reconnect and resume. `closeFrame:false` aborts the TCP connection instead
    of closing it, so the client sees an abnormal close (1006)."""
    code = body.get("code", 1012)
    close_frame = body.get("closeFrame", True)
    if not isinstance(close_frame, bool):
        return _bad_request("closeFrame must be a boolean")
    if not _sendable_close_code(code):
        return _bad_request("code must be a WebSocket close code a server may send")
    if not close_frame:
        return JSONResponse({"dropped": region.abort_sockets(session)})
    dropped = len(session.connections)
    for connection in list(session.connections):
        session.connections.remove(connection)
        await connection.close(code, "dropped by the emulator")
    return JSONResponse({"dropped": dropped})


def _fault_endpoint(add):
    async def handler(request):
        faults = request.app.state.region.faults
        try:
            add(faults, await json_object(request))
        except ValueError as exc:
            return _bad_request(str(exc))
        return JSONResponse({"faults": faults.describe()})
    return handler


add_delay = _fault_endpoint(faults_module.add_delay)
add_reorder = _fault_endpoint(faults_module.add_reorder)
add_inject = _fault_endpoint(faults_module.add_inject)
add_drop_every = _fault_endpoint(faults_module.add_drop_every)


async def clear_faults(request):
    request.app.state.region.faults.clear()
    return JSONResponse({"faults": request.app.state.region.faults.describe()})


async def list_faults(request):
    return JSONResponse({"faults": request.app.state.region.faults.describe()})


async def patch_deployment(request):
    """Patch a deployment's settings; `{"create": true, ...}` adds a new one with defaults."""
    region = request.app.state.region
    deployment_id = request.path_params["deployment_id"]
    try:
        body = await json_object(request)
    except ValueError as exc:
        return _bad_request(str(exc))
    create = body.pop("create", False) is True
    deployment = region.deployments.get(deployment_id)
    if deployment is None and not create:
        return platform_error(404, "not.found", "Deployment not found (send \"create\": true to add one).")
    target = deployment or Deployment(deployment_id, bot_delay_seconds=region.default_bot_delay)
    try:
        target.patch(body)
    except ValueError as exc:
        return _bad_request(str(exc))
    region.deployments[deployment_id] = target
    return JSONResponse(target.settings())


async def get_deployment(request):
    deployment = request.app.state.region.deployments.get(request.path_params["deployment_id"])
    if deployment is None:
        return platform_error(404, "not.found", "Deployment not found.")
    return JSONResponse(deployment.settings())


async def console(request):
    return HTMLResponse(CONSOLE_HTML.read_text(encoding="utf-8"), headers={"Cache-Control": "no-store"})
