import sys
import traceback
from datetime import datetime, timezone
from typing import List, Optional

import orjson
from airbyte_cdk.entrypoint import AirbyteEntrypoint, launch
from airbyte_cdk.models import (
    AirbyteErrorTraceMessage,
    AirbyteMessage,
    AirbyteMessageSerializer,
    AirbyteTraceMessage,
    FailureType,
    TraceType,
    Type,
)
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets

from source_analytics.source import SourceAnalytics


def _start_up_error(message: str, error: Exception, failure_type: FailureType) -> AirbyteMessage:
    return AirbyteMessage(
        type=Type.TRACE,
        trace=AirbyteTraceMessage(
            type=TraceType.ERROR,
            emitted_at=datetime.now(timezone.utc).timestamp() * 1000,
            error=AirbyteErrorTraceMessage(
                message=filter_secrets(f"{message} {error}"),
                internal_message=filter_secrets(str(error)),
                stack_trace=filter_secrets(traceback.format_exc()),
                failure_type=failure_type,
            ),
        ),
    )


def _get_source(args: List[str]) -> Optional[SourceAnalytics]:
    catalog_path = AirbyteEntrypoint.extract_catalog(args)
    config_path = AirbyteEntrypoint.extract_config(args)
    state_path = AirbyteEntrypoint.extract_state(args)
    try:
        catalog = SourceAnalytics.read_catalog(catalog_path) if catalog_path else None
        config = SourceAnalytics.read_config(config_path) if config_path else None
        state = SourceAnalytics.read_state(state_path) if state_path else None
    except Exception as error:
        # The caller's files could not be loaded: that is input to fix, not a connector failure.
        _emit(_start_up_error("Could not read the config, catalog or state file:", error, FailureType.config_error))
        return None
    try:
        return SourceAnalytics(catalog=catalog, config=config, state=state, config_path=config_path)
    except Exception as error:
        _emit(_start_up_error("The connector failed to start:", error, FailureType.system_error))
        return None


def _emit(message: AirbyteMessage) -> None:
    print(orjson.dumps(AirbyteMessageSerializer.dump(message)).decode(), flush=True)


def run() -> None:
    args = sys.argv[1:]
    source = _get_source(args)
    if source is None:
        sys.exit(1)
    launch(source, args)
