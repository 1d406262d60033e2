"""Airbyte source for the analytics API family: one declarative manifest, five API profiles."""

from source_analytics.source import SourceAnalytics

__all__ = ["SourceAnalytics"]
