"""Records for the SQLite store's own tests (tests/storage): one notice and a visit with
defaults, so each test names only what it is about. The raw-connection fixtures `db_path` and
`db` are in tests/storage/conftest.py."""

from __future__ import annotations

from datetime import UTC, datetime

from kiosk.domain.ports import NoticeText
from kiosk.domain.visit import NewVisit, SignOutMethod

NOTICE = NoticeText("en-0123456789ab", "en", "# The notice")
SIGNED_IN_AT = datetime(2026, 5, 13, 7, 30, tzinfo=UTC)


def new_visit(
    name: str = "Ann Smith",
    signed_in_at: datetime = SIGNED_IN_AT,
    signed_out_at: datetime | None = None,
    method: SignOutMethod | None = None,
    notice: str = NOTICE.version,
) -> NewVisit:
    return NewVisit(
        visitor_name=name,
        company="Acme",
        host="Bo Jensen",
        purpose="meeting",
        signed_in_at=signed_in_at,
        language="en",
        notice_version=notice,
        kiosk_id="lobby-1",
        signed_out_at=signed_out_at,
        sign_out_method=method,
    )
