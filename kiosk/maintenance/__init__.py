"""The kiosk's upkeep: the retention cleanup, deleting for real from every holder of personal
data what is past the retention period."""

from kiosk.maintenance.retention import CHUNK, PurgeReport, Retention

__all__ = ["CHUNK", "PurgeReport", "Retention"]
