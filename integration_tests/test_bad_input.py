"""Bad input, each answered with one clear message and the right failure type, never a stack trace as the message.

A read, discover or check that cannot start emits exactly one ERROR trace and exits non-zero; a check that can
start and finds the connection broken answers one FAILED status. config_error is input the user must fix;
system_error is an API that answers 200 with something its document does not allow (the request and credentials
were accepted: the body is the API's fault, though a base_url pointing at a website looks the same, so the message
names both).
"""

import pytest

import sandbox
from integration_tests.connector import MISSING, changed, run
from integration_tests.reliability import catalog_of, in_parallel

# Broken pages, one per profile, so the other profiles' endpoints stay sound for the other cases.
CORRUPT = {"/payments/customers": "not_json", "/tracking/v1/users": "missing_key", "/accounting/v1/contacts": "wrong_shape"}
GARBAGE_STATE = [{"type": "STREAM", "stream": {"stream_descriptor": {"name": "events"},
                                               "stream_state": {"created": "garbage"}}}]


def _run(command, files, **launch):
    """Run a command with files given as objects (written as JSON) or as raw text; MISSING: a path that does not exist."""
    result = run(command, **files, timeout=240, **launch)
    return result, result.seconds


def _cases(api):
    """name -> (command, files, expected outcome, words the message must hold)."""
    meetings = api.config("meetings")
    meetings_users = catalog_of(api, "meetings", ["users"])

    def both(name, config, catalog, *words):
        """The same bad config, through check (a FAILED status) and read (a config_error)."""
        return {
            f"check: {name}": ("check", {"config": config}, "FAILED", words),
            f"read: {name}": ("read", {"config": config, "catalog": catalog}, "config_error", words),
        }

    return {
        "check: missing config file": ("check", {"config": MISSING}, "config_error", ("config file",)),
        "check: config is not JSON": ("check", {"config": '{"api": "tracking", '}, "config_error", ("config file",)),
        "discover: unknown api": ("discover", {"config": changed(meetings, api="nope")}, "config_error", ("'nope'",)),
        **both("unknown api", changed(meetings, api="nope"), meetings_users, "'nope'"),
        **both("missing credentials", changed(meetings, credentials=None), meetings_users, "'credentials'"),
        **both("base_url not a URL", changed(meetings, base_url="not a url"), meetings_users, "'not a url'"),
        **both("unreachable base_url", changed(meetings, base_url="http://127.0.0.1:1/meetings"), meetings_users,
               "127.0.0.1:1", "base_url"),
        **both("wrong client secret", changed(meetings, credentials__client_secret="not-the-secret"),
               meetings_users, "credentials.client_secret"),
        **both("wrong token URL", changed(meetings, credentials__token_url=api.base_url("meetings") + "/oauth/tokn"),
               meetings_users, "credentials.token_url", "404"),
        "read: response not JSON": (
            "read", {"config": api.config("payments"), "catalog": catalog_of(api, "payments", ["customers"])},
            "system_error", ("'customers'", "not JSON", "base_url")),
        "check: response not JSON": ("check", {"config": api.config("payments")}, "FAILED", ("not JSON",)),
        "read: response without its data key": (
            "read", {"config": api.config("tracking"), "catalog": catalog_of(api, "tracking", ["users"])},
            "system_error", ("'users'", "`data`", "base_url")),
        "read: records of the wrong shape": (
            "read", {"config": api.config("accounting"), "catalog": catalog_of(api, "accounting", ["contacts"])},
            "system_error", ("'contacts'", "`Contacts`", "JSON objects")),
        "read: catalog of another profile": (
            "read", {"config": meetings, "catalog": catalog_of(api, "tracking")}, "config_error",
            ("user_groups", "'meetings'", "discover")),
        "read: catalog is not JSON": (
            "read", {"config": meetings, "catalog": '{"streams": ['}, "config_error", ("catalog file",)),
        "read: state cursor is not a date": (
            "read", {"config": api.config("payments"), "catalog": catalog_of(api, "payments", ["events"], True),
                     "state": GARBAGE_STATE}, "config_error", ("'garbage'", "state")),
        "read: state is not JSON": (
            "read", {"config": meetings, "catalog": meetings_users, "state": "[{"}, "config_error", ("state file",)),
    }


@pytest.fixture(scope="module")
def bad_input_runs(manifest_only):
    """Every case through the package; the cases both builds answer, through the manifest-only build too."""
    launcher, args = manifest_only
    with sandbox.start(records=30, seed=6, corrupt=CORRUPT) as api:
        cases = _cases(api)
        assert sorted(cases) == sorted(CASES)
        runs = {name: (lambda c=case: _run(c[0], c[1])) for name, case in cases.items()}
        runs.update({("manifest-only", name): (lambda c=cases[name]: _run(c[0], c[1], launcher=launcher, args=args))
                     for name in SAID_ALIKE})
        results = dict(in_parallel(runs, workers=6))  # a run that raised: its test raises it
        return {name: (cases[name], results[name], results.get(("manifest-only", name))) for name in cases}


CASES = [
    "check: missing config file", "check: config is not JSON", "discover: unknown api",
    "check: unknown api", "read: unknown api", "check: missing credentials", "read: missing credentials",
    "check: base_url not a URL", "read: base_url not a URL", "check: unreachable base_url",
    "read: unreachable base_url", "check: wrong client secret", "read: wrong client secret",
    "check: wrong token URL", "read: wrong token URL", "read: response not JSON", "check: response not JSON",
    "read: response without its data key", "read: records of the wrong shape", "read: catalog of another profile",
    "read: catalog is not JSON", "read: state cursor is not a date", "read: state is not JSON",
]


# What the API answers, and a saved state, which the manifest and its components see in either build. The other
# cases are input the package's own code reads (its config and input-file messages, the catalog's streams against
# the profile's): the manifest-only runtime reads them with the CDK's code, in the CDK's words (README, "Run it
# without building an image").
SAID_ALIKE = [case for case in CASES if any(api_side in case for api_side in (
    "unreachable base_url", "wrong client secret", "wrong token URL", "response not JSON", "without its data key",
    "records of the wrong shape", "state cursor is not a date"))]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gets_one_clear_message_with_the_right_failure_type(bad_input_runs, case):
    (command, _, expected, words), outcome, _ = bad_input_runs[case]
    if isinstance(outcome, Exception):
        raise outcome
    result, seconds = outcome

    if expected == "FAILED":
        assert result.errors == [], result.errors
        [status] = [m["connectionStatus"] for m in result.of("CONNECTION_STATUS")]
        assert status["status"] == "FAILED"
        message = status["message"]
    else:
        assert result.returncode != 0, f"{command} exited 0 on bad input"
        [error] = result.errors
        assert error["failure_type"] == expected, error
        message = error["message"]
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert "Traceback" not in message and 'File "' not in message, message
    assert "rate limit" not in message.lower(), message
    assert not result.records()
    # An answer, not minutes of retries (a generous bound: the process starts in a few seconds on a busy runner).
    assert seconds < 30, f"{case} took {seconds:.0f} s"


def _first_words(result):
    """The first error's message and failure type, or a check's status and message."""
    if result.errors:
        return result.errors[0]["failure_type"], result.errors[0]["message"]
    [status] = [m["connectionStatus"] for m in result.of("CONNECTION_STATUS")]
    return status["status"], status["message"]


@pytest.mark.parametrize("case", SAID_ALIKE)
def test_both_builds_answer_what_the_api_did_in_the_same_words(bad_input_runs, case):
    """The manifest-only build (source-declarative-manifest, the CDK alone) says what the package says: the words
    come from the manifest and its components, where the failure happens."""
    _, (package, _), built = bad_input_runs[case]
    if isinstance(built, Exception):
        raise built
    manifest_only, _ = built

    assert _first_words(manifest_only) == _first_words(package)
    assert manifest_only.records() == package.records()
