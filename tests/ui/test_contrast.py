"""Contrast computed from the stylesheet (assets/style.qss), as WCAG 2.x defines it: text at
least 4.5:1 against its background, placeholders included (1.4.3), and the borders that mark a
control at least 3:1 against what they sit on (1.4.11). Disabled controls are exempt, as WCAG
has it; so are a table's grid lines, which mark no control."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.settings.assets import asset_path
from ui.app import apply_stylesheet

SHEET = asset_path("style.qss").read_text(encoding="utf-8")
PAGE = "#f7f9fb"  # what every screen sits on
# Rules whose text sits on a container's background rather than the page's.
ON = {"#objectionTitle": "#fff6d6", "#objectionText": "#fff6d6"}
HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rules() -> list[tuple[str, dict[str, str]]]:
    """(selector, declarations) for each selector of each rule, comments left out."""
    text = re.sub(r"/\*.*?\*/", "", SHEET, flags=re.DOTALL)
    found = []
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", text):
        declarations = {}
        for declaration in body.split(";"):
            if ":" in declaration:
                name, value = declaration.split(":", 1)
                declarations[name.strip()] = value.strip()
        for selector in selectors.split(","):
            found.append((selector.strip(), declarations))
    return found


def background(selector: str, declarations: dict[str, str]) -> str:
    for name in ("background", "background-color"):
        colour = HEX.search(declarations.get(name, ""))
        if colour:
            return colour.group().lower()
    return next((bg for key, bg in ON.items() if key in selector), PAGE)


ACTIVE = [(s, d) for s, d in rules() if ":disabled" not in s]


@pytest.mark.parametrize(
    ("selector", "declarations"), [(s, d) for s, d in ACTIVE if HEX.search(d.get("color", ""))]
)
def test_text_is_at_least_4_5_to_1(selector: str, declarations: dict[str, str]) -> None:
    colour = HEX.search(declarations["color"])
    assert colour is not None
    ratio = contrast(colour.group(), background(selector, declarations))
    assert ratio >= 4.5, f"{selector}: {ratio:.2f}:1"


BORDERED = [
    (s, d)
    for s, d in ACTIVE
    if any(HEX.search(v) for k, v in d.items() if k.startswith("border") and "radius" not in k)
]


@pytest.mark.parametrize(("selector", "declarations"), BORDERED)
def test_a_control_s_border_is_at_least_3_to_1(selector: str, declarations: dict[str, str]) -> None:
    border = next(
        HEX.search(v).group()  # type: ignore[union-attr]
        for k, v in declarations.items()
        if k.startswith("border") and "radius" not in k and HEX.search(v)
    )
    # Against the page it stands on and against its own face.
    for behind in {PAGE, background(selector, declarations)}:
        ratio = contrast(border, behind)
        assert ratio >= 3.0, f"{selector}: border {border} on {behind}: {ratio:.2f}:1"


def test_the_sheet_is_read_at_all() -> None:
    """The checks above would pass on an empty list: they must see the rules they guard."""
    selectors = {s for s, _ in BORDERED}
    assert {'QPushButton[role="chip"]', 'QPushButton[role="quiet"]', "QLineEdit"} <= selectors


def test_placeholders_are_at_least_4_5_to_1(qtbot: QtBot) -> None:
    """The colour Qt really uses for a placeholder once the sheet is applied."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.setPlaceholderText("First and last name")
    previous = app.styleSheet()
    apply_stylesheet(app)
    try:
        edit.ensurePolished()
        placeholder = edit.palette().color(QPalette.ColorRole.PlaceholderText)
        base = edit.palette().color(QPalette.ColorRole.Base)
    finally:
        app.setStyleSheet(previous)
    assert placeholder.alpha() == 255
    ratio = contrast(placeholder.name(), base.name())
    assert ratio >= 4.5, f"placeholder {placeholder.name()} on {base.name()}: {ratio:.2f}:1"
