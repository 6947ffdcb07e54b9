"""The composition root: from a data dir and a config file to the kiosk's core, assembled.

This is the one place that knows every part: it reads the settings, starts the log, opens the
database (SQLite in the data dir), makes the list of everything that holds visitors' personal
data, builds each operation with what it uses, and wires the subscribers of the core's events
(badge printing and the outbox's sender listen for `visit_signed_in`). Front ends take from
the `Core` the parts each of their pieces uses and pass those on, never the Core itself; the
command line's commands do the same."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from kiosk.domain.clock import Clock, utc_now
from kiosk.domain.events import Events
from kiosk.domain.ports import Backups, PersonalData, Store
from kiosk.export.visits import Exports
from kiosk.maintenance.retention import Retention
from kiosk.notify.plan import WhoIsTold
from kiosk.notify.sender import Sender
from kiosk.printing.badges import BadgeFiles, BadgePrinting
from kiosk.printing.cups import ROLL_CALL_TITLE, BadgePrinter, make_printer
from kiosk.printing.reports import REPORT_PRINT_TIMEOUT_S, SavedReports
from kiosk.settings.config import Config, load_config, with_environment
from kiosk.settings.files import private_folder, tighten_tree
from kiosk.settings.logs import setup_logging
from kiosk.settings.paths import KioskPaths, resolve_paths
from kiosk.staff.audit import AuditLog
from kiosk.staff.auth import StaffAuth
from kiosk.staff.reception import Reception
from kiosk.staff.rights import RightsRequests
from kiosk.staff.roll_call import RollCall
from kiosk.visits.hosts import read_hosts
from kiosk.visits.notice import Notices, who_sees_it
from kiosk.visits.service import Visits
from storage.sqlite.backups import SqliteBackups
from storage.sqlite.store import SqliteStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Core:
    """The kiosk's core, assembled by `assemble()`."""

    paths: KioskPaths
    config: Config
    clock: Clock
    hosts: tuple[str, ...]
    store: Store
    events: Events
    notices: Notices
    visits: Visits
    badges: BadgePrinting
    audit: AuditLog
    staff_auth: StaffAuth
    reception: Reception
    rights: RightsRequests
    roll_call: RollCall
    exports: Exports
    retention: Retention
    sender: Sender
    backups: Backups
    personal_data: PersonalData
    _closers: tuple[Callable[[], None], ...] = field(default=(), repr=False)
    _watching: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def watch_visits(self, changed: Callable[[], None]) -> None:
        """Have `changed()` called (on a thread of the store's) when other kiosks on a shared
        database change the visits: a front end's live on-site list. Stopped by `close()`."""
        self._watching.append(self.store.watch(changed))

    def close(self) -> None:
        """Stop watching other kiosks, stop the outbox's sender (what it has not sent waits
        for the next start), deliver what the events still hold (a badge being printed), stop
        their threads and the printers' helpers, and let go of this thread's database
        connection."""
        while self._watching:
            self._watching.pop()()
        for close in self._closers:
            close()


def read_settings(
    data_dir: Path | None = None, config_file: Path | None = None
) -> tuple[KioskPaths, Config]:
    """The paths and the checked config (ConfigError if bad); nothing is opened or written."""
    paths = resolve_paths(data_dir, config_file)
    return paths, with_environment(load_config(paths.config_file), os.environ)


def assemble(
    data_dir: Path | None = None,
    config_file: Path | None = None,
    clock: Clock = utc_now,
    *,
    database_check: Future[list[str]] | None = None,
    badge_printer: BadgePrinter | None = None,
) -> Core:
    """Read the settings (ConfigError if bad), start the log and build the core. The data dir
    is the kiosk's own: for its user only (0700), tightened if an older version left it wider.

    With `database_check` (SQLite's check of the file, running elsewhere: the kiosk's start)
    the database is left alone until its first use, which waits for the check's verdict;
    without it, the database is created or upgraded now."""
    paths, config = read_settings(data_dir, config_file)
    private_folder(paths.data_dir)
    setup_logging(paths.log_dir)
    hosts_file = config.hosts_path()
    hosts = read_hosts(hosts_file) if hosts_file else []

    store: Store
    backups: Backups
    if config.database.shared:
        # Loaded only for a site on PostgreSQL: a single kiosk never loads psycopg.
        from storage.postgres.backups import ServerBackups
        from storage.postgres.store import PostgresStore

        store = PostgresStore(config.database.url)
        store.ready()
        backups = ServerBackups()
    else:
        store = SqliteStore(paths.database, database_check)
        if database_check is None:
            store.ready()
        backups = SqliteBackups(paths.database, clock)
    events = Events()
    badge_files = BadgeFiles(paths.badge_dir)
    saved_reports = SavedReports(paths.report_dir)
    personal_data = PersonalData(
        database=store.local_files(),
        tables=store.personal_tables,
        holders=(badge_files, saved_reports, backups),
    )
    for location in personal_data.locations():
        tighten_tree(location)  # an older version may have left one readable by others
    if badge_printer is None:
        badge_printer = make_printer(config.badge.printer, config.badge.print_timeout_s)
    report_printer = make_printer(config.staff.printer, REPORT_PRINT_TIMEOUT_S, ROLL_CALL_TITLE)

    kiosk_id = config.site.kiosk_id
    audit = AuditLog(store, kiosk_id, clock)
    badges = BadgePrinting(config, badge_files, badge_printer, events.badge_printed)
    events.visit_signed_in.subscribe("badge-printing", badges.on_visit_signed_in)
    # The outbox's messages are written with each visit; its sender runs in the kiosk's
    # front end (`Sender.start`) and looks at the outbox on every sign-in.
    sender = Sender(store, config, events.host_told, clock)
    if config.notify.on:
        events.visit_signed_in.subscribe("outbox", sender.wake)
    return Core(
        paths=paths,
        config=config,
        clock=clock,
        hosts=tuple(host.name for host in hosts),
        store=store,
        events=events,
        notices=Notices(config),
        visits=Visits(
            store,
            events.visit_signed_in,
            kiosk_id,
            auto_sign_out_at=config.auto_sign_out_time(),
            clock=clock,
            notifications=WhoIsTold(config, hosts, clock),
        ),
        badges=badges,
        audit=audit,
        staff_auth=StaffAuth(store, audit, clock),
        reception=Reception(store, audit, clock),
        rights=RightsRequests(
            store,
            audit,
            personal_data,
            controller=config.site.controller,
            retention_days=config.retention.visit_days,
            who_sees_it=partial(who_sees_it, config),
            default_language=config.default_language,
            clock=clock,
        ),
        roll_call=RollCall(
            store,
            audit,
            config.site_name,
            saved_reports,
            report_printer,
            clock,
            default_language=config.default_language,
        ),
        exports=Exports(store, audit),
        retention=Retention(store, personal_data, config.retention, clock, kiosk_id=kiosk_id),
        sender=sender,
        backups=backups,
        personal_data=personal_data,
        _closers=(
            sender.close,
            events.close,
            badge_printer.close,
            report_printer.close,
            store.close,
        ),
    )
