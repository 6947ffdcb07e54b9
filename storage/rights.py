"""One person's visits for the rights of access, rectification and erasure (GDPR Art. 15-17):
find them by name, correct a field, delete them for real.

Finding by name scans the table: no SQLite index can fold Unicode case, and rights requests
are rare. The scan stays cheap at a million visits because SQLite's own `COLLATE NOCASE`
(ASCII case only) decides every ASCII name, and Python's `str.casefold` runs only for names
with other characters that are no longer than the name asked for."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import sqlite_utils

from storage.database import transaction
from storage.visits import VISIT_COLUMNS, VisitRow

log = logging.getLogger(__name__)

CORRECTABLE_FIELDS = ("visitor_name", "company", "host", "purpose")

_SELECT = f"SELECT {', '.join(VISIT_COLUMNS)} FROM visits"
# One fixed statement per field: the column name never comes from the caller.
# search_text (what staff search) is recomputed from the corrected row in the same statement.
_SEARCHED = ("visitor_name", "company", "host")
_UPDATES = {
    field: f"UPDATE visits SET {field} = ?1, search_text = kiosk_casefold("
    + " || char(10) || ".join("?1" if f == field else f for f in _SEARCHED)
    + ") WHERE visit_id = ?2"
    for field in CORRECTABLE_FIELDS
}
# The prefilter keeps every row that can match; kiosk_casefold then decides. It is sound because
# (checked over all of Unicode in tests/storage/test_rights_store.py):
# - the casefold of an ASCII name is its ASCII lower case, so an ASCII name matches exactly when
#   it equals the wanted name ignoring ASCII case, which is what NOCASE compares;
# - casefolding never makes text shorter, so a longer name cannot match.
# A name is ASCII when its length in characters equals its length in bytes (UTF-8).
_NAMED = (
    f"{_SELECT} WHERE (visitor_name = :wanted COLLATE NOCASE"
    " OR (length(visitor_name) <= :length"
    " AND length(CAST(visitor_name AS BLOB)) > length(visitor_name)))"
    " AND kiosk_casefold(visitor_name) = :wanted"
    # "+": sort the few matches rather than walk the whole table in index order.
    " ORDER BY +signed_in_at, visit_id"
)


def _casefold(value: object) -> str | None:
    return value.casefold() if isinstance(value, str) else None


class RightsStore:
    """Reads, corrects and deletes visits on one connection (and so on one thread)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        db.conn.create_function("kiosk_casefold", 1, _casefold, deterministic=True)

    def visits_named(self, name_casefolded: str) -> list[VisitRow]:
        """Every visit, past or present, whose stored name casefolded equals
        `name_casefolded`, oldest first."""
        if not name_casefolded:
            return []
        return list(
            self.db.execute(_NAMED, {"wanted": name_casefolded, "length": len(name_casefolded)})
        )

    def get(self, visit_id: int) -> VisitRow | None:
        row: VisitRow | None = self.db.execute(
            f"{_SELECT} WHERE visit_id = ?", [visit_id]
        ).fetchone()
        return row

    def existing(self, visit_ids: Iterable[int]) -> list[int]:
        """Those of `visit_ids` that are stored, in ascending order."""
        found = []
        for visit_id in sorted(set(visit_ids)):
            if self.db.execute("SELECT 1 FROM visits WHERE visit_id = ?", [visit_id]).fetchone():
                found.append(visit_id)
        return found

    def update_field(self, visit_id: int, field: str, value: str) -> bool:
        """Set one of `CORRECTABLE_FIELDS` of a visit; False if the visit does not exist.

        The old value is overwritten in the database file (secure_delete) and its copy in
        the write-ahead log is checkpointed away, as for a deletion."""
        try:
            sql = _UPDATES[field]
        except KeyError:
            raise ValueError(f"not a field that can be corrected: {field!r}") from None
        with transaction(self.db):
            changed = self.db.execute(sql, [value, visit_id]).rowcount
        self.checkpoint()
        return changed == 1

    def delete_visits(self, visit_ids: Iterable[int]) -> int:
        """Delete visits in one transaction (or as part of the caller's), their badge codes
        and audit links with them (ON DELETE CASCADE). Returns how many were deleted; the
        caller empties the write-ahead log afterwards (`checkpoint`)."""
        deleted = 0
        with transaction(self.db):
            for visit_id in sorted(set(visit_ids)):
                deleted += self.db.execute(
                    "DELETE FROM visits WHERE visit_id = ?", [visit_id]
                ).rowcount
        return deleted

    def checkpoint(self) -> bool:
        """Copy the write-ahead log into the database file and truncate it to zero bytes.

        secure_delete zeroes deleted and overwritten content in the database file, but the
        log keeps earlier copies of the pages, and a log that is only reset (not truncated)
        keeps them readable past its logical end. False if another connection's reader kept
        the log from being emptied; the next checkpoint finishes the job."""
        busy, _, _ = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning("the write-ahead log could not be emptied: the database is in use")
        return not busy
