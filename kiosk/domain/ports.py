"""What the core needs from a database, stated by the core: the ports that `storage` implements
(SQLite in `storage.sqlite`), with named records in and out, never rows by position.

A `Store` hands out `Repositories`: `transaction()` for writes that belong together (committed
together or not at all, and the commit is on disk when the block ends), `reading()` for reads
that see one consistent moment. Each thread that uses a store gets its own connection, so the
kiosk's database worker and a long export read side by side; `close()` lets go of the calling
thread's connection. Times go in and come out as timezone-aware datetimes; the engine decides
how it stores them.

Whatever a store keeps of a deleted visit must be gone from its files once `forget_deleted()`
has run (SQLite: secure_delete and an emptied write-ahead log).

A restricted visit (GDPR Art. 18, `Visit.restricted_at`) is kept, and deleted by retention and
erasure like any other, but it is for nothing else: the reads that serve access monitoring (the
on-site list and its search, the access log and its exports) leave it out. Only the reads that
say so include it: `on_site(with_restricted=True)` (the roll call, and signing the visitor
out), `get`, `by_badge` and `named` (the visitor's own requests)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Protocol, TextIO

from kiosk.domain.access_log import Progress
from kiosk.domain.audit import AuditAction, AuditEntry, AuditParams
from kiosk.domain.outbox import OutboxMessage
from kiosk.domain.visit import HostNotice, NewVisit, OnSite, SignOutMethod, Visit


@dataclass(frozen=True)
class NoticeText:
    """A rights notice as shown: stored once per version, so each visit can be matched to the
    words it was given. Holds no visitor data."""

    version: str
    language: str
    text: str


@dataclass(frozen=True)
class StaffPin:
    """The staff PIN's salted hash (never the PIN), wrong PINs in a row, and the lock's end."""

    pin_hash: str
    failed_attempts: int
    locked_until: datetime | None


@dataclass(frozen=True)
class PurgeRecord:
    """One retention cleanup that deleted something: when, under which rule, how many; never
    what."""

    at: datetime
    rule: str
    visits: int
    audit_entries: int
    files: int


class VisitRepository(Protocol):
    # -- writing ---------------------------------------------------------------------------
    def add(self, visit: NewVisit, notice: NoticeText, badge_code: str | None) -> Visit:
        """Store a visit with the notice it was shown (kept once per version) and the code
        for its badge (None: none yet, as for demo data)."""
        ...

    def add_notice(self, notice: NoticeText, first_shown_at: datetime) -> None:
        """Keep a notice's text, if this version is not kept yet."""
        ...

    def add_many(self, visits: Iterable[NewVisit]) -> int:
        """Store many visits at once (their notices already kept); returns how many."""
        ...

    def give_badge_code(self, visit_id: int, code: str) -> str | None:
        """The visit's badge code, storing `code` as that code if it has none yet; None if
        there is no such visit."""
        ...

    def replace_badge_code(self, visit_id: int, code: str) -> bool:
        """Make `code` the visit's badge code in place of the one it had (if any): the old
        code then finds no visit. False if there is no such visit. A code that is another
        visit's raises the engine's constraint error, as in `add`."""
        ...

    def close(self, visit_id: int, at: datetime, method: SignOutMethod) -> bool:
        """Sign an open visit out at `at`; False if it does not exist or is not open."""
        ...

    def close_many(self, closing: Iterable[tuple[int, datetime]], method: SignOutMethod) -> int:
        """Sign out several open visits, each at its own time; returns how many were open."""
        ...

    def correct(self, visit_id: int, field: str, value: str) -> bool:
        """Set one of `CORRECTABLE_FIELDS`, overwriting the old value; False if no such visit."""
        ...

    def set_host_notice(self, visit_id: int, notice: HostNotice) -> bool:
        """Where telling the visit's host stands now; False if there is no such visit."""
        ...

    def restrict(self, visit_ids: Iterable[int], at: datetime) -> list[int]:
        """Restrict the processing of these visits from `at` (Art. 18); one already restricted
        keeps its date. Returns the ids of those restricted now, ascending (not those already
        restricted, nor those not stored)."""
        ...

    def record_objection(self, visit_ids: Iterable[int], at: datetime) -> list[int]:
        """Mark these visits with an objection (Art. 21) received at `at`, and restrict them
        (from `at`, unless they are restricted already) until it is decided. One already
        marked keeps its date. Returns the ids of those marked now, ascending."""
        ...

    def lift_restriction(self, visit_ids: Iterable[int]) -> list[int]:
        """End the restriction of these visits, and with it any objection mark (the objection is
        decided). Returns the ids of those that were restricted, ascending."""
        ...

    def delete(self, visit_ids: Iterable[int]) -> int:
        """Delete visits for real, with their badge codes, audit links and unsent messages;
        returns how many."""
        ...

    def delete_signed_in_before(self, cutoff: datetime, limit: int) -> list[int]:
        """Delete up to `limit` of the oldest visits that signed in before `cutoff`; their ids."""
        ...

    # -- reading ---------------------------------------------------------------------------
    def get(self, visit_id: int) -> Visit | None: ...

    def notice_text(self, version: str) -> str | None:
        """The words of a notice version, as kept when it was first shown."""
        ...

    def by_badge(self, code: str) -> Visit | None:
        """The visit whose badge carries `code` (open or not)."""
        ...

    def badge_code(self, visit_id: int) -> str | None: ...

    def on_site(
        self, signed_in_before: datetime | None = None, *, with_restricted: bool = False
    ) -> list[Visit]:
        """Open visits, earliest arrival first; optionally only those that began before a time.
        Restricted visits only `with_restricted` (the roll call, and signing visitors out)."""
        ...

    def search_on_site(self, words: Sequence[str], limit: int) -> list[OnSite]:
        """Open visits that are not restricted, earliest first, at most `limit`, whose
        casefolded name, company or host holds every one of `words` (already casefolded). Runs
        on every keystroke."""
        ...

    def named(self, name_casefolded: str, *, on_site: bool = False) -> list[Visit]:
        """Every visit, past or present (only the open ones `on_site`), restricted or not,
        whose casefolded name is exactly this; oldest first. `on_site` runs as a visitor
        signs out by name and costs what the open visits cost, however many are stored."""
        ...

    def existing(self, visit_ids: Iterable[int]) -> list[int]:
        """Those of `visit_ids` that are stored, ascending."""
        ...

    def kept(self, visit_ids: Sequence[int], cutoff: datetime) -> set[int]:
        """Those of `visit_ids` that are stored and signed in at or after `cutoff`."""
        ...

    def signed_in_between(self, start: datetime, end: datetime) -> Iterator[Visit]:
        """The access log: visits with start <= signed_in_at < end that are not restricted,
        oldest first, streamed."""
        ...

    def count_signed_in_between(self, start: datetime, end: datetime) -> int:
        """How many `signed_in_between` gives."""
        ...

    def count_signed_in_before(self, cutoff: datetime) -> int: ...

    def count(self) -> int: ...


class AuditRepository(Protocol):
    def add(
        self,
        at: datetime,
        action: AuditAction,
        detail: str,
        visit_ids: Iterable[int],
        kiosk_id: str,
        params: AuditParams | None = None,
    ) -> int:
        """One entry, linked to those of `visit_ids` that exist; returns its id."""
        ...

    def entries(self, limit: int | None = None) -> list[AuditEntry]:
        """The newest entries first."""
        ...

    def between(self, start: datetime, end: datetime) -> Iterator[AuditEntry]:
        """Entries with start <= at < end, oldest first, streamed."""
        ...

    def count_before(self, at: datetime) -> int: ...

    def delete_before(self, at: datetime) -> int: ...


class StaffAuthRepository(Protocol):
    def get(self) -> StaffPin | None:
        """None while no PIN was ever set."""
        ...

    def set_pin_hash(self, pin_hash: str) -> None:
        """A new PIN: its hash replaces the old one; failures and any lock are forgotten."""
        ...

    def record_failure(self, lock_at: int, locked_until: datetime) -> int:
        """One more wrong PIN; when the count reaches `lock_at`, staff login is locked until
        `locked_until`. One statement: wrong PINs at two kiosks at once both count, and a lock
        one of them set stays. Returns the new count."""
        ...

    def record_success(self) -> None:
        """Failures and any lock forgotten."""
        ...

    def set_locked_until(self, locked_until: datetime) -> None:
        """Move the end of the current lock (never starts one)."""
        ...


class LeaseRepository(Protocol):
    """Which kiosk does a site's upkeep (the retention cleanup, the auto sign-out): on a
    shared database the others skip it while the holder's lease runs."""

    def claim(self, job: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take or renew `job` for `holder` until `until`: True if it is free (never held,
        run out at `now`) or already `holder`'s, else False and nothing changes."""
        ...


class PurgeRepository(Protocol):
    def record(self, purge: PurgeRecord) -> None: ...

    def records(self) -> list[PurgeRecord]:
        """Oldest first."""
        ...


class OutboxRepository(Protocol):
    """Messages waiting to be handed to a server (`kiosk.domain.outbox`). Each goes with its
    visit when the visit is deleted."""

    def add(self, message: OutboxMessage) -> None: ...

    def get(self, message_id: str) -> OutboxMessage | None: ...

    def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Up to `limit` messages whose next try is at or before `now`, the earliest first."""
        ...

    def claim(self, now: datetime, until: datetime, claimer: str) -> OutboxMessage | None:
        """The earliest message due at `now`, taken by `claimer` (a kiosk's id) until `until`:
        its next try is moved there, so no other sender (another kiosk's, on a shared
        database) takes it meanwhile; None if none is due. The claim holds once the caller's
        transaction commits, and lapses at `until` if the sender never reports back."""
        ...

    def release(self, claimer: str, now: datetime) -> int:
        """Make the messages `claimer` took due at `now` again (a kiosk that starts has none in
        hand: those it held when it stopped are tried again at once); returns how many."""
        ...

    def next_try_at(self) -> datetime | None:
        """When the earliest message is due; None if the outbox is empty."""
        ...

    def retry_later(
        self, message_id: str, attempts: int, next_try_at: datetime, last_error: str
    ) -> bool:
        """Record a failed try; False if the message is gone (sent, or its visit deleted)."""
        ...

    def remove(self, message_id: str) -> bool:
        """Delete a message that was sent or given up; False if it was already gone."""
        ...

    def count(self) -> int: ...


class Repositories(Protocol):
    """What one transaction (or one consistent read) sees."""

    @property
    def visits(self) -> VisitRepository: ...

    @property
    def audit(self) -> AuditRepository: ...

    @property
    def staff_auth(self) -> StaffAuthRepository: ...

    @property
    def purges(self) -> PurgeRepository: ...

    @property
    def leases(self) -> LeaseRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...


class Store(Protocol):
    """The database, for the calling thread."""

    # The tables that hold visitors' personal data; each row of them goes with its visit.
    personal_tables: tuple[str, ...]
    # Visits a cleanup run on its own (`visitor-kiosk purge`) deletes per transaction: as few
    # as a running kiosk's sign-in may wait behind (SQLite: one writer at a time), or many
    # where the engine locks rows, not the database (PostgreSQL).
    purge_chunk: int

    def transaction(self) -> AbstractContextManager[Repositories]:
        """Writes that belong together: all committed (durably) when the block ends, or none
        if it raises. Inside another transaction, a part of it that can fail on its own."""
        ...

    def reading(self) -> AbstractContextManager[Repositories]:
        """Reads that see one consistent moment; holds up no writer."""
        ...

    def export_csv(
        self,
        start: datetime,
        end: datetime,
        out: TextIO,
        progress: Progress | None = None,
        processes: int = 1,
    ) -> int:
        """The visits `signed_in_between` gives (not restricted) as the access log's CSV
        (`kiosk.domain.access_log`), header included, written to `out`; returns how many. An
        engine may build it faster itself (up to `processes` processes when no `progress` is
        asked for); the bytes are the same as `access_log.write_csv` would write."""
        ...

    def export_xlsx(
        self,
        start: datetime,
        end: datetime,
        out: IO[bytes],
        progress: Progress | None = None,
        processes: int = 1,
    ) -> int:
        """The same visits as the access log's workbook (`kiosk.domain.workbook`), written to
        `out` front to back (it need not seek); returns how many. WorkbookTooLarge, before
        anything is written, if they do not fit one sheet. As with export_csv, an engine may
        build it faster itself; the sheet's XML and the other parts are the bytes
        `workbook.write_xlsx` writes, whatever the ZIP around them."""
        ...

    def forget_deleted(self) -> bool:
        """Make what was deleted or overwritten unreadable in the engine's files; False if it
        could not all be done now (the next call finishes it)."""
        ...

    def close(self) -> None:
        """Let go of the calling thread's connection (the next use opens a fresh one)."""
        ...

    def ready(self) -> None:
        """Return once the database can be used (created or upgraded); StorageError if not."""
        ...

    def watch(self, changed: Callable[[], None]) -> Callable[[], None]:
        """Call `changed()`, on a thread of the store's, whenever other kiosks on a shared
        database may have changed the visits (and once after a lost connection is back);
        returns the function that stops watching."""
        ...

    def local_files(self) -> list[Path]:
        """The files on this machine that hold the database (none for a database server)."""
        ...


# -- every place that holds visitors' personal data --------------------------------------------


@dataclass(frozen=True)
class Expiry:
    """What the retention rules say has expired, at one moment."""

    now: datetime
    visits_before: datetime  # visits that signed in before this are past retention
    audit_before: datetime  # audit entries made before this are past theirs
    # Of these visit ids, those still stored and not expired (a file whose visit is gone goes).
    kept_visits: Callable[[Sequence[int]], set[int]]


@dataclass(frozen=True)
class Erasure:
    """Visits erased on request (Art. 17), already deleted from the database."""

    visit_ids: tuple[int, ...]
    earliest_sign_in: datetime  # a record made before this cannot hold them


class PersonalDataHolder(Protocol):
    """One place outside the database's live tables where visitors' personal data is kept (the
    badge PDFs, the saved roll calls, the backups). Retention expires it, an erasure erases
    from it, and the tests read every byte of its locations."""

    name: str

    def locations(self) -> list[Path]:
        """The folders and files where its bytes lie."""
        ...

    def expire(self, expiry: Expiry, dry_run: bool = False) -> int:
        """Delete what is past retention, and what an interrupted write left; returns how many
        files were deleted (with `dry_run`: would be, and nothing changes)."""
        ...

    def erase(self, erasure: Erasure) -> int:
        """Delete everything of these visits; returns how many files changed or went."""
        ...


class Backups(Protocol):
    """Copies of the database that the kiosk keeps itself (SQLite: a file a day in the data
    dir); a holder of personal data too."""

    def make_if_due(self) -> Path | None:
        """A new copy if the newest is old enough; the file made, if any."""
        ...


@dataclass(frozen=True)
class PersonalData:
    """Every holder of visitors' personal data: the database (its files, and the tables that
    hold visitor data, all deleted with their visit) and the holders beside it. Retention,
    erasure, backups and the byte-level deletion tests all read this one list, so a new holder
    cannot be forgotten by one of them."""

    database: list[Path]
    tables: tuple[str, ...]
    holders: tuple[PersonalDataHolder, ...]

    def locations(self) -> list[Path]:
        return [*self.database, *(path for h in self.holders for path in h.locations())]

    def expire(self, expiry: Expiry, dry_run: bool = False) -> int:
        return sum(holder.expire(expiry, dry_run) for holder in self.holders)

    def erase(self, erasure: Erasure) -> int:
        return sum(holder.erase(erasure) for holder in self.holders)
