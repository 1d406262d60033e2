"""The connector image (`make image`), run as Airbyte runs it: `docker run IMAGE <command>` with the config and
catalog mounted, as the image's non-root user, against the sandbox on 127.0.0.1 (the container is on the host's
network). Every profile: spec, check, discover and a full read of every stream, whose keys must be exactly those
the sandbox served, as test_end_to_end.py checks for the installed command.

Marked image_tests: skipped without a Docker engine or without the image, failed instead under CI=true
(integration_tests/docker_engine.py).
"""

import json
import subprocess

import pytest

from integration_tests.connector import PROFILE_STREAMS, PROFILES, configured_catalog, docker_image, run
from integration_tests.docker_engine import connector_image
from integration_tests.reliability import assert_read_exactly_what_is_served

pytestmark = pytest.mark.image_tests


@pytest.fixture(scope="module")
def image(pytestconfig):
    return connector_image(pytestconfig)


def docker(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


def run_in_container(image: str, command: str, config=None, catalog=None, timeout: float = 300):
    """`docker run --rm --network host -v <files>:/secrets:ro IMAGE <command> --config ... --catalog ...`, the files
    readable by the container's user (uid 1000)."""
    return run(command, config, catalog, launcher=docker_image(image), timeout=timeout)


# ---- the image itself -------------------------------------------------------------------------------------------


def test_the_container_runs_as_the_non_root_airbyte_user(image):
    configured = docker("image", "inspect", "--format", "{{.Config.User}}", image)
    assert configured.stdout.strip() == "airbyte", configured.stderr

    ids = docker("run", "--rm", "--network", "host", "--entrypoint", "id", image)

    assert ids.returncode == 0, ids.stderr
    assert ids.stdout.startswith("uid=1000(airbyte) gid=1000(airbyte)"), ids.stdout


def test_the_entrypoint_is_the_connector(image):
    config = json.loads(docker("image", "inspect", "--format", "{{json .Config}}", image).stdout)
    assert config["Entrypoint"] == ["source-analytics"]
    assert "AIRBYTE_ENTRYPOINT=source-analytics" in config["Env"]


def test_the_image_holds_no_sources_build_tools_or_caches(image):
    # Looked at as root, which may read every directory: the connector's working directory is empty and the package
    # is only where pip installed it (the sources stayed in the build stage), no compiler, no pip or apt caches, no
    # wheels left from the build (the stand-in base's wheelhouse at /wheels is its own: see README, Docker image).
    script = (
        "ls -A /airbyte/integration_code; "
        "for tool in gcc cc c++ make git; do command -v $tool; done; "
        "ls -d /root/.cache /home/airbyte/.cache /tmp/pip-* /var/cache/apt/archives/*.deb 2>/dev/null; "
        "find / -xdev -name source_analytics -not -path '/usr/local/lib/python3*/dist-packages/*' | head -5; "
        "find /usr/local /airbyte /root /home /tmp -name '*.whl' | head -5; "
        "command -v source-analytics"
    )
    done = docker("run", "--rm", "--network", "host", "--user", "0", "--entrypoint", "sh", image, "-c", script)

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["/usr/local/bin/source-analytics"], done.stdout


def test_a_docker_run_without_a_network_flag_is_put_on_the_host_network(image, sandbox_api):
    # The CDK's image tests call `docker run` without --network; the shim (docker_engine.py) adds --network host,
    # without which the container could not reach the sandbox on 127.0.0.1.
    fetch = f"import urllib.request; print(urllib.request.urlopen('{sandbox_api.url}/_sandbox/stats').status)"

    done = subprocess.run(["docker", "run", "--rm", "--entrypoint", "python3", image, "-c", fetch],
                          capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "200"


# ---- every profile, end to end ----------------------------------------------------------------------------------


def test_spec_in_the_container(image):
    result = run_in_container(image, "spec")

    assert result.returncode == 0, result.stderr[-2000:]
    [spec] = result.of("SPEC")
    properties = spec["spec"]["connectionSpecification"]["properties"]
    assert {"api", "base_url", "credentials"} <= set(properties)
    assert sorted(properties["api"]["enum"]) == sorted(PROFILES)


@pytest.fixture(scope="module")
def container_syncs(sandbox_api, image):
    """check, discover and a full read of every stream of one profile, in the container; once per profile."""
    cache = {}

    def sync(profile):
        if profile not in cache:
            config = sandbox_api.config(profile)
            check = run_in_container(image, "check", config)
            discovered = run_in_container(image, "discover", config)
            assert discovered.of("CATALOG"), discovered.stderr[-2000:]
            sandbox_api.reset_stats()
            catalog = configured_catalog(discovered.catalog)
            read = run_in_container(image, "read", config, catalog)
            cache[profile] = (check, discovered.catalog, catalog, read, sandbox_api.stats())
        return cache[profile]

    return sync


@pytest.mark.parametrize("profile", PROFILES)
def test_check_succeeds_in_the_container(container_syncs, profile):
    check, _, _, _, _ = container_syncs(profile)

    assert check.returncode == 0, check.stderr[-2000:]
    assert [m["connectionStatus"]["status"] for m in check.of("CONNECTION_STATUS")] == ["SUCCEEDED"]


@pytest.mark.parametrize("profile", PROFILES)
def test_discover_in_the_container_lists_the_profile_streams(container_syncs, profile):
    _, catalog, _, _, _ = container_syncs(profile)
    assert [s["name"] for s in catalog["streams"]] == PROFILE_STREAMS[profile]


@pytest.mark.parametrize("profile", PROFILES)
def test_full_read_in_the_container_returns_exactly_what_the_sandbox_served(container_syncs, sandbox_api, profile):
    _, _, catalog, result, stats = container_syncs(profile)

    assert_read_exactly_what_is_served(result, sandbox_api, profile, catalog)
    assert stats["data_requests"] > 0
    assert stats["duplicate_requests"] == 0
