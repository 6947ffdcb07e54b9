"""The visitor's details: name (required), company, host and purpose. Nothing else is asked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain.visit import PURPOSES, FieldError, SignInForm, clean_form
from kiosk.settings.i18n import Catalog
from ui.screens.base import (
    Screen,
    announce,
    clear_field,
    make_button,
    make_field,
    make_scroll_area,
    make_title,
    set_text,
)
from ui.screens.flow import FlowLayout

_FIELDS = ("visitor_name", "company", "host", "purpose")


class DetailsScreen(Screen):
    submitted = Signal(object)  # the cleaned SignInForm
    cancelled = Signal()

    def __init__(self, hosts: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__("details", parent)
        self._catalog: Catalog | None = None
        self._has_directory = bool(hosts)
        self._purpose_key: str | None = None
        # The error on show, as a function of the language, so it follows a language change.
        self._error_text: Callable[[Catalog], str] | None = None
        self._error_field: str | None = None  # the field the error is about, if one
        self.title = make_title("detailsTitle")

        self.inputs: dict[str, QLineEdit] = {}
        self.labels: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(12)
        names = {
            "visitor_name": "fullNameInput",
            "company": "companyInput",
            "host": "hostInput",
            "purpose": "purposeInput",
        }
        for row, field in enumerate(_FIELDS):
            label = QLabel()
            label.setObjectName(f"{names[field]}Label")
            label.setProperty("role", "field-label")
            edit = make_field(names[field])
            label.setBuddy(edit)
            grid.addWidget(label, row * 2, 0, Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(edit, row * 2, 1)
            self.inputs[field] = edit
            self.labels[field] = label
        self.inputs["visitor_name"].returnPressed.connect(self.inputs["company"].setFocus)
        self.inputs["company"].returnPressed.connect(self.inputs["host"].setFocus)
        self.inputs["host"].returnPressed.connect(self.inputs["purpose"].setFocus)
        self.inputs["purpose"].returnPressed.connect(self._on_submit)
        self.inputs["purpose"].textEdited.connect(self._on_purpose_edited)

        if hosts:
            completer = QCompleter(list(hosts), self)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setMaxVisibleItems(6)
            popup = completer.popup()
            assert popup is not None
            popup.setObjectName("hostSuggestions")
            self.inputs["host"].setCompleter(completer)

        self.purpose_buttons: dict[str, QPushButton] = {}
        # As many to a row as fit; each never narrower than its text.
        chips = FlowLayout(spacing=10)
        for key in PURPOSES:
            chip = make_button(f"purpose_{key}", role="chip")
            chip.setCheckable(True)  # the chosen purpose shows as chosen
            chip.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
            chip.clicked.connect(lambda _checked=False, key=key: self._on_purpose_chosen(key))
            self.purpose_buttons[key] = chip
            chips.addWidget(chip)
        grid.addLayout(chips, len(_FIELDS) * 2 - 1, 1)
        grid.setColumnStretch(1, 1)
        self._grid = grid

        # One error line: under the field it is about (a row of the grid), or above the
        # buttons for an error about no field (the database could not be written).
        self.error = QLabel()
        self.error.setObjectName("detailsError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("")
        for field, edit in self.inputs.items():
            edit.textEdited.connect(lambda _text, field=field: self._on_field_edited(field))

        self.cancel = make_button("detailsCancel", role="secondary")
        self.cancel.clicked.connect(self.cancelled)
        self.submit = make_button("detailsSubmit", role="primary")
        self.submit.clicked.connect(self._on_submit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel)
        buttons.addStretch(1)
        buttons.addWidget(self.submit)

        # The fields scroll (on a small panel, or above the on-screen keyboard); the error and
        # the buttons stay in view below them.
        form = QWidget()
        form.setObjectName("detailsForm")
        form_layout = QVBoxLayout(form)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.setSpacing(12)
        form_layout.addWidget(self.title)
        form_layout.addLayout(grid)
        form_layout.addStretch(1)
        self.form_area = make_scroll_area(form, "detailsFormArea")
        # It takes the room there is, and asks for none: the screen around it never has to
        # scroll to show the error and the buttons.
        self.form_area.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 8, 48, 16)
        layout.setSpacing(8)
        layout.addWidget(self.form_area, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self._layout = layout

    # -- what the window calls -------------------------------------------------------------
    def retranslate_ui(self, catalog: Catalog) -> None:
        self._catalog = catalog
        set_text(self.title, catalog.text("details.title"))
        hints = {
            "visitor_name": "details.name_hint",
            "company": "details.company_hint",
            "host": "details.host_hint_directory" if self._has_directory else "details.host_hint",
            "purpose": "details.purpose_hint",
        }
        labels = {
            "visitor_name": "details.name",
            "company": "details.company",
            "host": "details.host",
            "purpose": "details.purpose",
        }
        optional = catalog.text("details.optional")
        for field in _FIELDS:
            label = catalog.text(labels[field])
            shown = label
            if field != "visitor_name":  # only the name is required
                # On a line of its own, so the labels leave the fields their width.
                shown, label = f"{label}\n({optional})", f"{label} ({optional})"
            set_text(self.labels[field], shown)
            self.labels[field].setAccessibleName(label)
            self.inputs[field].setPlaceholderText(catalog.text(hints[field]))
            self.inputs[field].setAccessibleName(label)
        for key, chip in self.purpose_buttons.items():
            set_text(chip, catalog.text(f"details.purpose.{key}"))
        set_text(self.cancel, catalog.text("details.cancel"))
        set_text(self.submit, catalog.text("details.submit"))
        if self._purpose_key is not None:
            # A purpose picked from the choices follows the language; typed text stays.
            self.inputs["purpose"].setText(catalog.text(f"details.purpose.{self._purpose_key}"))
        self._render_error()

    def clear(self) -> None:
        for edit in self.inputs.values():
            clear_field(edit)
        self._purpose_key = None
        self._show_chosen_purpose()
        self.set_busy(False)
        self._set_error(None)

    def focus_first(self) -> None:
        self.inputs["visitor_name"].setFocus()

    def set_busy(self, busy: bool) -> None:
        self.submit.setEnabled(not busy)
        self.cancel.setEnabled(not busy)
        for edit in self.inputs.values():
            edit.setReadOnly(busy)

    def show_error(self, key: str) -> None:
        """Show the message `key` of the catalog (e.g. "error.storage")."""
        self._error_field = None
        self._set_error(lambda catalog: catalog.text(key))

    def show_field_error(self, error: FieldError) -> None:
        def text(catalog: Catalog) -> str:
            if error.code == "required":
                return catalog.text("error.required")
            field = catalog.text(f"field.{error.field}")
            return catalog.text("error.too_long", field=field, limit=error.limit)

        self._error_field = error.field
        self._set_error(text)
        self.inputs[error.field].setFocus()

    # -- slots -------------------------------------------------------------------------------
    def _on_submit(self) -> None:
        if not self.submit.isEnabled():
            return
        form = SignInForm(**{field: self.inputs[field].text() for field in _FIELDS})
        try:
            cleaned = clean_form(form)
        except FieldError as error:
            self.show_field_error(error)
            return
        self._set_error(None)
        if self._purpose_key is not None:
            # A purpose picked from the list is stored as its key, so every reader sees it
            # in their own language.
            cleaned = replace(cleaned, purpose=self._purpose_key)
        self.submitted.emit(cleaned)

    def _on_purpose_chosen(self, key: str) -> None:
        assert self._catalog is not None
        self._purpose_key = key
        self.inputs["purpose"].setText(self._catalog.text(f"details.purpose.{key}"))
        self._show_chosen_purpose()
        self._on_field_edited("purpose")

    def _on_purpose_edited(self, _text: str) -> None:
        self._purpose_key = None
        self._show_chosen_purpose()

    def _show_chosen_purpose(self) -> None:
        for key, chip in self.purpose_buttons.items():
            chip.setChecked(key == self._purpose_key)

    def _on_field_edited(self, field: str) -> None:
        """The error about a field goes as soon as what is typed there would be accepted."""
        if field != self._error_field:
            return
        form = SignInForm(**{name: self.inputs[name].text() for name in _FIELDS})
        try:
            clean_form(form)
        except FieldError as error:
            if error.field == field:
                return
        self._set_error(None)

    # -- helpers -------------------------------------------------------------------------
    def _set_error(self, text: Callable[[Catalog], str] | None) -> None:
        self._error_text = text
        if text is None:
            self._error_field = None
        self._render_error()

    def _render_error(self) -> None:
        text = ""
        if self._error_text is not None and self._catalog is not None:
            text = self._error_text(self._catalog)
        shown_before = self.error.text()
        self.error.setText(text)
        self.error.setAccessibleName(text)
        self._place_error()
        if self._catalog is not None:
            # A screen reader hears which field must be filled in, and what is wrong with
            # the one that has the error.
            required = self._catalog.text("details.required")
            for field, edit in self.inputs.items():
                notes = [required] if field == "visitor_name" else []
                if text and field == self._error_field:
                    notes.append(text)
                notes.append(edit.placeholderText())  # (what Qt would say without a note)
                edit.setAccessibleDescription(". ".join(note.rstrip(".") for note in notes))
        if text != shown_before:
            announce(self.error, text)

    def _place_error(self) -> None:
        """The error line right under its field (the purpose's under the chips), the field
        marked; an error about no field above the buttons."""
        field = self._error_field if self.error.text() else None
        for name, edit in self.inputs.items():
            marked = name == field
            if bool(edit.property("error")) != marked:
                edit.setProperty("error", marked)
                style = edit.style()
                style.unpolish(edit)
                style.polish(edit)
        self._grid.removeWidget(self.error)
        self._layout.removeWidget(self.error)
        if field is None:
            self._layout.insertWidget(1, self.error)
            self.error.show()
            return
        row = _FIELDS.index(field) * 2 + 1
        if field == "purpose":
            row += 1  # under the chips
        self._grid.addWidget(self.error, row, 1)
        self.error.show()  # a widget moved to another parent is hidden until shown
