"""Exporting the access log and the staff audit log, as CSV, JSON or an Excel workbook,
audited."""

from kiosk.export.visits import ExportFormat, Exports

__all__ = ["ExportFormat", "Exports"]
