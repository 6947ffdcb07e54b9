"""The command line end to end, as real subprocesses: usage, exit codes, config and data dir
lookup, `demo`, `present`, `run --smoke` and `screenshots` (see the contract, "Command line").

The export is in test_cli_export.py."""

from __future__ import annotations

import csv
import importlib.metadata
import io
import json
import random
import re
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from clisupport import CONTRACT_COLUMNS, Cli, UsageError, ok

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def present_json(cli: Cli, data_dir: Path) -> list[dict[str, object]]:
    records: list[dict[str, object]] = json.loads(
        ok(cli("--data-dir", data_dir, "present", "--format", "json")).stdout
    )
    return records


def demo_args(visits: int, seed: int = 1) -> tuple[str, ...]:
    return ("demo", "--visits", str(visits), "--days", "10", "--seed", str(seed))


def export_all(cli: Cli, data_dir: Path | None, **kw: Any) -> list[dict[str, Any]]:
    where = ("--data-dir", data_dir) if data_dir else ()
    result = ok(
        cli(
            *where, "export", "--from", "2000-01-01", "--to", "2100-12-31", "--format", "json", **kw
        )
    )
    records: list[dict[str, Any]] = json.loads(result.stdout)
    return records


# --- usage ------------------------------------------------------------------------------------


def test_help_lists_every_command(cli: Cli) -> None:
    result = ok(cli("--help"))

    listed = re.findall(r"^  (\S+)\s", result.stdout.split("Commands:", 1)[1], re.MULTILINE)
    assert {"run", "demo", "present", "export", "screenshots"} <= set(listed)


def test_version_is_the_installed_one(cli: Cli) -> None:
    version = importlib.metadata.version("visitor-kiosk")

    assert ok(cli("--version")).stdout.strip() == f"visitor-kiosk, version {version}"


def test_console_script_is_installed_and_answers_version(cli: Cli) -> None:
    script = Path(sys.executable).parent / "visitor-kiosk"
    assert script.is_file()

    result = ok(cli("--version", program=(str(script),)))

    assert result.stdout.startswith("visitor-kiosk, version ")


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        pytest.param(["frobnicate"], "frobnicate", id="unknown-command"),
        pytest.param(["--frobnicate"], "--frobnicate", id="unknown-option"),
        pytest.param(["export", "--to", "2026-01-31"], "--from", id="export-without-from"),
        pytest.param(
            ["export", "--from", "2026-13-45", "--to", "2026-12-31"], "2026-13-45", id="bad-date"
        ),
        pytest.param(["demo", "--visits", "0"], "--visits", id="demo-zero-visits"),
        pytest.param(["demo"], "--visits", id="demo-without-visits"),
        pytest.param(["present", "--format", "xml"], "xml", id="present-unknown-format"),
    ],
)
def test_bad_usage_exits_2_with_one_line(
    cli: Cli, usage_error: UsageError, tmp_path: Path, args: list[str], mentions: str
) -> None:
    data_dir = tmp_path / "data"

    line = usage_error(cli("--data-dir", data_dir, *args))

    assert mentions in line
    assert not (data_dir / "kiosk.db").exists()


# --- config and data dir lookup ---------------------------------------------------------------

BAD_CONFIGS = [
    pytest.param("[site\ncontroller = 'x'\n", "TOML", id="toml-syntax"),
    pytest.param('[site]\ncolour = "red"\n', "site.colour", id="unknown-key"),
    pytest.param('[retention]\nvisit_days = "ninety"\n', "retention.visit_days", id="wrong-type"),
    pytest.param('[kiosk]\nlanguages = ["fr"]\n', "kiosk.languages", id="unknown-language"),
    pytest.param("[retention]\nvisit_days = 0\n", "retention.visit_days", id="impossible-value"),
    pytest.param('[printer]\nname = "x"\n', "printer", id="unknown-section"),
]


@pytest.mark.parametrize("given_by", ["option", "env"])
@pytest.mark.parametrize(("text", "names"), BAD_CONFIGS)
def test_bad_config_stops_with_one_line_naming_the_key(
    cli: Cli, usage_error: UsageError, tmp_path: Path, given_by: str, text: str, names: str
) -> None:
    data_dir = tmp_path / "data"
    config = tmp_path / "bad.toml"
    config.write_text(text, encoding="utf-8")

    if given_by == "option":
        result = cli("--data-dir", data_dir, "--config", config, "present")
    else:
        result = cli("--data-dir", data_dir, "present", env={"KIOSK_CONFIG": str(config)})

    line = usage_error(result)
    assert names in line
    assert str(config) in line
    assert not (data_dir / "kiosk.db").exists()


def test_config_in_the_data_dir_is_read_by_default(
    cli: Cli, usage_error: UsageError, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "kiosk.toml").write_text("[kiosk]\nidle_timeout_s = 1\n", encoding="utf-8")

    assert "kiosk.idle_timeout_s" in usage_error(cli("--data-dir", data_dir, "present"))


def test_bad_config_stops_run_before_any_window(
    cli: Cli, usage_error: UsageError, tmp_path: Path
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[site]\ncolour = "red"\n', encoding="utf-8")

    result = cli("--data-dir", tmp_path / "data", "--config", config, "run", "--smoke")

    assert "site.colour" in usage_error(result)


def test_config_from_env_is_used(cli: Cli, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    config = tmp_path / "gate.toml"
    config.write_text('[site]\nkiosk_id = "gate-7"\n', encoding="utf-8")

    ok(cli("--data-dir", data_dir, *demo_args(20), env={"KIOSK_CONFIG": str(config)}))

    records = export_all(cli, data_dir)
    assert len(records) == 20
    assert {r["kiosk_id"] for r in records} == {"gate-7"}


def test_config_option_wins_over_env(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[site]\ncolour = "red"\n', encoding="utf-8")
    good = tmp_path / "good.toml"
    good.write_text('[site]\nkiosk_id = "gate-7"\n', encoding="utf-8")

    result = cli(
        "--data-dir", tmp_path / "data", "--config", good, "present", env={"KIOSK_CONFIG": str(bad)}
    )

    assert "nobody is on site" in ok(result).stdout


def test_data_dir_from_env_is_used(cli: Cli, tmp_path: Path, platform_data_home: Path) -> None:
    data_dir = tmp_path / "from-env"

    ok(cli(*demo_args(20), env={"KIOSK_DATA_DIR": str(data_dir)}))

    assert (data_dir / "kiosk.db").is_file()
    assert not (platform_data_home / "visitor-kiosk").exists()
    assert len(export_all(cli, None, env={"KIOSK_DATA_DIR": str(data_dir)})) == 20


def test_data_dir_option_wins_over_env(cli: Cli, tmp_path: Path) -> None:
    from_env, from_option = tmp_path / "from-env", tmp_path / "from-option"

    ok(cli("--data-dir", from_option, "present", env={"KIOSK_DATA_DIR": str(from_env)}))

    assert (from_option / "kiosk.db").is_file()
    assert not from_env.exists()


# --- demo and present -------------------------------------------------------------------------


def test_demo_prints_how_many_it_added_and_how_many_are_on_site(cli: Cli, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    result = ok(cli("--data-dir", data_dir, *demo_args(300, seed=7)))

    match = re.search(r"added 300 visits \((\d+) still on site\)", result.stdout)
    assert match, result.stdout
    on_site = int(match[1])
    assert on_site >= 1
    assert len(present_json(cli, data_dir)) == on_site


def test_demo_with_the_same_seed_makes_the_same_visitors(cli: Cli, tmp_path: Path) -> None:
    names = []
    for run in ("first", "second"):
        data_dir = tmp_path / run
        ok(cli("--data-dir", data_dir, *demo_args(40, seed=11)))
        names.append(sorted(r["visitor_name"] for r in export_all(cli, data_dir)))

    assert len(names[0]) == 40
    assert names[0] == names[1]


def test_present_json_lists_only_open_visits(cli: Cli, demo_dir: Path) -> None:
    records = present_json(cli, demo_dir)

    assert records
    assert all(list(r) == CONTRACT_COLUMNS for r in records)
    assert all(r["signed_out_at"] is None and r["sign_out_method"] is None for r in records)
    assert all(r["visitor_name"] for r in records)


def test_present_csv_has_the_contract_header(cli: Cli, demo_dir: Path) -> None:
    result = ok(cli("--data-dir", demo_dir, "present", "--format", "csv"))

    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == CONTRACT_COLUMNS
    body = rows[1:]
    assert [int(row[0]) for row in body] == [r["visit_id"] for r in present_json(cli, demo_dir)]
    assert all(row[6] == "" and row[7] == "" for row in body)


def test_present_table_prints_everyone_and_a_count(cli: Cli, demo_dir: Path) -> None:
    records = present_json(cli, demo_dir)

    lines = ok(cli("--data-dir", demo_dir, "present")).stdout.splitlines()

    assert lines[-1] == f"{len(records)} on site"
    assert len(lines) == len(records) + 2  # header, one line each, count
    for record, line in zip(records, lines[1:-1], strict=True):
        assert str(record["visitor_name"]) in line


def test_present_on_an_empty_database_says_nobody_is_on_site(cli: Cli, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    assert "nobody is on site" in ok(cli("--data-dir", data_dir, "present")).stdout
    assert present_json(cli, data_dir) == []
    as_csv = ok(cli("--data-dir", data_dir, "present", "--format", "csv")).stdout
    assert list(csv.reader(io.StringIO(as_csv))) == [CONTRACT_COLUMNS]


# --- run --smoke ------------------------------------------------------------------------------


def test_run_smoke_paints_once_and_exits_0(cli: Cli, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    ok(cli("--data-dir", data_dir, "run", "--smoke"))

    assert (data_dir / "kiosk.db").is_file()
    log = (data_dir / "logs" / "kiosk.log").read_text(encoding="utf-8")
    # An error while painting would be logged, not shown: the log has none.
    assert " ERROR " not in log
    assert " CRITICAL " not in log


# `run` with every opening of the database slowed down, as on a slow disk, noting when each
# began and ended and on which thread.
FIRST_START = """
import atexit, json, sys, threading, time
import storage.sqlite.store as store
from kiosk.cli.main import main

opened = []
lock = threading.Lock()
connect = store.connect

def slow_connect(path):
    began = time.monotonic()
    time.sleep(0.2)
    try:
        return connect(path)
    finally:
        with lock:
            opened.append((began, time.monotonic(), threading.current_thread().name))

def report(path=sys.argv[1]):
    with open(path, "w") as out:
        json.dump(opened, out)

store.connect = slow_connect
atexit.register(report)
main(sys.argv[2:])
"""


def test_the_first_start_creates_the_database_before_anything_else_opens_it(
    cli: Cli, tmp_path: Path
) -> None:
    """On a new data dir several threads want the database at once (the start-up, and the
    window's workers with the auto sign-out and the first backup): the first one creates it
    and brings its schema up to date, and the others open it only once that is done. (SQLite
    refuses a second connection while the first switches a new file to WAL: the kiosk would
    stop with "database is locked" on its very first start.)"""
    script, report = tmp_path / "first_start.py", tmp_path / "opened.json"
    script.write_text(FIRST_START, encoding="utf-8")
    data_dir = tmp_path / "data"

    ok(cli(report, "--data-dir", data_dir, "run", "--smoke", program=(sys.executable, str(script))))

    opened = sorted(json.loads(report.read_text(encoding="utf-8")))
    assert len(opened) > 1, opened  # more than one thread used the database
    _began, created, first = opened[0]
    meanwhile = [
        f"{thread} (while {first} created it)" for began, _, thread in opened[1:] if began < created
    ]
    assert meanwhile == []


# --- screenshots ------------------------------------------------------------------------------

SHOT_NAME = re.compile(r"(?P<screen>[a-z-]+)-(?P<lang>[a-z]{2})-(?P<width>\d+)x(?P<height>\d+)")
SCREENS = ("welcome", "notice", "details", "done")
SIZES = ((1024, 600), (1280, 800), (1920, 1080))


def test_screenshots_render_every_screen_in_every_language(cli: Cli, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    data_dir, out = tmp_path / "data", tmp_path / "shots"

    result = ok(cli("--data-dir", data_dir, "screenshots", "--out", out))

    files = sorted(out.iterdir())
    assert f"{len(files)} screenshots" in result.stdout
    expected = {
        f"{screen}-{lang}-{w}x{h}.png"
        for screen in SCREENS
        for lang in ("en", "nl", "da")
        for w, h in SIZES
    }
    assert expected <= {f.name for f in files}
    for file in files:
        name = SHOT_NAME.fullmatch(file.stem)
        assert file.suffix == ".png"
        assert name, file.name
        assert file.read_bytes().startswith(PNG_SIGNATURE), file.name
        image = QImage(str(file))
        assert not image.isNull(), file.name
        assert (image.width(), image.height()) == (int(name["width"]), int(name["height"]))
    # The pictures use a throw-away database: the data dir gets no visits.
    assert present_json(cli, data_dir) == []


def folder_as_it_is(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every path under `folder` (itself included): its mode, and a file's bytes."""
    return {
        str(path.relative_to(folder)): (
            stat.S_IMODE(path.lstat().st_mode),
            path.read_bytes() if path.is_file() else None,
        )
        for path in [folder, *folder.rglob("*")]
    }


@pytest.mark.parametrize("held", ["not-a-database", "nothing"])
def test_screenshots_never_open_the_data_dirs_database(cli: Cli, tmp_path: Path, held: str) -> None:
    """The pictures need no database of the site's: the data dir is not even looked into, so
    a damaged database (or none) is neither a problem nor touched."""
    data_dir, out = tmp_path / "data", tmp_path / "shots"
    data_dir.mkdir()
    data_dir.chmod(0o755)  # wider than the kiosk makes its own: a tightening would show
    if held == "not-a-database":
        noise = random.Random(14).randbytes(64 * 1024)
        assert not noise.startswith(b"SQLite format 3")
        (data_dir / "kiosk.db").write_bytes(noise)
    before = folder_as_it_is(data_dir)
    script = Path(sys.executable).parent / "visitor-kiosk"

    result = ok(cli("--data-dir", data_dir, "screenshots", "--out", out, program=(str(script),)))

    files = sorted(out.iterdir())
    assert result.stdout == f"wrote {len(files)} screenshots to {out}\n"
    names = {f.name for f in files}
    assert {f"welcome-{lang}-1280x800.png" for lang in ("en", "nl", "da")} <= names
    assert folder_as_it_is(data_dir) == before
    if held == "nothing":
        assert list(data_dir.iterdir()) == []  # no kiosk.db, no logs


def test_screenshots_follow_the_configured_languages(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[kiosk]\nlanguages = ["da"]\n', encoding="utf-8")
    out = tmp_path / "shots"

    ok(cli("--data-dir", tmp_path / "data", "--config", config, "screenshots", "--out", out))

    languages = {SHOT_NAME.fullmatch(f.stem)["lang"] for f in out.iterdir()}  # type: ignore[index]
    assert languages == {"da"}
    assert {f"{screen}-da-1920x1080.png" for screen in SCREENS} <= {f.name for f in out.iterdir()}


def test_demo_puts_exactly_the_number_asked_for_on_site(cli: Cli, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = ok(cli("--data-dir", data_dir, *demo_args(300, seed=7), "--on-site", "12"))
    assert "added 300 visits (12 still on site)" in result.stdout
    assert len(present_json(cli, data_dir)) == 12
