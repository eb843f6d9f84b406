"""The HTTP paths of the emulated region: login, deployment config, Platform API, history."""
import time

import pytest

from emulator.deployments import DEMO_DEPLOYMENT_ID, DEMO_QUEUE_ID
from emulator.region import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from emulator_harness import is_text

EWT_PATH = "/api/v2/routing/queues/%s/estimatedwaittime"


def _login(emulator, client_id=DEMO_CLIENT_ID, secret=DEMO_CLIENT_SECRET, grant="client_credentials"):
    return emulator.http.post("/oauth/token", auth=(client_id, secret), data={"grant_type": grant})


def _assert_platform_error(response, status):
    assert response.status_code == status
    body = response.json()
    assert body["status"] == status and body["message"] and body["code"] and body["contextId"]
    assert body["details"] == [] and body["errors"] == []


def test_oauth_token(emulator):
    response = _login(emulator)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["access_token"] and body["expires_in"] == 86400


@pytest.mark.parametrize("client_id, secret", [(DEMO_CLIENT_ID, "wrong"), ("someone", DEMO_CLIENT_SECRET)])
def test_oauth_bad_credentials_is_401(emulator, client_id, secret):
    response = _login(emulator, client_id, secret)
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_oauth_without_basic_is_401(emulator):
    response = emulator.http.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    response = emulator.http.post("/oauth/token", data={"grant_type": "client_credentials"},
                                  headers={"Authorization": "Basic !!!not-base64"})
    assert response.status_code == 401


def test_oauth_wrong_grant_is_400(emulator):
    response = _login(emulator, grant="password")
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"


def test_deployment_config(emulator):
    response = emulator.http.get("/webdeployments/v1/deployments/%s/config.json" % DEMO_DEPLOYMENT_ID,
                                 headers={"Origin": "http://127.0.0.1:8765"})
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == "*"
    config = response.json()
    assert config["id"] == DEMO_DEPLOYMENT_ID and config["status"] == "Active"
    assert config["apiEndpoint"] == emulator.base
    messenger = config["messenger"]
    assert messenger["fileUpload"]["enableAttachments"] is True
    assert messenger["fileUpload"]["modes"][0]["maxFileSizeKB"] == 10240
    assert "image/png" in messenger["fileUpload"]["modes"][0]["fileTypes"]
    conv = messenger["apps"]["conversations"]
    assert conv["messagingEndpoint"] == emulator.ws_base
    assert conv["autoStart"] == {"enabled": True}
    assert conv["showAgentTypingIndicator"] is True and conv["showUserTypingIndicator"] is True
    assert conv["conversationDisconnect"] == {"enabled": True, "type": "ReadOnly"}
    assert conv["conversationClear"] == {"enabled": True} and conv["markdown"] == {"enabled": True}


def test_deployment_config_follows_patches(emulator):
    emulator.patch(autoStart=False, conversationDisconnectType="Send")
    conv = emulator.http.get("/webdeployments/v1/deployments/%s/config.json" % DEMO_DEPLOYMENT_ID).json()
    assert conv["messenger"]["apps"]["conversations"]["autoStart"] == {"enabled": False}
    assert conv["messenger"]["apps"]["conversations"]["conversationDisconnect"]["type"] == "Send"


def test_deployment_config_unknown_is_404(emulator):
    response = emulator.http.get("/webdeployments/v1/deployments/nope/config.json")
    _assert_platform_error(response, 404)


def test_cors_preflight(emulator):
    for path in (EWT_PATH % DEMO_QUEUE_ID, "/api/v2/webmessaging/messages",
                 "/webdeployments/v1/deployments/%s/config.json" % DEMO_DEPLOYMENT_ID):
        response = emulator.http.options(path, headers={
            "Origin": "http://127.0.0.1:8765", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization"})
        assert response.status_code == 200, path
        assert response.headers["access-control-allow-origin"] in ("*", "http://127.0.0.1:8765")
        assert "authorization" in response.headers["access-control-allow-headers"].lower()


def test_estimated_wait_time_needs_a_token(emulator):
    _assert_platform_error(emulator.http.get(EWT_PATH % DEMO_QUEUE_ID), 401)
    response = emulator.http.get(EWT_PATH % DEMO_QUEUE_ID, headers={"Authorization": "Bearer made-up"})
    _assert_platform_error(response, 401)


def test_estimated_wait_time_unknown_queue_is_404(emulator):
    token = _login(emulator).json()["access_token"]
    response = emulator.http.get(EWT_PATH % "nope", headers={"Authorization": "Bearer " + token})
    _assert_platform_error(response, 404)


def test_estimated_wait_time_grows_with_waiting_guests(emulator):
    headers = {"Authorization": "Bearer " + _login(emulator).json()["access_token"]}

    def ewt():
        response = emulator.http.get(EWT_PATH % DEMO_QUEUE_ID, headers=headers)
        assert response.status_code == 200
        result = response.json()["results"][0]
        assert result["intent"] == "OFFER" and result["formula"] == "BEST"
        return result["estimatedWaitTimeSeconds"]

    assert ewt() == 0
    guests = []
    for _ in range(2):
        guest = emulator.guest()
        guest.configure()
        guest.say("agent")
        guest.expect(lambda f: is_text(f, "Bot") and "shortly" in f["body"]["text"])
        guests.append(guest)
    assert ewt() == 120
    emulator.control(guests[0].token, "agent/join", {"firstName": "Sam"})
    assert ewt() == 60
    for guest in guests:
        guest.close()


def test_estimated_wait_time_per_media_type(emulator):
    headers = {"Authorization": "Bearer " + _login(emulator).json()["access_token"]}
    path = "/api/v2/routing/queues/%s/mediatypes/%s/estimatedwaittime"
    response = emulator.http.get(path % (DEMO_QUEUE_ID, "message"), headers=headers)
    assert response.status_code == 200 and response.json()["results"][0]["estimatedWaitTimeSeconds"] == 0
    _assert_platform_error(emulator.http.get(path % (DEMO_QUEUE_ID, "fax"), headers=headers), 400)
    _assert_platform_error(emulator.http.get(path % (DEMO_QUEUE_ID, "message")), 401)


def _jwt(guest):
    guest.action("getJwt", tracingId="jwt")
    return guest.expect(lambda f: f.get("tracingId") == "jwt")["body"]["jwt"]


def test_history_newest_first_with_pages(emulator):
    guest = emulator.guest()
    guest.configure()
    for n in range(3):
        emulator.control(guest.token, "bot/say", {"text": "m%d" % n})
    jwt = _jwt(guest)
    response = emulator.http.get("/api/v2/webmessaging/messages", params={"pageSize": 2, "pageNumber": 1},
                                 headers={"Authorization": "bearer " + jwt, "Origin": "http://localhost:8765"})
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == "*"
    page = response.json()
    assert [e["text"] for e in page["entities"]] == ["m2", "m1"]
    assert (page["pageSize"], page["pageNumber"], page["total"], page["pageCount"]) == (2, 1, 3, 2)
    entity = page["entities"][0]
    assert entity["direction"] == "Outbound" and entity["originatingEntity"] == "Bot" and entity["id"]
    page2 = emulator.http.get("/api/v2/webmessaging/messages?pageSize=2&pageNumber=2",
                              headers={"Authorization": "bearer " + jwt}).json()
    assert [e["text"] for e in page2["entities"]] == ["m0"]
    default = emulator.http.get("/api/v2/webmessaging/messages", headers={"Authorization": "bearer " + jwt}).json()
    assert default["pageSize"] == 25 and default["total"] == 3
    bad = emulator.http.get("/api/v2/webmessaging/messages?pageSize=0", headers={"Authorization": "bearer " + jwt})
    _assert_platform_error(bad, 400)
    guest.close()


def test_history_excludes_typing(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.join()
    guest.expect(lambda f: is_text(f, "Bot"))
    history = emulator.http.get("/api/v2/webmessaging/messages",
                                headers={"Authorization": "bearer " + _jwt(guest)}).json()
    kinds = [(e["type"], e["direction"]) for e in history["entities"]]
    assert kinds == [("Text", "Outbound"), ("Event", "Inbound")]
    guest.close()


def test_history_needs_a_valid_jwt(emulator):
    _assert_platform_error(emulator.http.get("/api/v2/webmessaging/messages"), 401)
    response = emulator.http.get("/api/v2/webmessaging/messages", headers={"Authorization": "bearer a.b.c"})
    _assert_platform_error(response, 401)


def test_history_expired_jwt_is_401(emulator):
    emulator.patch(jwtSeconds=1)
    guest = emulator.guest()
    guest.configure()
    jwt = _jwt(guest)
    assert emulator.http.get("/api/v2/webmessaging/messages",
                             headers={"Authorization": "bearer " + jwt}).status_code == 200
    time.sleep(1.1 + (1 - time.time() % 1))
    _assert_platform_error(emulator.http.get("/api/v2/webmessaging/messages",
                                             headers={"Authorization": "bearer " + jwt}), 401)
    guest.close()
