"""How the command line reaches the touchscreen front end without importing Qt.

The core sits below the UI and must not import it (see the import-layer contracts). The Qt
front end registers itself under the entry point group `visitor_kiosk.frontend` (see
pyproject.toml); `run` and `screenshots` look it up here at run time.
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import Protocol

from kiosk.domain.errors import FrontendUnavailable


class Frontend(Protocol):
    def run(
        self,
        data_dir: Path | None,
        config_file: Path | None,
        *,
        windowed: bool,
        smoke: bool,
        database_check: Future[list[str]] | None = None,
    ) -> int:
        """Start the kiosk window; returns the process exit code. With `database_check`
        (SQLite's check of the database file, under way) the window shows only once it has
        found the file sound; a damaged one raises DamagedDatabase."""
        ...

    def screenshots(self, out_dir: Path, config_file: Path | None) -> list[Path]:
        """Render every screen in every configured language; returns the PNG files."""
        ...


class FrontendMissing(FrontendUnavailable):
    """The front end is not installed."""


def load_frontend(name: str = "qt") -> Frontend:
    from importlib.metadata import entry_points  # 25 ms: only for the commands with a screen

    found = entry_points(group="visitor_kiosk.frontend", name=name)
    if not found:
        raise FrontendMissing(
            f"the {name} front end is not installed (reinstall the visitor-kiosk package)"
        )
    factory = next(iter(found)).load()
    frontend: Frontend = factory()
    return frontend
