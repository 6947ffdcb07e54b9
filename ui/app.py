"""The Qt composition root: from a data dir and a config file to the wired kiosk window.

The core is assembled by `kiosk.bootstrap`; here each Qt piece gets the parts of it that it
uses: the window the visitor session and what its screens show, the visitor flow the visit
operations, the staff controllers the staff operations, the upkeep the retention cleanup.
The workers (database, export, upkeep, print) are made here and stopped with the window."""

from __future__ import annotations

import math
import re
from pathlib import Path

from PySide6.QtCore import QDir, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QTableView, QWidget

from kiosk.bootstrap import Core, assemble
from kiosk.domain.errors import FrontendUnavailable
from kiosk.printing.badges import prepare as prepare_badges
from kiosk.settings.assets import asset_path
from kiosk.settings.config import Config
from ui.export_controller import ExportController
from ui.keyboard import keyboard_problem, use_on_screen_keyboard
from ui.live_list import LiveList
from ui.main_window import KioskWindow
from ui.maintenance import Maintenance
from ui.models import TABLE_ROW
from ui.rights_controller import RightsController
from ui.session import Screen, VisitorSession
from ui.staff_controller import StaffController
from ui.tasks import DbWorker, ScreenCatchUp, Worker
from ui.visitor_flow import VisitorFlow
from ui.window_parts import WindowLifetime

STYLESHEET = "style.qss"
# The badge libraries and fonts load this long after the window is built.
PREPARE_BADGES_AFTER_MS = 500


def create_main_window(data_dir: Path | str, config_path: Path | str | None = None) -> KioskWindow:
    """The fully wired kiosk window, not yet shown, without starting an event loop.

    Needs a QApplication. Raises ConfigError for a bad config file."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("create a QApplication before the kiosk window")
    core = assemble(Path(data_dir), Path(config_path) if config_path else None)
    return build_window(app, core)


def build_window(app: QApplication, core: Core) -> KioskWindow:
    config = core.config
    # The work the core's events cause (a badge to render) waits until the screen has shown
    # what the operation returned (the confirmation), so it never slows that screen.
    core.events.hold_for(ScreenCatchUp())
    session = VisitorSession(config.default_language)
    window = KioskWindow(
        session,
        site_names={language: config.site_name(language) for language in config.kiosk.languages},
        languages=config.kiosk.languages,
        hosts=core.hosts,
        notices=core.notices,
        idle_timeout_s=config.kiosk.idle_timeout_s,
        done_timeout_s=config.kiosk.done_timeout_s,
        staff_timeout_s=config.staff.session_timeout_s,
    )
    # The workers are not Qt children of the window: they stop, on their own threads'
    # terms, when the window is shut down or destroyed (WindowLifetime).
    window.worker = worker = DbWorker(core.store)
    window.exporter = exporter = DbWorker(core.store, "kiosk-export")
    window.upkeep = upkeep = DbWorker(core.store, "kiosk-upkeep")
    window.printer = printer = Worker("kiosk-print")

    window.flow = VisitorFlow(
        session,
        welcome=window.welcome,
        notice=window.notice,
        details=window.details,
        done=window.done,
        sign_out=window.sign_out,
        visits=core.visits,
        notices=core.notices,
        languages=config.kiosk.languages,
        badge_printed=core.events.badge_printed,
        host_told=core.events.host_told,
        worker=worker,
    )
    window.staff_controller = staff = StaffController(
        session,
        login=window.staff_login,
        screen=window.staff,
        staff_auth=core.staff_auth,
        reception=core.reception,
        visits=core.visits,
        roll_call=core.roll_call,
        audit=core.audit,
        badges=core.badges,
        worker=worker,
        printer=printer,
        quit_kiosk=window.quit_kiosk,
    )
    window.rights_controller = RightsController(session, window.staff, core.rights, worker, printer)
    window.export_controller = exports = ExportController(
        session, window.staff, core.exports, exporter
    )
    window.welcome.staff_requested.connect(staff.start_login)
    window.staff_timer.timeout.connect(staff.end_session)
    window.staff.export_requested.connect(lambda: exports.open("visits"))
    window.staff.audit.export_requested.connect(lambda: exports.open("audit"))
    flow = window.flow

    def scanned(typed: str) -> None:
        # At the staff screen a badge handed back is a staff sign-out; elsewhere the visitor's.
        if session.screen is Screen.STAFF:
            staff.sign_out_badge(typed)
        else:
            flow.on_scanned(typed)

    window.scanner.scanned.connect(scanned)

    # Other kiosks on a shared database: their sign-ins and sign-outs show in this kiosk's
    # on-site list within a second (ui/live_list.py).
    window.live_list = live = LiveList(
        staff.refresh,
        lambda: (
            session.screen is Screen.STAFF
            and window.staff.tabs.currentWidget() is window.staff.on_site
        ),
        window,
    )
    core.watch_visits(live.changed)
    window.on_shutdown(live.stop)
    live.start()

    window.maintenance = maintenance = Maintenance(
        worker,
        upkeep,
        auto_sign_out=core.visits.auto_sign_out,
        retention=core.retention,
        backups=core.backups,
    )
    # The badge libraries and fonts load once the welcome screen is up, not before it.
    window.prepare_timer = QTimer(window)
    window.prepare_timer.setObjectName("prepareBadgesTimer")
    window.prepare_timer.setSingleShot(True)
    window.prepare_timer.setInterval(PREPARE_BADGES_AFTER_MS)
    window.prepare_timer.timeout.connect(lambda: printer.run_quietly(prepare_badges))
    window.on_shutdown(window.prepare_timer.stop)
    lifetime = WindowLifetime(
        window, maintenance, (worker, exporter, upkeep, printer), window.activity, core.close
    )
    window.on_shutdown(lifetime.stop)
    maintenance.start()
    core.sender.start()
    window.prepare_timer.start()

    # The stylesheet comes last: set first, every widget added to the tree while the window
    # is built would have its style worked out again (about 80 ms of the start-up).
    apply_stylesheet(app)
    window.style_scaler = StyleScaler(app, window)
    return window


def apply_stylesheet(app: QApplication, scale: float = 1.0) -> None:
    # The stylesheet names its pictures "icons:<file>" (assets/icons, package data).
    QDir.addSearchPath("icons", str(asset_path("icons")))
    app.setStyleSheet(scaled_stylesheet(asset_path(STYLESHEET).read_text(encoding="utf-8"), scale))


# The stylesheet's sizes (text, targets, padding) are made for this screen; a larger one gets
# them larger, up to MAX_SCALE, so a 1920x1080 kiosk is read and touched as easily from the
# same distance instead of showing the same layout floating in empty space.
BASE_SIZE = (1280, 800)
MAX_SCALE = 1.5
_PX = re.compile(r"(?<![\w.#-])(\d+(?:\.\d+)?)px")


def ui_scale(width: int, height: int) -> float:
    """How much larger than the stylesheet's own sizes a window of this size shows them: 1 up
    to BASE_SIZE, then in steps of 0.05 as far as both sides allow, at most MAX_SCALE."""
    fits = min(width / BASE_SIZE[0], height / BASE_SIZE[1])
    return max(1.0, min(MAX_SCALE, math.floor(fits * 20 + 1e-9) / 20))


def scaled_stylesheet(sheet: str, scale: float) -> str:
    """Every px size in `sheet` times `scale`, rounded to whole pixels."""
    if scale == 1.0:
        return sheet
    return _PX.sub(lambda m: f"{round(float(m.group(1)) * scale)}px", sheet)


class StyleScaler(QObject):
    """Sets the application's stylesheet at the scale for the window's size whenever that
    scale changes (once, as a full-screen kiosk takes its screen's size)."""

    def __init__(self, app: QApplication, window: QWidget) -> None:
        super().__init__(window)
        self._app = app
        self._window = window
        self.scale = 1.0
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Resize:
            scale = ui_scale(self._window.width(), self._window.height())
            if scale != self.scale:
                self.scale = scale
                apply_stylesheet(self._app, scale)
                # Table rows are sized in code, not by the stylesheet: two lines of the
                # larger text (a value and its mark) still fit in one.
                for table in self._window.findChildren(QTableView):
                    table.verticalHeader().setDefaultSectionSize(round(TABLE_ROW * scale))
        return False


def prepare_environment(config: Config) -> None:
    """Settings that must be made before the QApplication exists. FrontendUnavailable when
    the on-screen keyboard is asked for and cannot load (it would show a black screen)."""
    if config.kiosk.virtual_keyboard:
        problem = keyboard_problem()
        if problem is not None:
            raise FrontendUnavailable(problem)
        # An on-screen keyboard appears whenever a text field has the focus.
        use_on_screen_keyboard()
