"""Finding the files shipped in the `assets` package, installed or in a checkout."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path


def asset_path(*parts: str) -> Path:
    """A real filesystem path to a shipped asset (assets are installed as plain files)."""
    resource = files("assets").joinpath(*parts)
    with as_file(resource) as path:
        return Path(path)
