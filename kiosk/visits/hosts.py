"""The people visitors come for, from the CSV named by `hosts.file` (columns: name, email).

Only the names are shown (as type-ahead on the details screen). A missing or empty setting
means visitors type the host's name freely."""

from __future__ import annotations

import csv
from pathlib import Path

from kiosk.domain.errors import (
    HostsFileError as HostsFileError,  # raised here; defined apart for the CLI
)
from kiosk.domain.visit import normalise_text


def load_hosts(path: Path) -> list[str]:
    """Host names from the CSV, sorted, without duplicates. The header row is optional."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise HostsFileError(f"hosts file {path}: cannot be read ({exc})") from exc
    names: set[str] = set()
    for number, row in enumerate(rows, start=1):
        if not row or not "".join(row).strip():
            continue
        name = normalise_text(row[0])
        if number == 1 and name.lower() == "name":
            continue
        if name:
            names.add(name)
    return sorted(names, key=str.casefold)
