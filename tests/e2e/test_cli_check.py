"""A damaged database: `run` (and `--smoke`) refuses it before writing anything, with one clear
line and exit 1; `visitor-kiosk check` says what SQLite found. Real processes, real files."""

from __future__ import annotations

from pathlib import Path

from clisupport import Cli, ok
from dbsupport import damage_a_table_page, digest, settle

DEMO = ("demo", "--visits", "3000", "--days", "20", "--seed", "7")


def test_a_sound_database_checks_ok(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    ok(cli("--data-dir", data, *DEMO))
    assert ok(cli("--data-dir", data, "check")).stdout.strip().endswith(": ok")
    assert ok(cli("--data-dir", data, "check", "--thorough")).stdout.strip().endswith(": ok")


def test_the_kiosk_does_not_run_on_a_damaged_database_and_leaves_it_alone(
    cli: Cli, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    ok(cli("--data-dir", data, *DEMO))
    database = settle(data)
    damage_a_table_page(database)
    before = digest(database)

    for args in (("run", "--smoke"), ("run", "--windowed", "--smoke")):
        result = cli("--data-dir", data, *args)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert "is damaged" in result.stderr
        assert "visitor-kiosk check" in result.stderr

    assert digest(database) == before
    wal = data / "kiosk.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # nothing was written for it
    found = cli("--data-dir", data, "check")
    assert found.returncode == 1
    assert found.stdout.strip()
    assert "ok" not in found.stdout.split()


def test_a_file_that_is_no_database_is_refused(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "kiosk.db").write_bytes(b"not a database, just bytes " * 400)
    before = digest(data / "kiosk.db")
    result = cli("--data-dir", data, "run", "--smoke")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "is damaged" in result.stderr
    assert digest(data / "kiosk.db") == before
    assert cli("--data-dir", data, "check").returncode == 1
