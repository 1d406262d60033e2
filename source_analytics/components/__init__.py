"""The classes the manifest names, one module each, as the CDK's component kinds (docs/architecture.md).

`make bundle` flattens these modules into the manifest-only build's one `components.py`
(source_analytics/bundle.py): a module here imports the others only as `from source_analytics.components.<module>
import <name>`, and no two modules define the same top-level name.
"""
