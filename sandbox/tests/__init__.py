"""The sandbox's own tests: it serves what each document describes (python -m pytest sandbox/tests)."""
