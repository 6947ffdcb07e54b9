"""The kiosk's upkeep: retention, backups, one kiosk per data dir."""
