"""The visit log in PostgreSQL: the `VisitRepository` of `kiosk.domain.ports`, with the same
results as the SQLite one (the shared store suite holds them together).

`search_text` and `name_folded` are Python's casefold of the visit's own values, written with
them (PostgreSQL's `lower()` is not a case fold: "Straße" must find "STRASSE"), so the search
and the rights request's exact-name lookup compare what SQLite's `kiosk_casefold` gives.

A restricted visit (`restricted_at` set) is left out of the on-site list, its search and the
access log, as on SQLite."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import psycopg

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

VISIT_COLUMNS = EXPORT_COLUMNS
_NEW_VISIT_COLUMNS = (*VISIT_COLUMNS[1:], "search_text", "name_folded")
READ_COLUMNS = (*VISIT_COLUMNS, "restricted_at", "objection_at")
_SELECT = f"SELECT {', '.join(READ_COLUMNS)} FROM visits"
NOT_RESTRICTED = "restricted_at IS NULL"
_INSERT = (
    f"INSERT INTO visits ({', '.join(_NEW_VISIT_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(_NEW_VISIT_COLUMNS))})"
)
_ON_SITE_COLUMNS = ("visit_id", "visitor_name", "company", "host", "signed_in_at", "host_notice")
_SEARCHED = ("visitor_name", "company", "host")


def search_text(visitor_name: str, company: str, host: str) -> str:
    """What staff search: as SQLite's `kiosk_casefold(name || char(10) || company ...)`."""
    return f"{visitor_name}\n{company}\n{host}".casefold()


def visit_from_row(row: Sequence[Any]) -> Visit:
    """A row in `READ_COLUMNS` order as a Visit."""
    return Visit(
        visit_id=row[0],
        visitor_name=row[1],
        company=row[2],
        host=row[3],
        purpose=row[4],
        signed_in_at=row[5],
        signed_out_at=row[6],
        sign_out_method=SignOutMethod(row[7]) if row[7] else None,
        language=row[8],
        notice_version=row[9],
        kiosk_id=row[10],
        restricted_at=row[11],
        objection_at=row[12],
    )


def _values(visit: NewVisit) -> tuple[Any, ...]:
    """A new visit's values in the order of `_NEW_VISIT_COLUMNS`."""
    return (
        visit.visitor_name,
        visit.company,
        visit.host,
        visit.purpose,
        visit.signed_in_at,
        visit.signed_out_at,
        None if visit.sign_out_method is None else visit.sign_out_method.value,
        visit.language,
        visit.notice_version,
        visit.kiosk_id,
        search_text(visit.visitor_name, visit.company, visit.host),
        visit.visitor_name.casefold(),
    )


def _ids(visit_ids: Iterable[int]) -> list[int]:
    return sorted({int(visit_id) for visit_id in visit_ids})


class PostgresVisits:
    """Reads and writes visits on one connection (and so on one thread). Writes join the
    caller's transaction (`PostgresStore.transaction`)."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    # -- writing ---------------------------------------------------------------------------
    def add(self, visit: NewVisit, notice: NoticeText, badge_code: str | None) -> Visit:
        """One statement, one round trip to the server: the notice's text (if new), the visit,
        its badge code, and the visit as stored."""
        badge = (
            ", badge AS (INSERT INTO badges (visit_id, token) SELECT visit_id, %s FROM visit)"
            if badge_code is not None
            else ""
        )
        row = self.conn.execute(
            "WITH notice AS (INSERT INTO notices (notice_version, language, text, "
            "first_shown_at) VALUES (%s, %s, %s, %s) ON CONFLICT (notice_version) DO NOTHING), "
            f"visit AS ({_INSERT} RETURNING {', '.join(READ_COLUMNS)}){badge} "
            f"SELECT {', '.join(READ_COLUMNS)} FROM visit",
            [
                notice.version,
                notice.language,
                notice.text,
                visit.signed_in_at,
                *_values(visit),
                *([] if badge_code is None else [badge_code]),
            ],
        ).fetchone()
        assert row is not None
        return visit_from_row(row)

    def add_notice(self, notice: NoticeText, first_shown_at: datetime) -> None:
        self.conn.execute(
            "INSERT INTO notices (notice_version, language, text, first_shown_at) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (notice_version) DO NOTHING",
            [notice.version, notice.language, notice.text, first_shown_at],
        )

    def add_many(self, visits: Iterable[NewVisit]) -> int:
        """COPY: a million demo visits in seconds, not minutes."""
        count = 0
        with self.conn.cursor() as cursor:
            copy_sql = f"COPY visits ({', '.join(_NEW_VISIT_COLUMNS)}) FROM STDIN"
            with cursor.copy(copy_sql) as copy:
                for visit in visits:
                    copy.write_row(_values(visit))
                    count += 1
        return count

    def give_badge_code(self, visit_id: int, code: str) -> str | None:
        # ON CONFLICT on the visit only: a code that is another visit's must raise.
        self.conn.execute(
            "INSERT INTO badges (visit_id, token) SELECT visit_id, %s FROM visits "
            "WHERE visit_id = %s ON CONFLICT (visit_id) DO NOTHING",
            [code, visit_id],
        )
        return self.badge_code(visit_id)

    def replace_badge_code(self, visit_id: int, code: str) -> bool:
        cursor = self.conn.execute(
            "INSERT INTO badges (visit_id, token) SELECT visit_id, %s FROM visits "
            "WHERE visit_id = %s ON CONFLICT (visit_id) DO UPDATE SET token = excluded.token",
            [code, visit_id],
        )
        return cursor.rowcount == 1

    def close(self, visit_id: int, at: datetime, method: SignOutMethod) -> bool:
        cursor = self.conn.execute(
            "UPDATE visits SET signed_out_at = %s, sign_out_method = %s "
            "WHERE visit_id = %s AND signed_out_at IS NULL",
            [at, method.value, visit_id],
        )
        return cursor.rowcount == 1

    def close_many(self, closing: Iterable[tuple[int, datetime]], method: SignOutMethod) -> int:
        closed = 0
        for visit_id, at in closing:
            closed += self.close(visit_id, at, method)
        return closed

    def correct(self, visit_id: int, field: str, value: str) -> bool:
        if field not in CORRECTABLE_FIELDS:
            raise ValueError(f"not a field that can be corrected: {field!r}")
        row = self.conn.execute(
            "SELECT visitor_name, company, host FROM visits WHERE visit_id = %s FOR UPDATE",
            [visit_id],
        ).fetchone()
        if row is None:
            return False
        values = dict(zip(_SEARCHED, row, strict=True))
        values[field] = value
        # One fixed statement per field: the column name never comes from the caller.
        cursor = self.conn.execute(
            f"UPDATE visits SET {_COLUMN[field]} = %s, search_text = %s, name_folded = %s "
            "WHERE visit_id = %s",
            [
                value,
                search_text(values["visitor_name"], values["company"], values["host"]),
                values["visitor_name"].casefold(),
                visit_id,
            ],
        )
        return cursor.rowcount == 1

    def set_host_notice(self, visit_id: int, notice: HostNotice) -> bool:
        cursor = self.conn.execute(
            "UPDATE visits SET host_notice = %s WHERE visit_id = %s", [notice.value, visit_id]
        )
        return cursor.rowcount == 1

    def restrict(self, visit_ids: Iterable[int], at: datetime) -> list[int]:
        return self._update_where(
            visit_ids, "restricted_at IS NULL", "restricted_at = %(at)s", {"at": at}
        )

    def record_objection(self, visit_ids: Iterable[int], at: datetime) -> list[int]:
        return self._update_where(
            visit_ids,
            "objection_at IS NULL",
            "objection_at = %(at)s, restricted_at = coalesce(restricted_at, %(at)s)",
            {"at": at},
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
        """Set `assignments` on those of `visit_ids` that meet `where`; their ids, ascending."""
        cursor = self.conn.execute(
            f"UPDATE visits SET {assignments} "
            f"WHERE visit_id = ANY(%(ids)s) AND {where} RETURNING visit_id",
            {**(values or {}), "ids": _ids(visit_ids)},
        )
        return sorted(int(row[0]) for row in cursor)

    def delete(self, visit_ids: Iterable[int]) -> int:
        """Badge codes, audit links and unsent messages go with the visits (ON DELETE
        CASCADE)."""
        cursor = self.conn.execute("DELETE FROM visits WHERE visit_id = ANY(%s)", [_ids(visit_ids)])
        return int(cursor.rowcount)

    def delete_signed_in_before(self, cutoff: datetime, limit: int) -> list[int]:
        cursor = self.conn.execute(
            "DELETE FROM visits WHERE visit_id IN (SELECT visit_id FROM visits "
            "WHERE signed_in_at < %s ORDER BY signed_in_at LIMIT %s) RETURNING visit_id",
            [cutoff, limit],
        )
        return sorted(int(row[0]) for row in cursor)

    # -- reading ---------------------------------------------------------------------------
    def get(self, visit_id: int) -> Visit | None:
        row = self.conn.execute(f"{_SELECT} WHERE visit_id = %s", [visit_id]).fetchone()
        return None if row is None else visit_from_row(row)

    def notice_text(self, version: str) -> str | None:
        row = self.conn.execute(
            "SELECT text FROM notices WHERE notice_version = %s", [version]
        ).fetchone()
        return None if row is None else str(row[0])

    def by_badge(self, code: str) -> Visit | None:
        row = self.conn.execute(
            f"{_SELECT} WHERE visit_id = (SELECT visit_id FROM badges WHERE token = %s)", [code]
        ).fetchone()
        return None if row is None else visit_from_row(row)

    def badge_code(self, visit_id: int) -> str | None:
        row = self.conn.execute(
            "SELECT token FROM badges WHERE visit_id = %s", [visit_id]
        ).fetchone()
        return None if row is None else str(row[0])

    def on_site(
        self, signed_in_before: datetime | None = None, *, with_restricted: bool = False
    ) -> list[Visit]:
        where = "signed_out_at IS NULL"
        if not with_restricted:
            where += f" AND {NOT_RESTRICTED}"
        params: list[Any] = []
        if signed_in_before is not None:
            where += " AND signed_in_at < %s"
            params.append(signed_in_before)
        cursor = self.conn.execute(
            f"{_SELECT} WHERE {where} ORDER BY signed_in_at, visit_id", params
        )
        return [visit_from_row(row) for row in cursor]

    def search_on_site(self, words: Sequence[str], limit: int) -> list[OnSite]:
        where = " AND strpos(search_text, %s) > 0" * len(words)
        cursor = self.conn.execute(
            f"SELECT {', '.join(_ON_SITE_COLUMNS)} FROM visits "
            f"WHERE signed_out_at IS NULL AND {NOT_RESTRICTED}{where} "
            "ORDER BY signed_in_at, visit_id LIMIT %s",
            [*words, limit],
        )
        return [
            OnSite(row[0], row[1], row[2], row[3], row[4], HostNotice(row[5]) if row[5] else None)
            for row in cursor
        ]

    def named(self, name_casefolded: str, *, on_site: bool = False) -> list[Visit]:
        if not name_casefolded:
            return []
        # Open visits only: through the partial index visits_on_site.
        where = "name_folded = %s AND signed_out_at IS NULL" if on_site else "name_folded = %s"
        cursor = self.conn.execute(
            f"{_SELECT} WHERE {where} ORDER BY signed_in_at, visit_id", [name_casefolded]
        )
        return [visit_from_row(row) for row in cursor]

    def existing(self, visit_ids: Iterable[int]) -> list[int]:
        cursor = self.conn.execute(
            "SELECT visit_id FROM visits WHERE visit_id = ANY(%s) ORDER BY visit_id",
            [_ids(visit_ids)],
        )
        return [int(row[0]) for row in cursor]

    def kept(self, visit_ids: Sequence[int], cutoff: datetime) -> set[int]:
        if not visit_ids:
            return set()
        cursor = self.conn.execute(
            "SELECT visit_id FROM visits WHERE signed_in_at >= %s AND visit_id = ANY(%s)",
            [cutoff, _ids(visit_ids)],
        )
        return {int(row[0]) for row in cursor}

    def signed_in_between(self, start: datetime, end: datetime) -> Iterator[Visit]:
        """Streamed from a server-side cursor, so a million visits never sit in memory (it
        needs the caller's transaction: `PostgresStore.reading`)."""
        with self.conn.cursor(name="kiosk_signed_in_between") as cursor:
            cursor.itersize = 2000
            cursor.execute(
                f"{_SELECT} WHERE signed_in_at >= %s AND signed_in_at < %s "
                f"AND {NOT_RESTRICTED} ORDER BY signed_in_at, visit_id",
                [start, end],
            )
            for row in cursor:
                yield visit_from_row(row)

    def count_signed_in_between(self, start: datetime, end: datetime) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM visits WHERE signed_in_at >= %s AND signed_in_at < %s "
            f"AND {NOT_RESTRICTED}",
            [start, end],
        ).fetchone()
        return int(row[0]) if row else 0

    def count_signed_in_before(self, cutoff: datetime) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM visits WHERE signed_in_at < %s", [cutoff]
        ).fetchone()
        return int(row[0]) if row else 0

    def count(self) -> int:
        row = self.conn.execute("SELECT count(*) FROM visits").fetchone()
        return int(row[0]) if row else 0


# The corrected field's column, from a fixed list (never the caller's text).
_COLUMN = {field: field for field in CORRECTABLE_FIELDS}
