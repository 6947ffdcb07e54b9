"""The first screen: pick a language, then sign in; or sign out on the way out."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.settings.i18n import Catalog, language_name
from ui.screens.base import Screen, make_button, make_choice, make_title, set_text


class WelcomeScreen(Screen):
    language_chosen = Signal(str)
    sign_in_requested = Signal()
    sign_out_requested = Signal()
    staff_requested = Signal()

    def __init__(
        self,
        site_names: Mapping[str, str],
        languages: tuple[str, ...],
        parent: QWidget | None = None,
    ):
        super().__init__("welcome", parent)
        self._site_names = site_names  # per language
        # (A badge held under the scanner here signs out at once: see ui/scanner.py.)
        self.title = make_title("welcomeTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("welcomeSubtitle")
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle.setWordWrap(True)

        self.language_buttons: dict[str, QPushButton] = {}
        lang_row = QHBoxLayout()
        lang_row.addStretch(1)
        self._lang_group = QButtonGroup(self)
        self._lang_group.setExclusive(True)
        for lang in languages:
            button = make_choice(f"lang_{lang}", role="language")
            # Each language is named in itself, so a visitor finds their own at a glance.
            set_text(button, language_name(lang))
            button.clicked.connect(
                lambda _checked=False, lang=lang: self.language_chosen.emit(lang)
            )
            self._lang_group.addButton(button)
            self.language_buttons[lang] = button
            lang_row.addWidget(button)
        lang_row.addStretch(1)

        self.sign_in = make_button("signInButton", role="primary")
        self.sign_in.clicked.connect(self.sign_in_requested)
        self.sign_out = make_button("signOutButton", role="secondary")
        self.sign_out.clicked.connect(self.sign_out_requested)
        # For reception, out of the visitors' way in a corner.
        self.staff = make_button("staffButton", role="quiet")
        self.staff.clicked.connect(self.staff_requested)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 24, 48, 24)
        layout.addStretch(2)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addStretch(1)
        layout.addLayout(lang_row)
        layout.addStretch(1)
        layout.addWidget(self.sign_in, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(16)
        layout.addWidget(self.sign_out, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        layout.addWidget(self.staff, 0, Qt.AlignmentFlag.AlignRight)

    def retranslate_ui(self, catalog: Catalog) -> None:
        site = self._site_names[catalog.language]
        set_text(self.title, catalog.text("welcome.title", site=site))
        set_text(self.subtitle, catalog.text("welcome.subtitle"))
        set_text(self.sign_in, catalog.text("welcome.sign_in"))
        set_text(self.sign_out, catalog.text("welcome.sign_out"))
        set_text(self.staff, catalog.text("welcome.staff"))
        for lang, button in self.language_buttons.items():
            button.setChecked(lang == catalog.language)
            button.setToolTip(catalog.text("language.choose"))
