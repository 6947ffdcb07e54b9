"""What the command line writes is for the kiosk's user only, under the usual umask 022:
the data dir and its folders 0700, every file in it 0600, and the files `--out` names that
hold personal data 0600, in a folder of the user's that the kiosk leaves as it is."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from clisupport import Cli, ok
from modesupport import mode, not_private


def under_umask(mask: str) -> tuple[str, ...]:
    """`python -m kiosk`, started from a shell with this umask."""
    return ("bash", "-c", f'umask {mask} && exec "$0" "$@"', sys.executable, "-m", "kiosk")


@pytest.mark.parametrize("mask", ["022", "000"])
def test_the_data_dir_is_for_the_kiosks_user_only(cli: Cli, tmp_path: Path, mask: str) -> None:
    data_dir = tmp_path / "data"

    ok(cli("--data-dir", data_dir, "demo", "--visits", "5", program=under_umask(mask)))

    assert (data_dir / "kiosk.db").exists()
    assert (data_dir / "logs" / "kiosk.log").exists()
    assert not_private(data_dir) == []


def test_out_files_are_private_in_a_folder_left_as_it_is(cli: Cli, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shared = tmp_path / "facilities"
    shared.mkdir()
    shared.chmod(0o755)
    kiosk = under_umask("022")
    ok(cli("--data-dir", data_dir, "demo", "--visits", "5", program=kiosk))

    ok(
        cli(
            "--data-dir",
            data_dir,
            "export",
            "--from",
            "2000-01-01",
            "--to",
            "2100-12-31",
            "--out",
            shared / "visits.csv",
            program=kiosk,
        )
    )
    ok(cli("--data-dir", data_dir, "evacuation", "--out", shared / "roll-call.pdf", program=kiosk))

    assert mode(shared) == 0o755
    assert (mode(shared / "visits.csv"), mode(shared / "roll-call.pdf")) == (0o600, 0o600)
    assert not_private(data_dir) == []


# Prints the umask the command line leaves for everything else the process does.
SHOW_UMASK = """
import atexit, os, sys
from kiosk.cli.main import main
atexit.register(lambda: print(f"umask {os.umask(0):03o}"))
main(sys.argv[1:])
"""


def test_the_command_line_works_under_umask_077(cli: Cli, tmp_path: Path) -> None:
    """Defence in depth, for files made by code other than the kiosk's (Qt, SQLite)."""
    program = ("bash", "-c", 'umask 022 && exec "$0" "$@"', sys.executable, "-c", SHOW_UMASK)

    result = ok(cli("--data-dir", tmp_path / "data", "present", program=program))

    assert result.stdout.splitlines()[-1] == "umask 077"
