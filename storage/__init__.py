"""SQLite storage for the kiosk: the schema, its migrations and the visit store. No Qt here."""
