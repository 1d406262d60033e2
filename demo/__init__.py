"""`make demo`: a real sync of every profile against the sandbox, loaded into a DuckDB file."""
