import logging
from pathlib import Path
from typing import Any, Iterator, List, Mapping, Optional

from airbyte_cdk.models import AirbyteMessage, AirbyteStateMessage, ConfiguredAirbyteCatalog, FailureType
from airbyte_cdk.sources.declarative.yaml_declarative_source import YamlDeclarativeSource
from airbyte_cdk.sources.streams.concurrent.abstract_stream import AbstractStream
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_analytics.state import read_state_messages

# Resolved next to this file (package data in the wheel, a link to the top-level manifest in a checkout),
# never against the working directory.
MANIFEST_PATH = Path(__file__).resolve().parent / "manifest.yaml"


class SourceAnalytics(YamlDeclarativeSource):
    def __init__(
        self,
        catalog: Optional[ConfiguredAirbyteCatalog] = None,
        config: Optional[Mapping[str, Any]] = None,
        state: Optional[List[AirbyteStateMessage]] = None,
        config_path: Optional[str] = None,
    ) -> None:
        super().__init__(
            path_to_yaml=str(MANIFEST_PATH),
            catalog=catalog,
            config=config,
            state=state,
            config_path=config_path,
        )
        self.prebuilt_streams: Optional[List[AbstractStream]] = None
        self._api = (config or {}).get("api")  # for messages; the CDK keeps its own copy of the config private

    @classmethod
    def read_catalog(cls, catalog_path: str) -> ConfiguredAirbyteCatalog:
        # The CDK answers discover's output with `"streams" is a required property` or a missing `stream`: the
        # catalog a user has at hand is discover's, and the message says how to make a configured one from it.
        # Imported here: the package importing its `python -m source_analytics.catalog` module at start makes
        # runpy warn on that command's stderr.
        from source_analytics.catalog import NOT_CONFIGURED, is_discover_output

        if is_discover_output(Path(catalog_path).read_text()):
            raise ValueError(NOT_CONFIGURED)
        return super().read_catalog(catalog_path)

    @classmethod
    def read_state(cls, state_path: str) -> List[AirbyteStateMessage]:
        # The CDK reads only a JSON list of state objects; state.py says which other forms are read, and why.
        return read_state_messages(state_path) if state_path else []

    def streams(self, config: Mapping[str, Any]) -> List[AbstractStream]:  # type: ignore[override]
        prebuilt, self.prebuilt_streams = self.prebuilt_streams, None
        if prebuilt is not None:
            return prebuilt
        return super().streams(config)

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: Optional[List[AirbyteStateMessage]] = None,
    ) -> Iterator[AirbyteMessage]:
        # The CDK skips a catalog stream the source does not have, and the sync succeeds without it; a catalog made
        # for another profile would then sync nothing and look fine.
        streams = self.streams(config)
        known = sorted(stream.name for stream in streams)
        unknown = [c.stream.name for c in catalog.streams if c.stream.name not in known]
        if unknown:
            message = (
                f"The catalog selects {', '.join(unknown)}, which the '{self._api}' API does not "
                f"have (its streams: {', '.join(known)}). Run discover with this config and select streams from "
                "the catalog it returns."
            )
            raise AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.config_error)
        selected = {c.stream.name for c in catalog.streams}
        stated = sorted({m.stream.stream_descriptor.name for m in state or () if m.stream is not None})
        if stated and not selected & set(stated):
            # State of streams merely deselected is silent (the protocol has it so); state of none of the selected
            # ones is most often another connection's or profile's, and everything is read again.
            logger.warning(
                f"The state given to this sync is for {', '.join(stated)}, none of which the catalog selects "
                f"({', '.join(sorted(selected))}): it is not used, and the selected streams are read from their start. "
                "Pass the state a previous read of these streams emitted."
            )
        self.prebuilt_streams = streams  # the CDK's read asks for them next: built once
        yield from super().read(logger, config, catalog, state)
