"""Runs the installed `source-analytics` command as Airbyte does: a subprocess speaking the Airbyte protocol."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

# The console script installed beside the interpreter running the tests.
EXECUTABLE = shutil.which("source-analytics", path=str(Path(sys.executable).parent)) or "source-analytics"

# In discover's order: each child stream before its parent (manifest.yaml says why).
PROFILE_STREAMS = {
    "tracking": ["users", "user_groups", "tracker_settings"],
    "meetings": ["meetings", "users"],
    "payments": ["funding_sources", "customers", "events", "exchange_partners", "business_classifications"],
    "accounting": ["bank_transactions", "contacts"],
    "studies": ["user", "audit_trail", "study"],
}


@dataclass
class Run:
    returncode: int
    messages: List[Mapping[str, Any]]
    stdout: str
    stderr: str
    by_type: Dict[str, List[Mapping[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for message in self.messages:
            self.by_type.setdefault(message["type"], []).append(message)

    def of(self, kind: str) -> List[Mapping[str, Any]]:
        return self.by_type.get(kind, [])

    def records(self, stream: Optional[str] = None) -> List[Mapping[str, Any]]:
        return [m["record"]["data"] for m in self.of("RECORD") if stream is None or m["record"]["stream"] == stream]

    @property
    def errors(self) -> List[Mapping[str, Any]]:
        return [m["trace"]["error"] for m in self.of("TRACE") if m["trace"]["type"] == "ERROR"]

    @property
    def catalog(self) -> Mapping[str, Any]:
        return self.of("CATALOG")[-1]["catalog"]

    @property
    def states(self) -> List[Mapping[str, Any]]:
        return [m["state"] for m in self.of("STATE")]


def run(
    command: str,
    config: Optional[Mapping[str, Any]] = None,
    catalog: Optional[Mapping[str, Any]] = None,
    state: Optional[Sequence[Mapping[str, Any]]] = None,
    timeout: float = 300,
    cwd: Optional[str] = None,
) -> Run:
    """Run one connector command from an unrelated working directory and parse its output."""
    with tempfile.TemporaryDirectory() as tmp:
        args = [EXECUTABLE, command]
        for flag, content in (("--config", config), ("--catalog", catalog), ("--state", state)):
            if content is not None:
                path = os.path.join(tmp, flag.strip("-") + ".json")
                Path(path).write_text(json.dumps(content))
                args += [flag, path]
        done = subprocess.run(args, cwd=cwd or tmp, capture_output=True, text=True, timeout=timeout)
    messages = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return Run(done.returncode, messages, done.stdout, done.stderr)


def configured_catalog(catalog: Mapping[str, Any], incremental: bool = False) -> Mapping[str, Any]:
    """Select every discovered stream; incremental (append_dedup) where the stream supports it and asked for."""
    streams = []
    for stream in catalog["streams"]:
        use_incremental = incremental and "incremental" in stream["supported_sync_modes"]
        streams.append(
            {
                "stream": stream,
                "sync_mode": "incremental" if use_incremental else "full_refresh",
                "destination_sync_mode": "append_dedup" if use_incremental else "overwrite",
                "cursor_field": stream.get("default_cursor_field", []) if use_incremental else [],
                "primary_key": stream.get("source_defined_primary_key", []),
            }
        )
    return {"streams": streams}
