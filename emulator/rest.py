"""The HTTP paths a real region serves: login, public deployment config, Platform API.

Platform API errors use Genesys' standard body `{message, code, status, contextId, details,
errors}`; the login host answers OAuth-style `{error, description, error_description}`.
"""
import base64
import binascii
import json
import math
import urllib.parse

from starlette.responses import JSONResponse as _StarletteJSONResponse

from . import frames, limits


class JSONResponse(_StarletteJSONResponse):
    """JSON with ASCII escapes: guest text may hold lone surrogates that UTF-8 cannot encode."""

    def render(self, content):
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def platform_error(status, code, message):
    body = {"message": message, "code": code, "status": status, "contextId": frames.new_id(),
            "details": [], "errors": []}
    return JSONResponse(body, status_code=status)


def _oauth_error(status, error, description):
    headers = {"WWW-Authenticate": 'Basic realm="emulator"'} if status == 401 else None
    return JSONResponse({"error": error, "description": description, "error_description": description},
                        status_code=status, headers=headers)


def bearer(request):
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def no_bearer_error():
    """The Platform's answer to a guarded call without `Authorization: bearer …`."""
    return platform_error(401, "authentication.required",
                          "No authentication bearer token specified in authorization header.")


def bad_credentials_error(message="Invalid login credentials."):
    return platform_error(401, "bad.credentials", message)


async def json_object(request):
    """The request's JSON object ({} when the body is empty); ValueError for anything else."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except RecursionError:
        raise ValueError("body is nested too deeply")
    except ValueError:
        raise ValueError("body must be JSON")
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    return body


async def oauth_token(request):
    region = request.app.state.region
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return _oauth_error(401, "invalid_client", "client authentication (HTTP Basic) is required")
    try:
        client_id, sep, secret = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return _oauth_error(401, "invalid_client", "malformed HTTP Basic credentials")
    if not sep or region.clients.get(client_id) != secret:
        return _oauth_error(401, "invalid_client", "client not found or bad secret")
    try:
        form = urllib.parse.parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        form = {}
    grant_type = (form.get("grant_type") or [""])[0]
    if grant_type != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    token, seconds = region.issue_access_token(client_id)
    region.count_call("token")
    return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": seconds})


def _bases(request):
    """The emulator plays every host of the region, so each base URL is this server."""
    host = request.headers.get("host") or "%s:%s" % (request.url.hostname, request.url.port)
    secure = request.url.scheme == "https"
    return ("https://" if secure else "http://") + host, ("wss://" if secure else "ws://") + host


async def deployment_config(request):
    region = request.app.state.region
    deployment = region.deployments.get(request.path_params["deployment_id"])
    if deployment is None:
        return platform_error(404, "not.found", "Deployment not found")
    api_base, socket_base = _bases(request)
    return JSONResponse(deployment.config_json(api_base, socket_base),
                        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=60"})


def _history_entity(body):
    entity = {key: body[key] for key in ("id", "channel", "type", "text", "content", "events", "direction",
                                         "originatingEntity", "metadata") if key in body}
    entity["status"] = "Sent" if body.get("direction") == "Inbound" else "Delivered"
    return entity


def _page_param(request, name, default, upper):
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= upper:
        raise ValueError("%s must be an integer from 1 to %d" % (name, upper))
    return int(raw)


async def history(request):
    """GET /api/v2/webmessaging/messages with the guest JWT from getJwt; newest first."""
    region = request.app.state.region
    jwt = bearer(request)
    if jwt is None:
        return no_bearer_error()
    claims = region.verify_jwt(jwt)
    session = region.session_for(claims["sub"]) if claims else None
    if session is None:
        return bad_credentials_error()
    deployment = region.deployments.get(session.deployment_id)
    retry_after = limits.history_fetch(session, deployment) if deployment else None
    if retry_after is not None:
        response = platform_error(429, "too.many.requests",
                                  "Rate limit exceeded the maximum. Retry the request in [%d] seconds" % retry_after)
        response.headers["Retry-After"] = str(retry_after)
        return response
    try:
        page_size = _page_param(request, "pageSize", 25, 100)
        page_number = _page_param(request, "pageNumber", 1, 10000)
    except ValueError as exc:
        return platform_error(400, "bad.request", str(exc))
    messages = [_history_entity(body) for body in reversed(session.transcript)]
    start = (page_size * (page_number - 1))
    return JSONResponse({
        "entities": messages[start:start + page_size],
        "pageSize": page_size,
        "pageNumber": page_number,
        "total": len(messages),
        "pageCount": math.ceil(len(messages) / page_size),
    })
