"""No client secret, access token or bearer token in any output of spec, check, discover or read, and no
credential of any kind a profile takes in a read that logs every request.

The sandbox's credentials are long and distinctive, and so are the wrong ones given here, so a plain substring
search of stdout and stderr finds any leak; the access tokens the sandbox issues all match `sbx_<43 characters>`.
Every command runs, and the reads run with tokens that expire every second (so refreshes are logged), with
--debug (request and response logging), and failing: a rejected client secret, a token URL that answers 404.
"""

import base64
import re

import pytest

import sandbox
from integration_tests.connector import changed, run
from integration_tests.reliability import catalog_of, in_parallel
from integration_tests.traits import SECRET_FIELD, sign_ins
from sandbox.profile import BASIC

WRONG_SECRET = "wrong-client-secret-3b9e41d07c52a8f6e1d94b20c7a5f83e"
ISSUED_TOKEN = re.compile(r"sbx_[A-Za-z0-9_-]{20,}")


def _output(command, config=None, catalog=None, debug=False):
    """stdout + stderr of one command, from an unrelated directory."""
    result = run(command, config, catalog, args=["--debug"] if debug else [], timeout=240)
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def outputs():
    with sandbox.start(records=120, seed=9, token_ttl=1, latency_ms=50) as api:
        oauth, bearer = api.config("payments"), api.config("accounting", auth="bearer")
        payments = catalog_of(api, "payments")
        wrong_secret = changed(oauth, credentials__client_secret=WRONG_SECRET)
        wrong_token_url = changed(oauth, credentials__token_url=api.base_url("payments") + "/no-token-here")
        runs = {
            "spec": lambda: _output("spec"),
            "check": lambda: _output("check", oauth),
            "discover": lambda: _output("discover", oauth),
            "read": lambda: _output("read", oauth, payments),
            "read --debug": lambda: _output("read", oauth, payments, debug=True),
            "check, bearer": lambda: _output("check", bearer),
            "read, bearer": lambda: _output("read", bearer, catalog_of(api, "accounting"), debug=True),
            "check, wrong secret": lambda: _output("check", wrong_secret),
            "read, wrong secret": lambda: _output("read", wrong_secret, payments, debug=True),
            "read, wrong token URL": lambda: _output("read", wrong_token_url, payments, debug=True),
        }
        results = in_parallel(runs, workers=5)
        issued = api.stats()["by_endpoint"].get("POST /payments/token", 0)
    assert issued > 5, "the sandbox issued too few tokens for the test to mean anything"
    return results


@pytest.mark.parametrize(
    "run_name",
    ["spec", "check", "discover", "read", "read --debug", "check, bearer", "read, bearer", "check, wrong secret",
     "read, wrong secret", "read, wrong token URL"],
)
def test_no_secret_in_any_output(outputs, run_name):
    output = outputs[run_name]
    if isinstance(output, Exception):
        raise output
    assert output, "the command printed nothing"

    for name, secret in (("client secret", sandbox.CLIENT_SECRET), ("bearer token", sandbox.BEARER_TOKEN),
                         ("wrong client secret", WRONG_SECRET), ("client id", sandbox.CLIENT_ID)):
        assert secret not in output, f"the {name} appears in the output of {run_name}"
    leaked = ISSUED_TOKEN.findall(output)
    assert not leaked, f"access tokens appear in the output of {run_name}: {leaked[:3]}"


def test_debug_logging_prints_requests_with_the_token_masked(outputs):
    # The path where a token would leak is taken, and masked: the check above is not vacuous.
    assert "'Authorization': 'Bearer ****'" in outputs["read --debug"]


# ---- every kind of credentials -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def debug_reads():
    """Each profile's first stream read with --debug (every request logged, its URL and headers), once per kind of
    credentials the profile takes (the five take OAuth2 and a bearer token; an API-key or basic profile is collected
    here by itself: a key in the query would be in every logged URL, a password in every Authorization header)."""
    with sandbox.start(records=60, seed=9) as api:
        def read(profile, kind):
            config = api.config(profile, auth=kind)
            stream = sandbox.profile(profile).first_stream.name
            return config, _output("read", config, catalog_of(api, profile, [stream]), debug=True)
        return in_parallel({(p, kind): (lambda p=p, kind=kind: read(p, kind)) for p, kind in sign_ins()}, workers=5)


@pytest.mark.parametrize("profile, kind", sign_ins(), ids=[f"{p}-{kind}" for p, kind in sign_ins()])
def test_no_credential_of_its_kind_in_a_debug_read(debug_reads, profile, kind):
    config, output = debug_reads[profile, kind]
    credentials = config["credentials"]
    secret = credentials[SECRET_FIELD[kind]]
    # HTTP basic sends the password inside base64("username:password").
    sent = base64.b64encode(f"{credentials['username']}:{secret}".encode()).decode() if kind == BASIC else secret

    assert len(secret) >= 16, "a short secret would be found by chance, or masked everywhere (the CDK's filter)"
    assert "****" in output, "nothing was masked: the path where a credential would leak was not taken"
    assert secret not in output and sent not in output, f"the {SECRET_FIELD[kind]} appears in the output"
