"""The kiosk's database in one SQLite file in the data dir: the embedded default.

`store.SqliteStore` is the core's `Store`; `backups.SqliteBackups` the daily backups (a holder
of personal data); `integrity.check` SQLite's own check of the file, which imports nothing but
the standard library so that `run` can start it first. (Nothing is imported here, for that
reason.)"""
