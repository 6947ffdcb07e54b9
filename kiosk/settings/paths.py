"""Where the kiosk keeps its data and finds its config (see the README, "Where data lives")."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "visitor-kiosk"
DATA_DIR_ENV = "KIOSK_DATA_DIR"
CONFIG_ENV = "KIOSK_CONFIG"


@dataclass(frozen=True)
class KioskPaths:
    data_dir: Path
    config_file: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "kiosk.db"

    @property
    def badge_dir(self) -> Path:
        return self.data_dir / "badges"

    @property
    def report_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"


def resolve_paths(data_dir: Path | None = None, config_file: Path | None = None) -> KioskPaths:
    """Data dir: the option, else $KIOSK_DATA_DIR, else the platform's user data dir.
    Config: the option, else $KIOSK_CONFIG, else <data dir>/kiosk.toml."""
    if data_dir is None:
        env = os.environ.get(DATA_DIR_ENV)
        data_dir = Path(env) if env else _platform_data_dir()
    if config_file is None:
        env = os.environ.get(CONFIG_ENV)
        config_file = Path(env) if env else data_dir / "kiosk.toml"
    return KioskPaths(data_dir=data_dir.expanduser(), config_file=config_file.expanduser())


def _platform_data_dir() -> Path:
    import platformdirs  # only when neither the option nor the environment names a dir

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
