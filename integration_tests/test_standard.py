"""Airbyte's standard connector tests (airbyte_cdk.test.standard_tests) for every profile, against the sandbox.

The scenarios are those of acceptance-test-config.yml; their configs name the sandbox's demo port and are moved
to the sandbox this test process started. Image tests run on the image `make image` built, in a Docker engine
(integration_tests/docker_engine.py; pyproject.toml names their options).
"""

from airbyte_cdk.test.standard_tests import DeclarativeSourceTestSuite

from integration_tests.standard_sandbox import pointed_at_sandbox


class TestAnalyticsStandardSuite(DeclarativeSourceTestSuite):
    @classmethod
    def get_scenarios(cls):
        root = cls.get_connector_root_dir()
        return [
            scenario.model_copy(
                update={"config_dict": pointed_at_sandbox(scenario.get_config_dict(connector_root=root, empty_if_missing=False))}
            )
            for scenario in super().get_scenarios()
        ]
