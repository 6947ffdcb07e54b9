"""The people visitors come for, from the CSV named by `hosts.file` (columns: name, email, and
optionally language).

The names are offered as type-ahead on the details screen; the address and language say whom
to tell, and in which language, that their visitor has arrived. A header row is optional and,
when present, may put the columns in any order. A missing or empty setting means visitors type
the host's name freely.

A line whose address is not an address, or whose language the kiosk does not speak, keeps its
name and loses only that value (the arrival is then told to reception, or in the site's
language): the log says which line, never what it held."""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

from kiosk.domain.errors import (
    HostsFileError as HostsFileError,  # raised here; defined apart for the CLI
)
from kiosk.domain.visit import normalise_text
from kiosk.settings.config import SUPPORTED_LANGUAGES, looks_like_address

log = logging.getLogger(__name__)

COLUMNS = ("name", "email", "language")


@dataclass(frozen=True)
class Host:
    name: str
    email: str = ""  # "" = none: reception is told instead
    language: str = ""  # "" = the site's default


def read_hosts(path: Path, languages: tuple[str, ...] = SUPPORTED_LANGUAGES) -> list[Host]:
    """The hosts in the CSV, sorted by name ignoring case; a name listed twice keeps its first
    line. `languages`: those the kiosk speaks."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise HostsFileError(f"hosts file {path}: cannot be read ({exc})") from exc
    order = list(range(len(COLUMNS)))
    hosts: dict[str, Host] = {}
    for number, row in enumerate(rows, start=1):
        if not row or not "".join(row).strip():
            continue
        cells = [cell.strip().casefold() for cell in row]
        if number == 1 and cells[0] in COLUMNS:
            order = [cells.index(column) if column in cells else -1 for column in COLUMNS]
            continue
        values = [row[i] if 0 <= i < len(row) else "" for i in order]
        name = normalise_text(values[0])
        if not name or name.casefold() in hosts:
            continue
        hosts[name.casefold()] = Host(
            name, _address(values[1], number), _language(values[2], number, languages)
        )
    return sorted(hosts.values(), key=lambda host: host.name.casefold())


def load_hosts(path: Path) -> list[str]:
    """Host names from the CSV, sorted, without duplicates."""
    return [host.name for host in read_hosts(path)]


def _address(text: str, line: int) -> str:
    address = text.strip()
    if address and not looks_like_address(address):
        log.warning("hosts file, line %d: the e-mail address is not one; reception is told", line)
        return ""
    return address


def _language(text: str, line: int, languages: tuple[str, ...]) -> str:
    language = text.strip().lower()
    if language and language not in languages:
        log.warning("hosts file, line %d: a language the kiosk does not speak; ignored", line)
        return ""
    return language
