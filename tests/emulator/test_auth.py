"""Authenticated web messaging (reference §3.13): built-in IdP, token exchange, refresh, revoke,
and configureAuthenticatedSession on the socket."""
import base64
import hashlib
import secrets
import time
import urllib.parse

import pytest
from websockets.exceptions import ConnectionClosed

from emulator.deployments import AUTH_DEPLOYMENT_ID, DEMO_DEPLOYMENT_ID
from emulator_harness import is_event

REDIRECT = "http://127.0.0.1:8765/auth/callback"
EXCHANGE = "/api/v2/webdeployments/token/oauthcodegrantjwtexchange"


def _pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _authorize_query(challenge, state="st-1", **overrides):
    params = {"response_type": "code", "client_id": "page", "redirect_uri": REDIRECT, "code_challenge": challenge,
              "code_challenge_method": "S256", "state": state} | overrides
    return params


def _sign_in(emulator, challenge, username="ada.lovelace", **form):
    params = _authorize_query(challenge)
    response = emulator.http.post("/idp/authorize", data=params | {"username": username} | form)
    assert response.status_code == 302, response.text
    location = urllib.parse.urlsplit(response.headers["location"])
    assert location.scheme + "://" + location.netloc + location.path == REDIRECT
    query = urllib.parse.parse_qs(location.query)
    assert query["state"] == ["st-1"]
    return query["code"][0]


def _exchange(emulator, code, verifier, deployment_id=AUTH_DEPLOYMENT_ID, redirect=REDIRECT):
    return emulator.http.post(EXCHANGE, json={"deploymentId": deployment_id,
                                              "oauth": {"code": code, "redirectUri": redirect,
                                                        "codeVerifier": verifier}})


def _tokens(emulator, username="ada.lovelace", **form):
    verifier, challenge = _pkce()
    response = _exchange(emulator, _sign_in(emulator, challenge, username, **form), verifier)
    assert response.status_code == 200, response.text
    return response.json()


def _auth_configure(guest, jwt, tracing_id="auth"):
    guest.action("configureAuthenticatedSession", deploymentId=guest.deployment_id, tracingId=tracing_id,
                 data={"code": jwt})
    return guest.expect(lambda f: f.get("tracingId") == tracing_id)


def test_config_json_says_auth_is_enabled_only_on_the_auth_deployment(emulator):
    for deployment_id, enabled in ((AUTH_DEPLOYMENT_ID, True), (DEMO_DEPLOYMENT_ID, False)):
        config = emulator.http.get("/webdeployments/v1/deployments/%s/config.json" % deployment_id).json()
        assert config["auth"]["enabled"] is enabled


def test_authorize_page_is_a_login_form(emulator):
    _, challenge = _pkce()
    response = emulator.http.get("/idp/authorize", params=_authorize_query(challenge))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<form id="login" method="post" action="/idp/authorize">' in page and 'name="username"' in page
    assert 'value="%s"' % challenge in page


@pytest.mark.parametrize("override", [{"response_type": "token"}, {"client_id": ""}, {"redirect_uri": "/relative"},
                                      {"code_challenge_method": "plain"}])
def test_authorize_rejects_bad_parameters(emulator, override):
    _, challenge = _pkce()
    assert emulator.http.get("/idp/authorize", params=_authorize_query(challenge, **override)).status_code == 400


def test_sign_in_needs_a_username(emulator):
    _, challenge = _pkce()
    response = emulator.http.post("/idp/authorize", data=_authorize_query(challenge) | {"username": " "})
    assert response.status_code == 400


def test_code_exchange_with_pkce(emulator):
    tokens = _tokens(emulator)
    assert set(tokens) == {"jwt", "refreshToken"} and tokens["jwt"].count(".") == 2


def test_code_exchange_rejects_a_wrong_verifier_and_a_reused_code(emulator):
    verifier, challenge = _pkce()
    code = _sign_in(emulator, challenge)
    response = _exchange(emulator, code, "not-the-verifier")
    assert response.status_code == 401 and response.json()["status"] == 401
    assert _exchange(emulator, code, verifier).status_code == 401  # the code was used up
    code = _sign_in(emulator, challenge)
    assert _exchange(emulator, code, verifier, redirect="http://127.0.0.1:8765/other").status_code == 401


def test_code_exchange_errors(emulator):
    verifier, challenge = _pkce()
    code = _sign_in(emulator, challenge)
    assert emulator.http.post(EXCHANGE, json={"oauth": {}}).status_code == 400
    assert emulator.http.post(EXCHANGE, content=b"[]").status_code == 400
    assert _exchange(emulator, code, verifier, deployment_id="unknown").status_code == 404
    assert _exchange(emulator, code, verifier, deployment_id=DEMO_DEPLOYMENT_ID).status_code == 400  # auth off


def test_refresh(emulator):
    tokens = _tokens(emulator)
    response = emulator.http.post("/api/v2/webdeployments/token/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert response.status_code == 200 and set(response.json()) == {"jwt"}
    response = emulator.http.post("/api/v2/webdeployments/token/refresh",
                                  json={"refreshToken": tokens["refreshToken"], "deploymentId": AUTH_DEPLOYMENT_ID})
    assert response.status_code == 200
    assert emulator.http.post("/api/v2/webdeployments/token/refresh", json={"refreshToken": "nope"}).status_code == 401
    assert emulator.http.post("/api/v2/webdeployments/token/refresh", json={}).status_code == 400


def test_configure_authenticated_session_signs_in(emulator):
    tokens = _tokens(emulator, "ada.lovelace")
    guest = emulator.guest(AUTH_DEPLOYMENT_ID)
    frame = _auth_configure(guest, tokens["jwt"])
    assert frame["class"] == "SessionResponse" and frame["body"]["connected"] and frame["body"]["newSession"]
    sign_in = guest.expect(lambda f: is_event(f, "Presence", "SignIn"))
    assert sign_in["body"]["channel"]["from"] == {"firstName": "Ada", "lastName": "Lovelace"}
    assert emulator.session(guest.token)["authenticated"] is True
    guest.say("hello", tracingId="t")
    assert guest.expect(lambda f: f.get("tracingId") == "t")["class"] == "StructuredMessage"
    again = emulator.guest(AUTH_DEPLOYMENT_ID, token=guest.token)  # resume with a refreshed JWT
    jwt = emulator.http.post("/api/v2/webdeployments/token/refresh",
                             json={"refreshToken": tokens["refreshToken"]}).json()["jwt"]
    assert _auth_configure(again, jwt)["body"]["newSession"] is False
    assert not any(is_event(f, "Presence", "SignIn") for f in again.quiet(0.2))  # signed in once
    guest.close()
    again.close()


def test_authenticated_session_response_has_cleared_existing_session_false(emulator):
    # Signing the same user in on a second token (another device) leaves the first session
    # alone here, so neither SessionResponse reports cleared sessions.
    tokens = _tokens(emulator, "ada.lovelace")
    first = emulator.guest(AUTH_DEPLOYMENT_ID)
    assert _auth_configure(first, tokens["jwt"])["body"]["clearedExistingSession"] is False
    second = emulator.guest(AUTH_DEPLOYMENT_ID)
    body = _auth_configure(second, _tokens(emulator, "ada.lovelace")["jwt"])["body"]
    assert body["clearedExistingSession"] is False and body["newSession"] is True
    assert emulator.session(first.token)["sockets"] == 1
    first.close()
    second.close()


def test_sign_in_names_from_the_form(emulator):
    tokens = _tokens(emulator, "u123", firstName="Grace", lastName="Hopper")
    guest = emulator.guest(AUTH_DEPLOYMENT_ID)
    _auth_configure(guest, tokens["jwt"])
    frame = guest.expect(lambda f: is_event(f, "Presence", "SignIn"))
    assert frame["body"]["channel"]["from"] == {"firstName": "Grace", "lastName": "Hopper"}
    guest.close()


def test_bad_jwt_is_401(emulator):
    guest = emulator.guest(AUTH_DEPLOYMENT_ID)
    frame = _auth_configure(guest, "not.a.jwt")
    assert (frame["class"], frame["code"]) == ("string", 401)
    assert guest.configure()["class"] == "SessionResponse"
    guest.action("getJwt", tracingId="history-jwt")  # a guest's history JWT is no sign-in
    history_jwt = guest.expect(lambda f: f["class"] == "JwtResponse")["body"]["jwt"]
    other = emulator.guest(AUTH_DEPLOYMENT_ID)
    assert _auth_configure(other, history_jwt)["code"] == 401
    guest.close()
    other.close()


def test_expired_jwt_is_401(emulator):
    emulator.patch(AUTH_DEPLOYMENT_ID, jwtSeconds=1)
    tokens = _tokens(emulator)
    time.sleep(1.1)
    guest = emulator.guest(AUTH_DEPLOYMENT_ID)
    frame = _auth_configure(guest, tokens["jwt"])
    assert (frame["class"], frame["code"]) == ("string", 401)
    guest.close()


def test_missing_code_is_4020(emulator):
    guest = emulator.guest(AUTH_DEPLOYMENT_ID)
    guest.action("configureAuthenticatedSession", deploymentId=AUTH_DEPLOYMENT_ID, tracingId="x", data={})
    assert guest.expect(lambda f: f.get("tracingId") == "x")["code"] == 4020
    guest.close()


def test_auth_disabled_deployment_is_403(emulator):
    tokens = _tokens(emulator)
    guest = emulator.guest()
    frame = _auth_configure(guest, tokens["jwt"])
    assert (frame["class"], frame["code"]) == ("string", 403)
    guest.close()


def test_downgrade_to_plain_configure_is_4017(emulator):
    tokens = _tokens(emulator)
    guest = emulator.guest(AUTH_DEPLOYMENT_ID)
    _auth_configure(guest, tokens["jwt"])
    other = emulator.guest(AUTH_DEPLOYMENT_ID, token=guest.token)
    frame = other.configure()
    assert (frame["class"], frame["code"]) == ("string", 4017)
    plain = emulator.guest(AUTH_DEPLOYMENT_ID)  # an anonymous guest is still allowed there
    assert plain.configure()["class"] == "SessionResponse"
    frame = _auth_configure(plain, tokens["jwt"], "upgrade")
    assert (frame["class"], frame["code"]) == ("string", 403)  # no session upgrade
    for g in (guest, other, plain):
        g.close()


def test_revoke_logs_the_sockets_out(emulator):
    tokens = _tokens(emulator)
    guest = emulator.guest(AUTH_DEPLOYMENT_ID)
    _auth_configure(guest, tokens["jwt"])
    response = emulator.http.delete("/api/v2/webdeployments/token/revoke",
                                    headers={"Authorization": "bearer " + tokens["jwt"]})
    assert response.status_code == 204
    frame = guest.expect(lambda f: f["class"] == "LogoutEvent")
    assert frame["type"] == "message"
    with pytest.raises(ConnectionClosed):
        guest.recv(timeout=2)
    assert emulator.http.post("/api/v2/webdeployments/token/refresh",
                              json={"refreshToken": tokens["refreshToken"]}).status_code == 401
    again = emulator.guest(AUTH_DEPLOYMENT_ID)
    assert _auth_configure(again, tokens["jwt"])["code"] == 401
    again.close()


def test_revoke_needs_a_live_jwt(emulator):
    url = "/api/v2/webdeployments/token/revoke"
    assert emulator.http.delete(url).status_code == 401
    assert emulator.http.delete(url, headers={"Authorization": "bearer nope"}).status_code == 401


@pytest.mark.parametrize("path, method", [(EXCHANGE, "POST"), ("/api/v2/webdeployments/token/refresh", "POST"),
                                          ("/api/v2/webdeployments/token/revoke", "DELETE")])
def test_token_paths_answer_cors_preflights(emulator, path, method):
    response = emulator.http.options(path, headers={"Origin": "http://127.0.0.1:8765",
                                                    "Access-Control-Request-Method": method,
                                                    "Access-Control-Request-Headers": "authorization, content-type"})
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == "*"
    assert method in response.headers["access-control-allow-methods"]
