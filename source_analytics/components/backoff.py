"""LinearBackoffStrategy: waits that grow by the same step each retry."""

from dataclasses import InitVar, dataclass
from typing import Any, Mapping, Optional, Union

import requests
from airbyte_cdk.sources.declarative.interpolation.interpolated_string import InterpolatedString
from airbyte_cdk.sources.declarative.requesters.error_handlers.backoff_strategy import BackoffStrategy
from airbyte_cdk.sources.types import Config


@dataclass
class LinearBackoffStrategy(BackoffStrategy):
    """`backoff_time_in_seconds` times the attempt: 5, 10, 15 s for a step of 5.

    A document may give a linear backoff (dlt's `backoff_factor` with a linear strategy: the wait grows by the
    factor each retry); the CDK's strategies are constant, exponential and header-driven only.
    """

    backoff_time_in_seconds: Union[float, str]
    config: Config
    parameters: InitVar[Mapping[str, Any]]

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self._step = InterpolatedString.create(str(self.backoff_time_in_seconds), parameters=parameters)

    def backoff_time(
        self,
        response_or_exception: Optional[Union[requests.Response, requests.RequestException]],
        attempt_count: int,
    ) -> Optional[float]:
        return float(self._step.eval(self.config)) * attempt_count
