"""Backups of a site's PostgreSQL database are the server's (pg_dump, pgBackRest: see the
README's "Several kiosks"), kept within retention by the site's own expiry; a kiosk keeps no
copy of its own, so it has none to make, expire or erase."""

from __future__ import annotations

from pathlib import Path

from kiosk.domain.ports import Erasure, Expiry


class ServerBackups:
    name = "database backups (the server's)"

    def make_if_due(self) -> Path | None:
        return None

    def locations(self) -> list[Path]:
        return []

    def expire(self, expiry: Expiry, dry_run: bool = False) -> int:
        return 0

    def erase(self, erasure: Erasure) -> int:
        return 0
