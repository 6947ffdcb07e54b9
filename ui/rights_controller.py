"""Visitors' rights requests on the staff screen's *Visitor requests* tab: find one person's
visits, give them a copy (JSON or PDF, on the print worker), correct a field, restrict them or
lift the restriction, record an objection, erase. Each calls the core's `RightsRequests`, which
records the request in the audit log; each change is confirmed first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtWidgets import QFileDialog

from kiosk.domain.visit import FieldError, Visit
from kiosk.settings.i18n import catalog
from kiosk.staff.rights import RightsRequests
from ui.dialogs import ask
from ui.export_controller import reason
from ui.screens.staff import StaffScreen
from ui.session import VisitorSession
from ui.tasks import SessionJob, Worker, failed_text

R = TypeVar("R")


class RightsController:
    def __init__(
        self,
        session: VisitorSession,
        screen: StaffScreen,
        rights: RightsRequests,
        worker: Worker,
        printer: Worker,
    ) -> None:
        self._session = session
        self._screen = screen
        self._tab = screen.rights
        self._rights = rights
        self._worker = worker
        self._printer = printer
        self._tab.find_requested.connect(self._on_find)
        self._tab.export_requested.connect(self._on_copy)
        self._tab.correct_requested.connect(self._on_correct)
        self._tab.erase_requested.connect(self._on_erase)
        self._tab.restrict_requested.connect(
            lambda ids: self._change(ids, "restrict", self._rights.restrict, "restricted")
        )
        self._tab.lift_requested.connect(
            lambda ids: self._change(ids, "lift", self._rights.lift_restriction, "lifted")
        )
        self._tab.objection_requested.connect(
            lambda ids: self._change(
                ids, "objection", self._rights.record_objection, "objection_recorded"
            )
        )

    def _job(self, worker: Worker, call: Callable[[], R]) -> SessionJob[R]:
        return SessionJob(worker, self._session, call).failure(
            lambda error: self._screen.show_message(failed_text(error))
        )

    def _on_find(self, typed: str) -> None:
        self._job(self._worker, lambda: self._rights.find(typed)).success(
            self._tab.show_found
        ).run()

    def _on_copy(self, kind: str, visits: list[Visit]) -> None:
        """A copy goes only to the person themself (Art. 12(6), 15): staff say they checked
        who is asking before choosing where to save it; "no" saves nothing."""
        words = catalog(self._session.language)

        def choose_file() -> None:
            chooser = QFileDialog(self._screen, words.text("staff.export_choose"))
            chooser.setObjectName("rightsFileChooser")
            chooser.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            chooser.setOption(QFileDialog.Option.DontUseNativeDialog, True)
            chooser.selectFile(str(Path.home() / f"visitor-data.{kind}"))
            chooser.fileSelected.connect(lambda name: self.copy(kind, visits, Path(name)))
            chooser.open()

        ask(self._screen, words, words.text("staff.rights_copy_identity"), choose_file)

    def copy(self, kind: str, visits: list[Visit], path: Path) -> None:
        """Write one visitor's data to `path` (JSON or PDF) on the print worker."""
        self._job(self._printer, lambda: self._rights.copy(visits, kind, path)).success(
            lambda _path: self._tab.show_message(
                lambda c: c.text("staff.rights_exported", path=path)
            )
        ).failure(
            lambda error: self._tab.show_message(
                lambda c: c.text("staff.export_failed", reason=reason(error))
            )
        ).run()

    def _on_correct(self, visit_id: int, field: str, value: str) -> None:
        def corrected(visit: Visit) -> None:
            found = [visit if v.visit_id == visit_id else v for v in self._tab.model.records]
            self._tab.show_found(found)
            self._tab.show_message(lambda c: c.text("staff.rights_corrected"))

        def failed(error: BaseException) -> None:
            if isinstance(error, FieldError):
                code = error.code
                self._tab.show_message(
                    lambda c: c.text(
                        f"error.{code}", field=c.text(f"field.{error.field}"), limit=error.limit
                    )
                )
            else:
                self._tab.show_message(failed_text(error))

        self._job(self._worker, lambda: self._rights.correct(visit_id, field, value)).success(
            corrected
        ).failure(failed).run()

    def _on_erase(self, visit_ids: list[int]) -> None:
        def erased(count: int) -> None:
            remaining = [v for v in self._tab.model.records if v.visit_id not in visit_ids]
            self._tab.model.set_records(remaining)
            self._tab.show_message(lambda c: c.text("staff.rights_erased", count=count))

        def erase() -> None:
            self._job(self._worker, lambda: self._rights.erase(visit_ids)).success(erased).run()

        words = catalog(self._session.language)
        text = words.text("staff.rights_erase_confirm", count=len(visit_ids))
        ask(self._screen, words, text, erase)

    def _change(
        self,
        visit_ids: list[int],
        what: str,
        call: Callable[[list[int]], list[Visit]],
        done: str,
    ) -> None:
        """Restrict, lift or record an objection, once staff confirm (`staff.rights_<what>_
        confirm`); the changed visits then show as they are, with `staff.rights_<done>`."""

        def changed(visits: list[Visit]) -> None:
            self._tab.show_changed(
                visits, lambda c: c.text(f"staff.rights_{done}", count=len(visits))
            )

        def change() -> None:
            self._job(self._worker, lambda: call(visit_ids)).success(changed).run()

        words = catalog(self._session.language)
        text = words.text(f"staff.rights_{what}_confirm", count=len(visit_ids))
        ask(self._screen, words, text, change)
