"""The visit log in SQLite: the `VisitRepository` of `kiosk.domain.ports`.

Times are stored as UTC text of one fixed width (`storage.sqlite.times`), so text order is time
order. Staff search what `search_text` holds: name, company and host, casefolded, kept beside
the visit (and deleted with it), so the search runs in SQLite's C code on every keystroke.

Finding one person's visits by name (a rights request) scans the table: no SQLite index can
fold Unicode case, and rights requests are rare. The scan stays cheap at a million visits
because SQLite's own `COLLATE NOCASE` (ASCII case only) decides every ASCII name, and Python's
`str.casefold` runs only for names with other characters that are no longer than the name
asked for.

A restricted visit (`restricted_at` set) is left out of the on-site list, its search and the
access log by one more condition on the row each of them reads anyway, so their indexes and
plans are unchanged."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlite_utils

from kiosk.domain.access_log import EXPORT_COLUMNS
from kiosk.domain.ports import NoticeText
from kiosk.domain.visit import (
    CORRECTABLE_FIELDS,
    HostNotice,
    NewVisit,
    OnSite,
    SignOutMethod,
    Visit,
)
from storage.sqlite.times import from_db, to_db

# The visits table's columns, read in the access log's order: the fast CSV export
# (storage.sqlite.csv_lines) writes a row's fields as they are read.
VISIT_COLUMNS = EXPORT_COLUMNS
_NEW_VISIT_COLUMNS = VISIT_COLUMNS[1:]
# What a Visit is read from: those, then its restriction (never exported).
READ_COLUMNS = (*VISIT_COLUMNS, "restricted_at", "objection_at")
_SELECT = f"SELECT {', '.join(READ_COLUMNS)} FROM visits"
# The condition the reads for access monitoring add (the on-site list, the access log).
NOT_RESTRICTED = "restricted_at IS NULL"
# search_text is computed from the same values by SQLite (kiosk_casefold, see connect()).
_SEARCH_TEXT_OF_VALUES = "kiosk_casefold(?1 || char(10) || ?2 || char(10) || ?3)"
_INSERT = (
    f"INSERT INTO visits ({', '.join(_NEW_VISIT_COLUMNS)}, search_text) "
    f"VALUES ({', '.join(f'?{n}' for n in range(1, len(_NEW_VISIT_COLUMNS) + 1))}, "
    f"{_SEARCH_TEXT_OF_VALUES})"
)
# What the staff screen's on-site list shows, in this order.
_ON_SITE_COLUMNS = ("visit_id", "visitor_name", "company", "host", "signed_in_at", "host_notice")

# One fixed statement per field: the column name never comes from the caller. search_text is
# recomputed from the corrected row in the same statement.
_SEARCHED = ("visitor_name", "company", "host")
_UPDATES = {
    field: f"UPDATE visits SET {field} = ?1, search_text = kiosk_casefold("
    + " || char(10) || ".join("?1" if f == field else f for f in _SEARCHED)
    + ") WHERE visit_id = ?2"
    for field in CORRECTABLE_FIELDS
}
# The prefilter keeps every row that can match; kiosk_casefold then decides. It is sound because
# (checked over all of Unicode in tests/storage/test_sqlite_names.py):
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
# Among the open visits only (a visitor signing out by name): read through the partial index
# visits_on_site, so it costs the same on day 1,000. search_text begins with the casefolded
# name and a line break (casefolding goes character by character), which decides nearly every
# row in C; kiosk_casefold has the last word.
_NAMED_ON_SITE = (
    f"{_SELECT} WHERE signed_out_at IS NULL"
    " AND substr(search_text, 1, :length + 1) = :wanted || char(10)"
    " AND kiosk_casefold(visitor_name) = :wanted"
    " ORDER BY signed_in_at, visit_id"
)


def visit_from_row(row: Sequence[Any]) -> Visit:
    """A row in `READ_COLUMNS` order as a Visit."""
    return Visit(
        visit_id=row[0],
        visitor_name=row[1],
        company=row[2],
        host=row[3],
        purpose=row[4],
        signed_in_at=from_db(row[5]),
        signed_out_at=from_db(row[6]) if row[6] else None,
        sign_out_method=SignOutMethod(row[7]) if row[7] else None,
        language=row[8],
        notice_version=row[9],
        kiosk_id=row[10],
        restricted_at=from_db(row[11]) if row[11] else None,
        objection_at=from_db(row[12]) if row[12] else None,
    )


def _values(visit: NewVisit) -> tuple[Any, ...]:
    """A new visit's values in the order of `_NEW_VISIT_COLUMNS`."""
    return (
        visit.visitor_name,
        visit.company,
        visit.host,
        visit.purpose,
        to_db(visit.signed_in_at),
        None if visit.signed_out_at is None else to_db(visit.signed_out_at),
        None if visit.sign_out_method is None else visit.sign_out_method.value,
        visit.language,
        visit.notice_version,
        visit.kiosk_id,
    )


def _json_ids(visit_ids: Iterable[int]) -> str:
    return "[" + ",".join(str(int(visit_id)) for visit_id in visit_ids) + "]"


class SqliteVisits:
    """Reads and writes visits on one connection (and so on one thread). Writes join the
    caller's transaction (`SqliteStore.transaction`)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- writing ---------------------------------------------------------------------------
    def add(self, visit: NewVisit, notice: NoticeText, badge_code: str | None) -> Visit:
        self.add_notice(notice, visit.signed_in_at)
        visit_id = self.db.execute(_INSERT, _values(visit)).lastrowid
        assert visit_id is not None
        if badge_code is not None:
            self.db.execute(
                "INSERT INTO badges (visit_id, token) VALUES (?, ?)", [visit_id, badge_code]
            )
        stored = self.get(visit_id)
        assert stored is not None
        return stored

    def add_notice(self, notice: NoticeText, first_shown_at: datetime) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO notices (notice_version, language, text, first_shown_at) "
            "VALUES (?, ?, ?, ?)",
            [notice.version, notice.language, notice.text, to_db(first_shown_at)],
        )

    def add_many(self, visits: Iterable[NewVisit]) -> int:
        return int(self.db.conn.executemany(_INSERT, (_values(v) for v in visits)).rowcount)

    def give_badge_code(self, visit_id: int, code: str) -> str | None:
        # Not INSERT OR IGNORE: a code that is another visit's must raise, not pass unseen.
        self.db.execute(
            "INSERT INTO badges (visit_id, token) SELECT visit_id, ? FROM visits "
            "WHERE visit_id = ? AND NOT EXISTS (SELECT 1 FROM badges WHERE visit_id = ?)",
            [code, visit_id, visit_id],
        )
        return self.badge_code(visit_id)

    def replace_badge_code(self, visit_id: int, code: str) -> bool:
        """One statement: the visit's row in `badges` is added, or its token overwritten."""
        cursor = self.db.execute(
            "INSERT INTO badges (visit_id, token) SELECT visit_id, ? FROM visits "
            "WHERE visit_id = ? ON CONFLICT (visit_id) DO UPDATE SET token = excluded.token",
            [code, visit_id],
        )
        return cursor.rowcount == 1

    def close(self, visit_id: int, at: datetime, method: SignOutMethod) -> bool:
        cursor = self.db.execute(
            "UPDATE visits SET signed_out_at = ?, sign_out_method = ? "
            "WHERE visit_id = ? AND signed_out_at IS NULL",
            [to_db(at), method.value, visit_id],
        )
        return cursor.rowcount == 1

    def close_many(self, closing: Iterable[tuple[int, datetime]], method: SignOutMethod) -> int:
        closed = 0
        for visit_id, at in closing:
            closed += self.close(visit_id, at, method)
        return closed

    def correct(self, visit_id: int, field: str, value: str) -> bool:
        """The old value is overwritten in the database file (secure_delete); its copy in the
        write-ahead log goes with the store's next `forget_deleted`."""
        try:
            sql = _UPDATES[field]
        except KeyError:
            raise ValueError(f"not a field that can be corrected: {field!r}") from None
        return self.db.execute(sql, [value, visit_id]).rowcount == 1

    def set_host_notice(self, visit_id: int, notice: HostNotice) -> bool:
        cursor = self.db.execute(
            "UPDATE visits SET host_notice = ? WHERE visit_id = ?", [notice.value, visit_id]
        )
        return cursor.rowcount == 1

    def restrict(self, visit_ids: Iterable[int], at: datetime) -> list[int]:
        return self._update_where(
            visit_ids, "restricted_at IS NULL", "restricted_at = :at", {"at": to_db(at)}
        )

    def record_objection(self, visit_ids: Iterable[int], at: datetime) -> list[int]:
        return self._update_where(
            visit_ids,
            "objection_at IS NULL",
            "objection_at = :at, restricted_at = coalesce(restricted_at, :at)",
            {"at": to_db(at)},
        )

    def lift_restriction(self, visit_ids: Iterable[int]) -> list[int]:
        return self._update_where(
            visit_ids, "restricted_at IS NOT NULL", "restricted_at = NULL, objection_at = NULL"
        )

    def _update_where(
        self,
        visit_ids: Iterable[int],
        where: str,
        assignments: str,
        values: dict[str, Any] | None = None,
    ) -> list[int]:
        """Set `assignments` on those of `visit_ids` that meet `where`; their ids, ascending.
        (Read, then written, in the caller's transaction: no RETURNING, which SQLite has only
        from 3.35 on.)"""
        listed = "visit_id IN (SELECT value FROM json_each(:ids))"
        changed = [
            row[0]
            for row in self.db.execute(
                f"SELECT visit_id FROM visits WHERE {where} AND {listed} ORDER BY visit_id",
                {"ids": _json_ids(set(visit_ids))},
            )
        ]
        if changed:
            self.db.execute(
                f"UPDATE visits SET {assignments} WHERE {listed}",
                {**(values or {}), "ids": _json_ids(changed)},
            )
        return changed

    def delete(self, visit_ids: Iterable[int]) -> int:
        """Badge codes, audit links and unsent messages go with the visits (ON DELETE
        CASCADE)."""
        deleted = 0
        for visit_id in sorted(set(visit_ids)):
            deleted += self.db.execute("DELETE FROM visits WHERE visit_id = ?", [visit_id]).rowcount
        return deleted

    def delete_signed_in_before(self, cutoff: datetime, limit: int) -> list[int]:
        ids = [
            row[0]
            for row in self.db.execute(
                "SELECT visit_id FROM visits WHERE signed_in_at < ? ORDER BY signed_in_at LIMIT ?",
                [to_db(cutoff), limit],
            )
        ]
        if ids:
            self.db.execute(
                "DELETE FROM visits WHERE visit_id IN (SELECT value FROM json_each(?))",
                [_json_ids(ids)],
            )
        return ids

    # -- reading ---------------------------------------------------------------------------
    def get(self, visit_id: int) -> Visit | None:
        row = self.db.execute(f"{_SELECT} WHERE visit_id = ?", [visit_id]).fetchone()
        return None if row is None else visit_from_row(row)

    def notice_text(self, version: str) -> str | None:
        row = self.db.execute(
            "SELECT text FROM notices WHERE notice_version = ?", [version]
        ).fetchone()
        return None if row is None else str(row[0])

    def by_badge(self, code: str) -> Visit | None:
        """Uses the UNIQUE index on badges.token."""
        row = self.db.execute(
            f"{_SELECT} WHERE visit_id = (SELECT visit_id FROM badges WHERE token = ?)", [code]
        ).fetchone()
        return None if row is None else visit_from_row(row)

    def badge_code(self, visit_id: int) -> str | None:
        row = self.db.execute("SELECT token FROM badges WHERE visit_id = ?", [visit_id]).fetchone()
        return None if row is None else str(row[0])

    def on_site(
        self, signed_in_before: datetime | None = None, *, with_restricted: bool = False
    ) -> list[Visit]:
        """Uses the partial index visits_on_site."""
        where = "signed_out_at IS NULL"
        if not with_restricted:
            where += f" AND {NOT_RESTRICTED}"
        if signed_in_before is None:
            cursor = self.db.execute(f"{_SELECT} WHERE {where} ORDER BY signed_in_at")
        else:
            cursor = self.db.execute(
                f"{_SELECT} WHERE {where} AND signed_in_at < ? ORDER BY signed_in_at",
                [to_db(signed_in_before)],
            )
        return [visit_from_row(row) for row in cursor]

    def search_on_site(self, words: Sequence[str], limit: int) -> list[OnSite]:
        """Reads only the open visits, through the partial index, so it costs the same on day
        1,000; times are parsed only for the rows returned."""
        where = " AND instr(search_text, ?) > 0" * len(words)
        cursor = self.db.execute(
            f"SELECT {', '.join(_ON_SITE_COLUMNS)} FROM visits "
            f"WHERE signed_out_at IS NULL AND {NOT_RESTRICTED}{where} "
            "ORDER BY signed_in_at LIMIT ?",
            [*words, limit],
        )
        return [
            OnSite(
                row[0],
                row[1],
                row[2],
                row[3],
                from_db(row[4]),
                HostNotice(row[5]) if row[5] else None,
            )
            for row in cursor
        ]

    def named(self, name_casefolded: str, *, on_site: bool = False) -> list[Visit]:
        if not name_casefolded:
            return []
        cursor = self.db.execute(
            _NAMED_ON_SITE if on_site else _NAMED,
            {"wanted": name_casefolded, "length": len(name_casefolded)},
        )
        return [visit_from_row(row) for row in cursor]

    def existing(self, visit_ids: Iterable[int]) -> list[int]:
        cursor = self.db.execute(
            "SELECT visit_id FROM visits WHERE visit_id IN (SELECT value FROM json_each(?)) "
            "ORDER BY visit_id",
            [_json_ids(set(visit_ids))],
        )
        return [row[0] for row in cursor]

    def kept(self, visit_ids: Sequence[int], cutoff: datetime) -> set[int]:
        if not visit_ids:
            return set()
        cursor = self.db.execute(
            "SELECT visit_id FROM visits WHERE signed_in_at >= ? "
            "AND visit_id IN (SELECT value FROM json_each(?))",
            [to_db(cutoff), _json_ids(visit_ids)],
        )
        return {row[0] for row in cursor}

    def signed_in_between(self, start: datetime, end: datetime) -> Iterator[Visit]:
        cursor = self.db.execute(
            f"{_SELECT} WHERE signed_in_at >= ? AND signed_in_at < ? AND {NOT_RESTRICTED} "
            "ORDER BY signed_in_at",
            [to_db(start), to_db(end)],
        )
        for row in cursor:
            yield visit_from_row(row)

    def count_signed_in_between(self, start: datetime, end: datetime) -> int:
        """Every visit in the range, counted in the sign-in index alone, less the restricted
        ones, counted in their own small index (visits_restricted)."""
        in_range = "FROM visits WHERE signed_in_at >= :start AND signed_in_at < :end"
        return int(
            self.db.execute(
                f"SELECT (SELECT count(*) {in_range}) "
                f"- (SELECT count(*) {in_range} AND restricted_at IS NOT NULL)",
                {"start": to_db(start), "end": to_db(end)},
            ).fetchone()[0]
        )

    def count_signed_in_before(self, cutoff: datetime) -> int:
        return int(
            self.db.execute(
                "SELECT count(*) FROM visits WHERE signed_in_at < ?", [to_db(cutoff)]
            ).fetchone()[0]
        )

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM visits").fetchone()[0])
