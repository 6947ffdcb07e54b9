"""`visitor-kiosk evacuation --out FILE.pdf [--print]` end to end, as real subprocesses: the
roll call holds everyone on site, stdout holds no name, bad `--out` paths fail cleanly, the
command changes no visit and leaves an audit entry (written as the roll call is taken, before
the file), and `--print` goes through a real CUPS scheduler (see the contract, "Command
line")."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from clisupport import Cli, Result, UsageError, ok
from cupsserver import CupsServer
from cupssupport import pdf_text

from kiosk.bootstrap import assemble
from kiosk.domain.audit import AuditAction, AuditEntry
from kiosk.domain.visit import SignInForm, people


def evacuation(cli: Cli, data_dir: Path, *args: str | Path, **kw: Any) -> Result:
    return cli("--data-dir", data_dir, "evacuation", *args, **kw)


def flat(text: str) -> str:
    return " ".join(text.split())


def visit_rows(data_dir: Path) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(data_dir / "kiosk.db")) as db:
        return db.execute("SELECT * FROM visits ORDER BY visit_id").fetchall()


def roll_calls(data_dir: Path) -> list[AuditEntry]:
    """The evacuation entries of the staff audit log, newest first."""
    core = assemble(data_dir, data_dir / "kiosk.toml")
    try:
        return [e for e in core.audit.entries() if e.action is AuditAction.EVACUATION]
    finally:
        core.close()


def present_json(cli: Cli, data_dir: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(
        ok(cli("--data-dir", data_dir, "present", "--format", "json")).stdout
    )
    return records


def printer_config(tmp_path: Path, queue: str) -> Path:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[staff]\nprinter = "{queue}"\n', encoding="utf-8")
    return config


def test_roll_call_holds_everyone_on_site_and_stdout_no_name(
    cli: Cli, demo_dir: Path, tmp_path: Path
) -> None:
    present = present_json(cli, demo_dir)
    names = {str(record["visitor_name"]) for record in present}
    assert len(present) > 1
    out = tmp_path / "roll-call.pdf"

    result = ok(evacuation(cli, demo_dir, "--out", out))

    assert result.stdout == f"{len(present)} people on site; roll call written to {out}\n"
    assert result.stderr == ""
    assert out.read_bytes().startswith(b"%PDF")
    text = flat(pdf_text(out))
    assert f"{len(present)} people on site" in text
    for name in names:
        assert name in text
        assert name not in result.stdout
    assert out.stat().st_mode & 0o077 == 0  # names inside: readable by its owner only


def test_roll_call_changes_no_visit_and_is_audited(cli: Cli, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ok(cli("--data-dir", data_dir, "demo", "--visits", "60", "--days", "3", "--seed", "11"))
    present_ids = {int(str(r["visit_id"])) for r in present_json(cli, data_dir)}
    before = visit_rows(data_dir)

    ok(evacuation(cli, data_dir, "--out", tmp_path / "roll-call.pdf"))

    assert visit_rows(data_dir) == before
    (entry,) = roll_calls(data_dir)
    assert entry.visit_count == len(present_ids)
    assert set(entry.visit_ids) == present_ids
    # The same detail as a roll call from the staff screen: printed or not is not recorded.
    assert entry.params == {"count": len(present_ids)}


@pytest.mark.parametrize("count", [1, 2])
def test_the_audit_detail_counts_people(cli: Cli, tmp_path: Path, count: int) -> None:
    data_dir = tmp_path / "data"
    core = assemble(data_dir, data_dir / "kiosk.toml")
    try:
        notice = core.notices.notice("en")
        for number in range(count + 1):
            core.visits.sign_in(SignInForm(f"Visitor {number}"), notice)
        core.visits.sign_out(core.visits.present()[0].visit_id)  # gone: not on the roll call
    finally:
        core.close()

    out = tmp_path / "roll-call.pdf"

    result = cli(
        "--data-dir", data_dir, "--config", printer_config(tmp_path, "none"),
        "evacuation", "--out", out, "--print",
    )  # fmt: skip

    assert result.returncode == 1, result.stderr  # asked to print, with no staff printer
    assert result.stdout == f"{people(count)} on site; roll call written to {out}\n"
    (entry,) = roll_calls(data_dir)
    assert entry.params == {"count": count}
    assert entry.detail == f"Roll call of {count} visitor{'' if count == 1 else 's'}"


def test_an_empty_site_still_makes_a_roll_call(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "roll-call.pdf"

    result = ok(evacuation(cli, tmp_path / "data", "--out", out))

    assert result.stdout.startswith("0 people on site;")
    assert "Nobody is on site." in pdf_text(out)


# --- bad --out -------------------------------------------------------------------------------


def test_out_is_required(cli: Cli, usage_error: UsageError, tmp_path: Path) -> None:
    assert "--out" in usage_error(evacuation(cli, tmp_path / "data"))


@pytest.mark.parametrize("where", ["missing-folder", "folder-is-a-file", "out-is-a-folder"])
def test_an_out_path_that_cannot_be_a_file_is_bad_input(
    cli: Cli, usage_error: UsageError, tmp_path: Path, where: str
) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    out, named = {
        "missing-folder": (tmp_path / "no-such-folder" / "x.pdf", tmp_path / "no-such-folder"),
        "folder-is-a-file": (tmp_path / "a-file" / "x.pdf", tmp_path / "a-file"),
        "out-is-a-folder": (tmp_path, tmp_path),
    }[where]

    line = usage_error(evacuation(cli, tmp_path / "data", "--out", out))

    assert str(named) in line
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"]  # not even the data dir


def test_an_unwritable_out_fails_with_one_clear_line(cli: Cli, tmp_path: Path) -> None:
    out = Path("/proc/kiosk-roll-call.pdf")  # no one may create a file here, root included

    result = evacuation(cli, tmp_path / "data", "--out", out)

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"visitor-kiosk: cannot write the roll call to {out}: ")
    assert not out.exists()
    # The roll call was taken (and recorded) before the file could not be written.
    (entry,) = roll_calls(tmp_path / "data")
    assert entry.params == {"count": 0}


# --- --print ---------------------------------------------------------------------------------


def test_print_sends_the_roll_call_to_the_staff_printer(
    cli: Cli, demo_dir: Path, cups: CupsServer, tmp_path: Path
) -> None:
    queue, printed_dir = cups.add_pdf_queue("roll-call")
    config = printer_config(tmp_path, queue)
    names = [str(r["visitor_name"]) for r in present_json(cli, demo_dir)]
    out = tmp_path / "roll-call.pdf"

    result = ok(
        cli(
            "--data-dir", demo_dir, "--config", config, "evacuation", "--out", out, "--print",
            env={"CUPS_SERVER": str(cups.socket)},
        )
    )  # fmt: skip

    assert result.stdout.splitlines() == [
        f"{len(names)} people on site; roll call written to {out}",
        f"printed on {queue}",
    ]
    (printed,) = cups.wait_for_pdfs(printed_dir)
    text = flat(pdf_text(printed))
    assert f"{len(names)} people on site" in text
    # cups-pdf's copy draws every letter but keeps no text for those outside ASCII (its fonts
    # lose their Unicode map), so the name read back is one pdftotext can read there; which
    # visitors are on site, and who came first, depends on the hour the demo data was made.
    readable = [name for name in names if name.isascii()]
    assert readable
    assert readable[0] in text


def test_print_to_a_missing_queue_keeps_the_file_and_exits_1(
    cli: Cli, demo_dir: Path, cups: CupsServer, tmp_path: Path
) -> None:
    queue = cups.new_queue_name("missing")  # never added
    config = printer_config(tmp_path, queue)
    out = tmp_path / "roll-call.pdf"

    result = cli(
        "--data-dir", demo_dir, "--config", config, "evacuation", "--out", out, "--print",
        env={"CUPS_SERVER": str(cups.socket)},
    )  # fmt: skip

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("visitor-kiosk: not printed (missing")
    assert str(out) in line
    assert "roll call written to" in result.stdout
    assert out.read_bytes().startswith(b"%PDF")


def test_print_with_no_staff_printer_says_so_and_exits_1(
    cli: Cli, demo_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "roll-call.pdf"

    result = cli(
        "--data-dir", demo_dir, "--config", printer_config(tmp_path, "none"),
        "evacuation", "--out", out, "--print",
    )  # fmt: skip

    assert result.returncode == 1, result.stderr
    (line,) = result.stderr.splitlines()
    assert 'printer is "none"' in line
    assert out.read_bytes().startswith(b"%PDF")


def test_a_printer_that_fails_the_job_exits_1_and_leaves_no_job(
    cli: Cli, demo_dir: Path, cups: CupsServer, tmp_path: Path
) -> None:
    queue = cups.add_failing_queue()  # the job stops the queue, as a jammed printer does
    out = tmp_path / "roll-call.pdf"

    result = cli(
        "--data-dir", demo_dir, "--config", printer_config(tmp_path, queue),
        "evacuation", "--out", out, "--print",
        env={"CUPS_SERVER": str(cups.socket)},
    )  # fmt: skip

    assert result.returncode == 1, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("visitor-kiosk: not printed (failed")
    assert out.read_bytes().startswith(b"%PDF")
    assert cups.jobs(queue) == []  # cancelled: nothing prints later by surprise


def test_the_roll_call_is_in_the_sites_default_language(cli: Cli, tmp_path: Path) -> None:
    """From the command line nobody picked a language: the list is in the site's default (the
    first of `kiosk.languages`), with the site's name in it; what the command prints stays
    English."""
    config = tmp_path / "kiosk.toml"
    config.write_text(
        '[site]\nname = "Example B.V., head office"\n'
        'names = { da = "Example B.V., hovedkontoret" }\n'
        '[kiosk]\nlanguages = ["da", "en", "nl"]\n',
        encoding="utf-8",
    )
    data_dir = tmp_path / "data"
    core = assemble(data_dir, config)
    try:
        core.visits.sign_in(
            SignInForm("Anna de Vries", "Voorbeeld B.V."), core.notices.notice("nl")
        )
    finally:
        core.close()
    out = tmp_path / "roll-call.pdf"

    result = ok(cli("--data-dir", data_dir, "--config", config, "evacuation", "--out", out))

    assert result.stdout == f"1 person on site; roll call written to {out}\n"
    text = flat(pdf_text(out))
    assert "Evakueringsliste" in text
    assert "Example B.V., hovedkontoret" in text
    assert "1 person til stede" in text
    assert "Navn Virksomhed Vært Ankommet" in text
    assert "Evacuation" not in text
    assert "on site" not in text
