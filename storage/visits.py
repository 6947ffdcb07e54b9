"""The visit log in SQLite. Rows come back as tuples in `VISIT_COLUMNS` order; times are stored
as UTC text in one fixed-width form (see `kiosk.domain.clock.to_db`), so text order is time
order."""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import Any

import sqlite_utils

from storage.database import transaction

VISIT_COLUMNS = (
    "visit_id",
    "visitor_name",
    "company",
    "host",
    "purpose",
    "signed_in_at",
    "signed_out_at",
    "sign_out_method",
    "language",
    "notice_version",
    "kiosk_id",
)
_NEW_VISIT_COLUMNS = VISIT_COLUMNS[1:]
_SELECT = f"SELECT {', '.join(VISIT_COLUMNS)} FROM visits"
# search_text is computed from the same values by SQLite (kiosk_casefold, see connect()).
_SEARCH_TEXT_OF_VALUES = "kiosk_casefold(?1 || char(10) || ?2 || char(10) || ?3)"
_INSERT = (
    f"INSERT INTO visits ({', '.join(_NEW_VISIT_COLUMNS)}, search_text) "
    f"VALUES ({', '.join(f'?{n}' for n in range(1, len(_NEW_VISIT_COLUMNS) + 1))}, "
    f"{_SEARCH_TEXT_OF_VALUES})"
)

VisitRow = tuple[Any, ...]

# What the staff screen's on-site list shows, in this order.
ON_SITE_COLUMNS = ("visit_id", "visitor_name", "company", "host", "signed_in_at")


class VisitStore:
    """Reads and writes visits on one connection (and so on one thread)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def notice_text(self, version: str) -> str | None:
        row = self.db.execute(
            "SELECT text FROM notices WHERE notice_version = ?", [version]
        ).fetchone()
        return None if row is None else str(row[0])

    def add_visit(
        self, values: dict[str, Any], notice_text: str, badge_token: str | None = None
    ) -> int:
        """Insert one visit (keys: the columns after visit_id) and return its visit_id.

        The notice it was shown is kept too (once per version), and the badge code if given,
        in the same transaction.
        Returns only once that transaction is committed: with synchronous=FULL in WAL mode
        the visit then survives a crash or a power cut."""
        with transaction(self.db):
            self.db.execute(
                "INSERT OR IGNORE INTO notices (notice_version, language, text, first_shown_at) "
                "VALUES (?, ?, ?, ?)",
                [values["notice_version"], values["language"], notice_text, values["signed_in_at"]],
            )
            cursor = self.db.execute(_INSERT, [values[c] for c in _NEW_VISIT_COLUMNS])
            visit_id = cursor.lastrowid
            assert visit_id is not None
            if badge_token is not None:
                self.db.execute(
                    "INSERT INTO badges (visit_id, token) VALUES (?, ?)", [visit_id, badge_token]
                )
        return visit_id

    def add_visits(self, rows: Iterable[VisitRow]) -> int:
        """Insert many visits (tuples in the order of the columns after visit_id) in one
        transaction; returns how many."""
        with transaction(self.db):
            cursor = self.db.conn.executemany(_INSERT, rows)
        return cursor.rowcount

    def close_visit(self, visit_id: int, signed_out_at: str, method: str) -> bool:
        """Sign a visit out; False if it does not exist or was already signed out. A wall
        clock set back since the sign-in never makes a negative visit: the sign-out is then
        recorded at the sign-in time."""
        with transaction(self.db):
            cursor = self.db.execute(
                "UPDATE visits SET signed_out_at = max(?, signed_in_at), sign_out_method = ? "
                "WHERE visit_id = ? AND signed_out_at IS NULL",
                [signed_out_at, method, visit_id],
            )
        return cursor.rowcount == 1

    def close_visits(self, closing: Iterable[tuple[int, str]], method: str) -> int:
        """Sign many visits out in one transaction, each at its own time: (visit_id,
        signed_out_at) pairs. Visits already signed out are left alone. Returns how many
        were closed."""
        closed = 0
        with transaction(self.db):
            for visit_id, signed_out_at in closing:
                cursor = self.db.execute(
                    "UPDATE visits SET signed_out_at = ?, sign_out_method = ? "
                    "WHERE visit_id = ? AND signed_out_at IS NULL",
                    [signed_out_at, method, visit_id],
                )
                closed += cursor.rowcount
        return closed

    def badge_token(self, visit_id: int) -> str | None:
        row = self.db.execute("SELECT token FROM badges WHERE visit_id = ?", [visit_id]).fetchone()
        return None if row is None else str(row[0])

    def give_badge_token(self, visit_id: int, token: str) -> str:
        """The visit's badge code, storing `token` as that code if it has none yet."""
        with transaction(self.db):
            self.db.execute(
                "INSERT OR IGNORE INTO badges (visit_id, token) "
                "SELECT visit_id, ? FROM visits WHERE visit_id = ?",
                [token, visit_id],
            )
            existing = self.badge_token(visit_id)
        if existing is None:
            raise LookupError(visit_id)
        return existing

    def visit_for_badge(self, token: str) -> VisitRow | None:
        """The visit whose badge carries `token` (uses the UNIQUE index on badges.token)."""
        row: VisitRow | None = self.db.execute(
            f"{_SELECT} WHERE visit_id = (SELECT visit_id FROM badges WHERE token = ?)", [token]
        ).fetchone()
        return row

    def get(self, visit_id: int) -> VisitRow | None:
        row: VisitRow | None = self.db.execute(
            f"{_SELECT} WHERE visit_id = ?", [visit_id]
        ).fetchone()
        return row

    def on_site(self, signed_in_before: str | None = None) -> list[VisitRow]:
        """Open visits, earliest first, optionally only those signed in before a stored time
        (uses the partial index visits_on_site)."""
        if signed_in_before is None:
            return list(
                self.db.execute(f"{_SELECT} WHERE signed_out_at IS NULL ORDER BY signed_in_at")
            )
        return list(
            self.db.execute(
                f"{_SELECT} WHERE signed_out_at IS NULL AND signed_in_at < ? ORDER BY signed_in_at",
                [signed_in_before],
            )
        )

    def search_on_site(self, words: list[str], limit: int = -1) -> list[VisitRow]:
        """Open visits (ON_SITE_COLUMNS, earliest first) where every word, already casefolded,
        occurs in the casefolded name, company or host (the search_text column). Reads only
        the open visits, through the partial index, so it costs the same on day 1,000."""
        where = " AND instr(search_text, ?) > 0" * len(words)
        return list(
            self.db.execute(
                f"SELECT {', '.join(ON_SITE_COLUMNS)} FROM visits "
                f"WHERE signed_out_at IS NULL{where} ORDER BY signed_in_at LIMIT ?",
                [*words, limit],
            )
        )

    def signed_in_between(self, start: str, end: str) -> Generator[VisitRow, None, None]:
        """Visits with start <= signed_in_at < end, oldest first, streamed from the cursor."""
        yield from self.db.execute(
            f"{_SELECT} WHERE signed_in_at >= ? AND signed_in_at < ? ORDER BY signed_in_at",
            [start, end],
        )

    def count_signed_in_between(self, start: str, end: str) -> int:
        return int(
            self.db.execute(
                "SELECT count(*) FROM visits WHERE signed_in_at >= ? AND signed_in_at < ?",
                [start, end],
            ).fetchone()[0]
        )

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM visits").fetchone()[0])
