"""The first contact with a host: a connection that cannot be made at all (refused, unresolvable, a TLS handshake
that fails) to a host that has never answered is a wrong setting, said at once as a config error naming the
setting and the likely fix; the same errors on a host that has answered are transient and keep their retries."""

import pytest
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ResponseAction

from source_analytics.components import requester
from source_analytics.components.error_handlers import ApiErrorHandler

URL = "https://api.example.com/v1/users"


def _tls_error(code, text):
    """requests' error for a failed handshake, as it words it (the CDK's error handler gets this exception)."""
    error = requests.exceptions.SSLError(f"HTTPSConnectionPool(host='api.example.com', port=443): Max retries "
                                         f"exceeded with url: /v1/users (Caused by SSLError(SSLError(1, '[SSL: {code}]"
                                         f" {text} (_ssl.c:1006)')))")
    error.request = requests.Request("GET", URL).prepare()
    return error


@pytest.mark.parametrize("code, text, fix", [
    ("WRONG_VERSION_NUMBER", "wrong version number", "write http:// instead of https://"),
    ("CERTIFICATE_VERIFY_FAILED", "certificate verify failed: self-signed certificate", "certificate does not verify"),
    ("CERTIFICATE_VERIFY_FAILED", "certificate verify failed: Hostname mismatch, certificate is not valid for "
     "'api.example.com'", "Use the host name the certificate is for"),
], ids=["plain http on the port", "self-signed", "another host name"])
def test_a_tls_handshake_that_fails_at_first_contact_is_a_config_error_naming_the_fix(code, text, fix):
    resolution = ApiErrorHandler(config={}, parameters={}).interpret_response(_tls_error(code, text))

    assert resolution.response_action == ResponseAction.FAIL
    assert resolution.failure_type == FailureType.config_error
    message = resolution.error_message
    assert "https://api.example.com" in message and code in message and "base_url" in message, message
    assert fix in message, message


def test_a_tls_error_on_a_host_that_has_answered_before_stays_transient():
    requester.mark_reached(URL)

    resolution = ApiErrorHandler(config={}, parameters={}).interpret_response(
        _tls_error("WRONG_VERSION_NUMBER", "wrong version number"))

    assert resolution.response_action == ResponseAction.RETRY
