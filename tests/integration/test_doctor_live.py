"""`python -m proxy doctor` against the real emulator (the proxy's own tests use a small fake)."""
import json
import os
import subprocess
import sys

from scripts import stack as stack_mod

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _doctor(stack, tmp_path, origin, config_extra=None, env_extra=None):
    config = {"deploymentId": stack.deployment_id, "webMessagingUrl": stack.socket_url,
              "apiBaseUrl": stack.emulator_url, "proxyUrl": None}
    config.update(config_extra or {})
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    env = dict(os.environ, GENESYS_LOGIN_URL=stack.emulator_url, GENESYS_API_URL=stack.emulator_url,
               GENESYS_CLIENT_ID=stack_mod.DEMO_CLIENT_ID, GENESYS_CLIENT_SECRET=stack_mod.DEMO_CLIENT_SECRET,
               GENESYS_QUEUE_ID=stack_mod.DEMO_QUEUE_ID)
    env.update(env_extra or {})
    result = subprocess.run([sys.executable, "-m", "proxy", "doctor", "--config", str(path), "--origin", origin,
                             "--root", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout + result.stderr


def test_doctor_passes_against_the_emulator(emu, tmp_path):
    code, out = _doctor(emu, tmp_path, "http://127.0.0.1:8765")
    assert code == 0, out
    assert "✘" not in out and stack_mod.DEMO_CLIENT_SECRET not in out


def test_doctor_explains_a_refused_origin(emu, tmp_path):
    code, out = _doctor(emu, tmp_path, "https://not-allowed.example")
    assert code == 1 and "allowed domains" in out.lower(), out


def test_doctor_explains_an_unknown_deployment(emu, tmp_path):
    code, out = _doctor(emu, tmp_path, "http://127.0.0.1:8765",
                        config_extra={"deploymentId": "00000000-0000-4000-8000-000000000000"})
    assert code == 1 and "deployment" in out.lower(), out


def test_doctor_explains_rejected_credentials(emu, tmp_path):
    code, out = _doctor(emu, tmp_path, "http://127.0.0.1:8765", env_extra={"GENESYS_CLIENT_SECRET": "Xq9-wrong-7Zt"})
    assert "Xq9-wrong-7Zt" not in out
    assert "credential" in out.lower() or "client id" in out.lower(), out


def test_doctor_explains_an_inactive_deployment(emu, tmp_path):
    import httpx

    httpx.post(emu.emulator_url + "/_emulator/deployments/" + emu.deployment_id, json={"status": "Inactive"},
               timeout=10).raise_for_status()
    code, out = _doctor(emu, tmp_path, "http://127.0.0.1:8765")
    assert code == 1 and "inactive" in out.lower(), out


def test_doctor_names_each_missing_permission(emu, tmp_path):
    code, out = _doctor(emu, tmp_path, "http://127.0.0.1:8765",
                        env_extra={"GENESYS_CLIENT_ID": "emulator-limited-client",
                                   "GENESYS_CLIENT_SECRET": "emulator-limited-secret",
                                   "GENESYS_SCHEDULE_GROUP_ID": stack_mod.DEMO_SCHEDULE_GROUP_ID})
    for permission in ("routing:queue:view", "analytics:queueObservation:view", "routing:scheduleGroup:view"):
        assert permission in out, (permission, out)


def test_doctor_json_and_a_missing_schedule_group(emu, tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"deploymentId": emu.deployment_id, "webMessagingUrl": emu.socket_url,
                                  "apiBaseUrl": emu.emulator_url, "proxyUrl": None}))
    env = dict(os.environ, GENESYS_LOGIN_URL=emu.emulator_url, GENESYS_API_URL=emu.emulator_url,
               GENESYS_CLIENT_ID=stack_mod.DEMO_CLIENT_ID, GENESYS_CLIENT_SECRET=stack_mod.DEMO_CLIENT_SECRET,
               GENESYS_QUEUE_ID=stack_mod.DEMO_QUEUE_ID, GENESYS_SCHEDULE_GROUP_ID="00000000-0000-4000-8000-0000000000aa")
    result = subprocess.run([sys.executable, "-m", "proxy", "doctor", "--config", str(config), "--json",
                             "--root", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    report = json.loads(result.stdout)
    assert result.returncode == 1 or any(c["status"] in ("fail", "warn") for c in report["checks"]), report
    hours = [c for c in report["checks"] if "hour" in (c.get("title") or "").lower()]
    assert hours and hours[0]["status"] in ("fail", "warn") and "GENESYS_SCHEDULE_GROUP_ID" in hours[0]["fix"], hours
    assert stack_mod.DEMO_CLIENT_SECRET not in result.stdout
