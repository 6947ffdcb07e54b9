"""Small dialogs that never block: each opens with `open()` and answers through a callback,
so the event loop (and the workers' results) keep running, and tests press the real buttons
(`confirmDialog`, `confirmYes`, `confirmNo`)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from kiosk.settings.i18n import Catalog


def ask(parent: QWidget, catalog: Catalog, text: str, on_yes: Callable[[], None]) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("confirmDialog")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(catalog.text("staff.confirm_title"))
    box.setText(text)
    yes = box.addButton(catalog.text("staff.yes"), QMessageBox.ButtonRole.AcceptRole)
    yes.setObjectName("confirmYes")
    no = box.addButton(catalog.text("staff.no"), QMessageBox.ButtonRole.RejectRole)
    no.setObjectName("confirmNo")
    box.setDefaultButton(no)

    def on_finished(_result: int) -> None:
        if box.clickedButton() is yes:
            on_yes()
        box.deleteLater()

    box.finished.connect(on_finished)
    box.open()
    return box
