"""Authenticated web messaging (reference §3.13): a tiny built-in identity provider plus the
Platform token endpoints that turn its authorization code into a messaging JWT.

Flow: `GET /idp/authorize` (login page) → `POST /idp/authorize` (redirect with `code`, `state`)
→ `POST /api/v2/webdeployments/token/oauthcodegrantjwtexchange` (PKCE S256 checked) →
`{jwt, refreshToken}` → socket `configureAuthenticatedSession {data:{code: jwt}}`.
Refresh and revoke work on a "grant" (one sign-in): every JWT refreshed from it shares its id,
so revoking any of them signs the whole grant out.
"""
import base64
import hashlib
import html
import json
import re
import secrets
import time
import urllib.parse

from starlette.responses import HTMLResponse, RedirectResponse, Response

from . import frames
from .rest import JSONResponse, bad_credentials_error, bearer, no_bearer_error, platform_error

CODE_SECONDS = 120  # authorization codes are short-lived and single-use, as at any IdP


class IdentityProvider:
    def __init__(self, region):
        self.region = region
        self.reset()

    def reset(self):
        self.codes = {}  # code -> {clientId, redirectUri, challenge, user, expires}
        self.grants = {}  # grant id -> {user, deploymentId, refreshToken, revoked}
        self.refresh_tokens = {}  # refresh token -> grant id

    def issue_code(self, client_id, redirect_uri, challenge, user):
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"clientId": client_id, "redirectUri": redirect_uri, "challenge": challenge,
                            "user": user, "expires": time.time() + CODE_SECONDS}
        return code

    def redeem(self, code, redirect_uri, verifier):
        """The user of a valid code (used up either way), else None."""
        entry = self.codes.pop(code, None)
        if entry is None or entry["expires"] < time.time() or entry["redirectUri"] != redirect_uri:
            return None
        if entry["challenge"] is not None:
            if not isinstance(verifier, str) or _s256(verifier) != entry["challenge"]:
                return None
        return entry["user"]

    def start_grant(self, user, deployment_id):
        grant_id = frames.new_id()
        refresh = secrets.token_urlsafe(32)
        self.grants[grant_id] = {"user": user, "deploymentId": deployment_id, "refreshToken": refresh,
                                 "revoked": False}
        self.refresh_tokens[refresh] = grant_id
        return grant_id, refresh

    def jwt_for(self, grant_id):
        grant = self.grants[grant_id]
        deployment = self.region.deployments.get(grant["deploymentId"])
        now = int(time.time())
        user = grant["user"]
        claims = {"iss": "urn:emulator:idp", "use": "auth", "sub": user["username"], "gid": grant_id,
                  "did": grant["deploymentId"], "given_name": user["firstName"], "family_name": user["lastName"],
                  "iat": now, "exp": now + (deployment.jwt_seconds if deployment else 900)}
        return self.region.sign(claims)

    def verify(self, jwt, deployment_id=None):
        """Claims of a live sign-in JWT (not expired, grant not revoked), else None."""
        claims = self.region.verify_jwt(jwt, use="auth") if isinstance(jwt, str) else None
        if claims is None:
            return None
        grant = self.grants.get(claims.get("gid"))
        if grant is None or grant["revoked"]:
            return None
        if deployment_id is not None and claims.get("did") != deployment_id:
            return None
        return claims

    def revoke(self, grant_id):
        grant = self.grants[grant_id]
        grant["revoked"] = True
        self.refresh_tokens.pop(grant["refreshToken"], None)


def _s256(verifier):
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii", "replace")).digest()).rstrip(b"=").decode()


def user_from(username, first_name="", last_name=""):
    """Names for the SignIn event: given ones, else split from the username (`ada.lovelace`)."""
    parts = [p for p in re.split(r"[\s._@-]+", username) if p]
    first = first_name.strip() or (parts[0].capitalize() if parts else username)
    last = last_name.strip() or (parts[1].capitalize() if len(parts) > 1 else "Guest")
    return {"username": username, "firstName": first, "lastName": last}


# -- the identity provider's pages ---------------------------------------------------------------

AUTHORIZE_FIELDS = ("response_type", "client_id", "redirect_uri", "code_challenge", "code_challenge_method", "state")


def _authorize_params(params):
    values = {name: params.get(name, "") for name in AUTHORIZE_FIELDS}
    if values["response_type"] != "code":
        raise ValueError("response_type must be code")
    if not values["client_id"]:
        raise ValueError("client_id is required")
    redirect = urllib.parse.urlsplit(values["redirect_uri"])
    if redirect.scheme not in ("http", "https") or not redirect.netloc:
        raise ValueError("redirect_uri must be an absolute http(s) URL")
    if values["code_challenge"] and values["code_challenge_method"] != "S256":
        raise ValueError("code_challenge_method must be S256")
    return values


def _idp_error(text):
    return HTMLResponse("<!doctype html><title>Sign-in error</title><p id=\"error\">%s</p>" % html.escape(text),
                        status_code=400)


LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Emulator sign-in</title></head>
<body><h1>Emulator identity provider</h1>
<form id="login" method="post" action="/idp/authorize">
%s
<label>Username <input id="username" name="username" autocomplete="username" required></label>
<label>First name <input id="firstName" name="firstName"></label>
<label>Last name <input id="lastName" name="lastName"></label>
<button id="signin" type="submit">Sign in</button>
</form></body></html>
"""


async def authorize_page(request):
    try:
        values = _authorize_params(request.query_params)
    except ValueError as exc:
        return _idp_error(str(exc))
    hidden = "\n".join('<input type="hidden" name="%s" value="%s">' % (name, html.escape(value, quote=True))
                       for name, value in values.items())
    return HTMLResponse(LOGIN_PAGE % hidden, headers={"Cache-Control": "no-store"})


async def authorize_submit(request):
    try:
        form = {k: v[0] for k, v in urllib.parse.parse_qs((await request.body()).decode("utf-8"),
                                                          keep_blank_values=True).items()}
        values = _authorize_params(form)
    except (ValueError, UnicodeDecodeError) as exc:
        return _idp_error(str(exc))
    username = form.get("username", "").strip()
    if not username:
        return _idp_error("username is required")
    user = user_from(username, form.get("firstName", ""), form.get("lastName", ""))
    code = request.app.state.region.idp.issue_code(values["client_id"], values["redirect_uri"],
                                                   values["code_challenge"] or None, user)
    query = {"code": code}
    if values["state"]:
        query["state"] = values["state"]
    target = values["redirect_uri"]
    target += ("&" if urllib.parse.urlsplit(target).query else "?") + urllib.parse.urlencode(query)
    return RedirectResponse(target, status_code=302)


# -- Platform token endpoints (api host) ----------------------------------------------------------

async def _json_object(request):
    try:
        body = json.loads(await request.body() or b"null")
    except (ValueError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


def _bad(message):
    return platform_error(400, "bad.request", message)


async def code_exchange(request):
    region = request.app.state.region
    body = await _json_object(request)
    if body is None:
        return _bad("The request body must be a JSON object.")
    deployment_id, oauth = body.get("deploymentId"), body.get("oauth")
    if not isinstance(deployment_id, str) or not deployment_id:
        return _bad("deploymentId is required.")
    if not isinstance(oauth, dict) or not isinstance(oauth.get("code"), str) or not isinstance(
            oauth.get("redirectUri"), str):
        return _bad("oauth.code and oauth.redirectUri are required.")
    deployment = region.deployments.get(deployment_id)
    if deployment is None:
        return platform_error(404, "not.found", "Deployment not found.")
    if not deployment.auth_enabled:
        return _bad("Authentication is not enabled for this deployment.")
    user = region.idp.redeem(oauth["code"], oauth["redirectUri"], oauth.get("codeVerifier"))
    if user is None:
        return bad_credentials_error("The authorization code is invalid, expired, already used, or does not match "
                                     "the redirectUri / codeVerifier.")
    grant_id, refresh = region.idp.start_grant(user, deployment_id)
    return JSONResponse({"jwt": region.idp.jwt_for(grant_id), "refreshToken": refresh})


async def refresh(request):
    region = request.app.state.region
    body = await _json_object(request)
    if body is None or not isinstance(body.get("refreshToken"), str):
        return _bad("refreshToken is required.")
    grant_id = region.idp.refresh_tokens.get(body["refreshToken"])
    if grant_id is None:
        return bad_credentials_error("The refresh token is invalid or revoked.")
    deployment_id = body.get("deploymentId")
    if deployment_id is not None and deployment_id != region.idp.grants[grant_id]["deploymentId"]:
        return _bad("deploymentId does not match the refresh token.")
    return JSONResponse({"jwt": region.idp.jwt_for(grant_id)})


async def revoke(request):
    region = request.app.state.region
    jwt = bearer(request)
    if jwt is None:
        return no_bearer_error()
    claims = region.idp.verify(jwt)
    if claims is None:
        return bad_credentials_error()
    region.idp.revoke(claims["gid"])
    for session in [s for s in region.sessions.values() if s.auth and s.auth["gid"] == claims["gid"]]:
        await logout(region, session)
    return Response(status_code=204)


async def logout(region, session):
    """LogoutEvent to every socket; the session is over (the client must not reconnect)."""
    await region.push(session, frames.envelope("message", "LogoutEvent", {}))
    region.drop_session(session)
    for connection in list(session.connections):
        connection.token = None
        await connection.close(1000, "logged out")
    session.connections.clear()
