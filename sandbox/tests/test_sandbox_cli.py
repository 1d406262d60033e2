"""python -m sandbox for people: --help explains every switch with its default; --configs writes ready configs."""

import json
import re
import subprocess
import sys
from pathlib import Path

import requests

import sandbox

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "source-analytics"


def test_help_explains_every_switch_with_its_default():
    done = subprocess.run([sys.executable, "-m", "sandbox", "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)

    assert done.returncode == 0
    options = done.stdout.split("options:", 1)[1]
    # One block per switch: its line and the indented lines of its help after it.
    blocks = re.split(r"\n(?=  -)", options.strip("\n"))
    switches = {re.match(r"\s*(-[-\w]+(?:, --[-\w]+)?)", block)[1]: " ".join(block.split()) for block in blocks}
    assert len(switches) >= 11, switches
    for switch, text in switches.items():
        if switch != "-h, --help":
            assert "(default:" in text, f"{switch} does not say its default: {text}"
    assert "(default: 20)" in switches["--records"]  # the data size nothing else wrote down


def test_configs_writes_a_ready_config_per_profile_and_prints_where_without_a_credential(tmp_path):
    configs = tmp_path / "configs"
    proc = subprocess.Popen([sys.executable, "-m", "sandbox", "--port", "0", "--records", "5", "--configs",
                             str(configs)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        printed = [proc.stdout.readline() for _ in range(7 + len(sandbox.PROFILES))]  # heading, table, hints
        checks = {name: subprocess.run([str(SCRIPT), "check", "--config", str(configs / name)], capture_output=True,
                                       text=True, timeout=120)
                  for name in ("payments.json", "accounting_bearer.json")}
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=5)
    printed_text = "".join(printed) + out

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
    for profile in sandbox.PROFILES:
        row = next(line for line in printed if line.startswith(profile + " "))
        kinds = sandbox.profile(profile).auth
        names = [f"{profile}.json"] + [f"{profile}_{kind}.json" for kind in kinds[1:]]
        base_url = f"{url}/{profile}{sandbox.profile(profile).base_path}"
        assert row.split() == [profile, base_url] + [str(configs / name) for name in names]
        for name, kind in zip(names, kinds):
            written = json.loads((configs / name).read_text())
            assert written["base_url"] == base_url and written == sandbox.instance.connector_config(
                profile, base_url, kind), name
    assert json.loads((configs / "credentials.json").read_text()) == {
        "client_id": sandbox.CLIENT_ID, "client_secret": sandbox.CLIENT_SECRET, "bearer_token": sandbox.BEARER_TOKEN,
        "api_key": sandbox.auth.API_KEY, "username": sandbox.auth.BASIC_USER, "password": sandbox.auth.BASIC_PASSWORD}
    for name, check in checks.items():
        [status] = [json.loads(line)["connectionStatus"] for line in check.stdout.splitlines()
                    if '"CONNECTION_STATUS"' in line]
        assert status == {"status": "SUCCEEDED"}, (name, status)
    for secret in (sandbox.CLIENT_ID, sandbox.CLIENT_SECRET, sandbox.BEARER_TOKEN):
        assert secret not in printed_text + err


def test_cli_prints_url_and_serves():
    proc = subprocess.Popen([sys.executable, "-m", "sandbox", "--port", "0", "--records", "12", "--seed", "4",
                             "--token-ttl", "60"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", line), line
        body = requests.post(line + "/studies/oauth/token", data={"grant_type": "client_credentials"},
                             auth=(sandbox.CLIENT_ID, sandbox.CLIENT_SECRET)).json()
        assert body["expires_in"] == 60
        rows = requests.get(line + "/studies/v1/study",
                            headers={"Authorization": f"Bearer {body['access_token']}"}).json()["_embedded"]["study"]
        with sandbox.start(records=12, seed=4) as same:
            assert [r["crf_id"] for r in rows] == [r["crf_id"] for r in same.truth("studies", "study")]
            assert rows[0]["name"] == same.truth("studies", "study")[0]["name"]
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=5)
    assert proc.returncode == 0 and "Traceback" not in err
    assert sandbox.CLIENT_SECRET not in out + err


def test_a_busy_port_is_named_with_how_to_pick_another():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "sandbox", "--port", str(port)], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)

    assert done.returncode == 2 and done.stdout == ""
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr, done.stderr
    assert f"SANDBOX_PORT={port + 1}" in done.stderr and "--port 0" in done.stderr
    assert "Traceback" not in done.stderr
