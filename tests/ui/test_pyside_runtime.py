"""Guards on the Qt runtime the kiosk runs on."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kiosk.settings.config import parse_config
from ui.app import prepare_environment

# Tens of thousands of binding calls that return None, in one process: PySide6 6.12.0 on
# CPython 3.11 drops a reference to None on each and the process aborts (none_dealloc).
MANY_CALLS = textwrap.dedent(
    """
    from PySide6.QtWidgets import QApplication, QLabel, QLineEdit
    app = QApplication([])
    label, edit = QLabel(), QLineEdit()
    for i in range(40_000):
        label.setText(str(i))        # returns None
        edit.setText(str(i))         # returns None
        label.setVisible(i % 2 == 0) # returns None
    app.processEvents()
    print("survived", label.text())
    """
)


def test_tens_of_thousands_of_binding_calls_do_not_crash(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", MANY_CALLS],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "survived 39999"


@pytest.mark.parametrize(("enabled", "expected"), [(True, "qtvirtualkeyboard"), (False, None)])
def test_virtual_keyboard_follows_the_config(
    monkeypatch: pytest.MonkeyPatch, enabled: bool, expected: str | None
) -> None:
    # setenv first, so the variable's absence is what monkeypatch restores afterwards: the
    # tests after this one (and the kiosks they start) must not get the virtual keyboard.
    monkeypatch.setenv("QT_IM_MODULE", "")
    monkeypatch.delenv("QT_IM_MODULE")
    prepare_environment(parse_config({"kiosk": {"virtual_keyboard": enabled}}))
    assert os.environ.get("QT_IM_MODULE") == expected


def test_the_virtual_keyboard_plugin_ships_with_pyside6() -> None:
    import PySide6

    plugins = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforminputcontexts"
    assert any("virtualkeyboard" in p.name for p in plugins.iterdir())
