"""The composition root of the core: paths, config, log and database, in one small place.

The command line and the Qt front end both start here. Services hold a SQLite connection,
which belongs to the thread that opened it: call `open_services()` on the thread that will
use them (the Qt front end does so on its single database worker)."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from kiosk.domain.clock import Clock, utc_now
from kiosk.maintenance.backups import Backups
from kiosk.maintenance.retention import Retention
from kiosk.printing.badges import BadgeService
from kiosk.printing.cups import BadgePrinter, make_printer
from kiosk.printing.reports import remove_old_reports
from kiosk.settings.config import Config, load_config
from kiosk.settings.logs import setup_logging
from kiosk.settings.paths import KioskPaths, resolve_paths
from kiosk.staff.audit import AuditLog
from kiosk.staff.auth import StaffAuth
from kiosk.staff.rights import RightsService
from kiosk.visits.hosts import load_hosts
from kiosk.visits.notice import Notice, render_notice
from kiosk.visits.service import VisitService
from storage.audit import AuditStore
from storage.database import connect
from storage.files import private_folder
from storage.integrity import DamagedDatabase
from storage.retention import RetentionStore
from storage.rights import RightsStore
from storage.staff_auth import StaffAuthStore
from storage.visits import VisitStore

log = logging.getLogger(__name__)


@dataclass
class Services:
    db: sqlite_utils.Database
    store: VisitStore
    visits: VisitService
    audit: AuditLog
    staff_auth: StaffAuth
    rights: RightsService
    retention: Retention

    def close(self) -> None:
        self.db.close()


class DatabaseGate:
    """The database is opened only once SQLite's check of the file (started on another
    thread when the kiosk starts) has found it sound. The first caller of ready() waits for
    that verdict: on a damaged file it raises DamagedDatabase (for every caller after it too)
    and nothing has written to the file; on a sound one it brings the schema up to date."""

    def __init__(self, path: Path, check: Future[list[str]] | None = None) -> None:
        self._path = path
        self._check = check
        self._lock = threading.Lock()
        self._ready = False
        self._damaged: DamagedDatabase | None = None

    def ready(self) -> None:
        with self._lock:
            if self._ready:
                return
            if self._damaged is None and self._check is not None:
                problems = self._check.result()
                if problems:
                    log.error("the database is damaged: %s", "; ".join(problems))
                    self._damaged = DamagedDatabase(
                        f"the database {self._path} is damaged ({problems[0]}). "
                        "The kiosk will not run on it and has not changed it. "
                        "`visitor-kiosk check` shows what SQLite found; with the kiosk "
                        "stopped, `visitor-kiosk restore` puts the newest sound backup back."
                    )
            if self._damaged is not None:
                raise self._damaged
            connect(self._path).close()
            self._ready = True


@dataclass(frozen=True)
class Kiosk:
    paths: KioskPaths
    config: Config
    hosts: tuple[str, ...]
    database: DatabaseGate = field(compare=False)
    clock: Clock = utc_now

    def notice(self, language: str) -> Notice:
        return render_notice(language, self.config)

    def backups(self) -> Backups:
        """The database's backups (kiosk.backups); opens its own connections."""
        return Backups(self.paths.data_dir, self.clock)

    def badges(self, printer: BadgePrinter | None = None) -> BadgeService:
        """Badge rendering and printing; needs no database, so any thread may own one."""
        badge = self.config.badge
        if printer is None:
            printer = make_printer(badge.printer, badge.print_timeout_s)
        return BadgeService(self.config, self.paths.badge_dir, printer)

    def maintain(self, services: Services) -> int:
        """What runs at start-up and every minute: the auto sign-out, and saved roll calls
        older than a day deleted. Returns the visits closed. (The retention cleanup runs at
        start-up and hourly, in chunks: `services.retention`.)"""
        removed = remove_old_reports(self.paths.report_dir)
        if removed:
            log.info("%d saved report(s) older than a day deleted", removed)
        at = self.config.auto_sign_out_time()
        return services.visits.auto_sign_out(at) if at is not None else 0

    def open_services(self) -> Services:
        self.database.ready()
        db = connect(self.paths.database)
        store = VisitStore(db)
        visits = VisitService(store, self.config.site.kiosk_id, self.clock)
        audit = AuditLog(AuditStore(db), self.config.site.kiosk_id, self.clock)
        return Services(
            db=db,
            store=store,
            visits=visits,
            audit=audit,
            staff_auth=StaffAuth(StaffAuthStore(db), audit, self.clock),
            rights=RightsService(RightsStore(db), audit, self.paths.badge_dir),
            retention=Retention(
                RetentionStore(db),
                audit,
                self.config.retention,
                self.paths.badge_dir,
                self.paths.report_dir,
                self.clock,
            ),
        )


def start_kiosk(
    data_dir: Path | None = None,
    config_file: Path | None = None,
    clock: Clock = utc_now,
    *,
    database_check: Future[list[str]] | None = None,
) -> Kiosk:
    """Resolve paths, read the config (ConfigError if bad), start the log and make sure the
    database exists at the current schema. With `database_check` (SQLite's check of the file,
    storage.integrity.check, running elsewhere: the kiosk's start) the database is left alone
    until `kiosk.database.ready()`, which waits for the check's verdict. The data dir is the
    kiosk's own: for its user only (0700), tightened if an older version left it wider."""
    paths = resolve_paths(data_dir, config_file)
    config = load_config(paths.config_file)
    private_folder(paths.data_dir)
    setup_logging(paths.log_dir)
    hosts_file = config.hosts_path()
    hosts = tuple(load_hosts(hosts_file)) if hosts_file else ()
    kiosk = Kiosk(
        paths=paths,
        config=config,
        hosts=hosts,
        clock=clock,
        database=DatabaseGate(paths.database, database_check),
    )
    if database_check is None:
        kiosk.database.ready()
    return kiosk
