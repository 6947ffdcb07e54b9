"""Exporting the access log and the staff audit log, as CSV or JSON, audited."""

from kiosk.export.visits import ExportFormat, Exports

__all__ = ["ExportFormat", "Exports"]
