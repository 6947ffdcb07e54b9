"""The details screen: what is refused, what is stored, and that nothing typed is lost."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, drop_worker_connection, fill_and_submit, wait_for_screen

from kiosk.bootstrap import read_settings
from kiosk.domain.visit import NAME_MAX, normalise_text
from kiosk.settings.i18n import catalog
from ui.main_window import KioskWindow

HOSTILE = [
    "محمد بن سلمان العتيبي",  # Arabic, right to left
    "王秀英",  # CJK
    "Zoë 👩🏽‍💻 Ünal",  # emoji with a skin tone and a zero-width joiner
    "Jose\u0301 Mari\u0301a",  # combining accents, stored composed (NFC)
    "Robert'); DROP TABLE visits;--",
    '"Quoted" O\'Brien',
    "Tab\there\nnew line\x00nul\x07bell",
    "\u202eevil\u202c override",
]


def database_of(data_dir: Path) -> Path:
    paths, _config = read_settings(data_dir)
    return paths.database


def stored_visits(data_dir: Path) -> list[tuple[str, str, str, str]]:
    """What the database file holds, looked at from outside the kiosk."""
    with closing(sqlite3.connect(database_of(data_dir))) as db:
        return db.execute(
            "SELECT visitor_name, company, host, purpose FROM visits ORDER BY visit_id"
        ).fetchall()


@pytest.mark.parametrize("language", ["en", "nl", "da"])
@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_blank_name_is_refused_with_a_message(
    qtbot: QtBot, make_window: MakeWindow, data_dir: Path, language: str, name: str
) -> None:
    window = make_window()
    window.session.set_language(language)
    fill_and_submit(qtbot, window, name, company="Some company")
    assert window.current_screen() is window.details
    assert window.details.error.text() == window.catalog.text("error.required")
    assert window.details.error.accessibleName() == window.details.error.text()
    assert window.details.inputs["company"].text() == "Some company"
    assert stored_visits(data_dir) == []


def test_too_long_name_is_refused_not_cut(
    qtbot: QtBot, window: KioskWindow, data_dir: Path
) -> None:
    fill_and_submit(qtbot, window, "x" * 1000)
    assert window.current_screen() is window.details
    message = window.details.error.text()
    assert str(NAME_MAX) in message
    assert window.catalog.text("field.visitor_name") in message
    assert stored_visits(data_dir) == []
    # The limit itself is fine.
    window.details.inputs["visitor_name"].setText("y" * NAME_MAX)
    window.details.submit.click()
    wait_for_screen(qtbot, window, "done")
    assert stored_visits(data_dir) == [("y" * NAME_MAX, "", "", "")]


@pytest.mark.parametrize("text", HOSTILE)
def test_any_script_and_hostile_text_is_stored_as_normalised(
    qtbot: QtBot, window: KioskWindow, data_dir: Path, text: str
) -> None:
    fill_and_submit(qtbot, window, text, company=text, host=text, purpose=text)
    wait_for_screen(qtbot, window, "done")
    expected = normalise_text(text)
    assert expected  # every sample keeps visible text
    assert stored_visits(data_dir) == [(expected, expected, expected, expected)]
    assert expected in window.done.message.text()


def test_language_change_keeps_what_was_typed(qtbot: QtBot, window: KioskWindow) -> None:
    fill_and_submit(qtbot, window, "")  # lands on details with an error
    details = window.details
    details.inputs["visitor_name"].setText("Åse Lund")
    details.inputs["host"].setText("Mikkel Skov")
    details.purpose_buttons["delivery"].click()
    assert details.inputs["purpose"].text() == "Delivery"

    window.language_bar.buttons["da"].click()
    assert window.session.language == "da"
    assert details.inputs["visitor_name"].text() == "Åse Lund"
    assert details.inputs["host"].text() == "Mikkel Skov"
    # A purpose picked from the choices follows the language; the error follows too.
    assert details.inputs["purpose"].text() == window.catalog.text("details.purpose.delivery")
    assert details.error.text() == window.catalog.text("error.required")
    assert details.submit.text() == window.catalog.text("details.submit")

    details.inputs["purpose"].setText("Eget formål")
    details.inputs["purpose"].textEdited.emit("Eget formål")
    window.language_bar.buttons["nl"].click()
    assert details.inputs["purpose"].text() == "Eget formål"


def test_host_type_ahead_from_the_hosts_file(
    qtbot: QtBot, make_window: MakeWindow, write_config: object, tmp_path: Path
) -> None:
    hosts = tmp_path / "hosts.csv"
    hosts.write_text(
        "name,email\nAnouk de Vries,anouk@example.com\nJens Sørensen,jens@example.com\n",
        encoding="utf-8",
    )
    config = write_config('[hosts]\nfile = "hosts.csv"\n')  # type: ignore[operator]
    window = make_window(config)
    completer = window.details.inputs["host"].completer()
    assert completer is not None
    completer.setCompletionPrefix("søren")
    assert completer.currentCompletion() == "Jens Sørensen"
    assert window.details.inputs["host"].placeholderText() == window.catalog.text(
        "details.host_hint_directory"
    )


def test_without_a_hosts_file_the_host_is_free_text(window: KioskWindow) -> None:
    assert window.details.inputs["host"].completer() is None


def test_storage_failure_shows_a_calm_message_and_keeps_the_form(
    qtbot: QtBot, window: KioskWindow, data_dir: Path
) -> None:
    database = database_of(data_dir)
    moved = database.with_name("kiosk.db.away")
    database.rename(moved)
    database.mkdir()  # the worker cannot open a database here
    drop_worker_connection(qtbot, window)
    fill_and_submit(qtbot, window, "Mette Kjær")
    qtbot.waitUntil(lambda: bool(window.details.error.text()), timeout=5000)
    assert window.details.error.text() == window.catalog.text("error.storage")
    assert window.details.inputs["visitor_name"].text() == "Mette Kjær"
    assert window.details.submit.isEnabled()

    # The fault clears: the next try works without restarting the kiosk.
    database.rmdir()
    moved.rename(database)
    window.details.submit.click()
    wait_for_screen(qtbot, window, "done")
    assert stored_visits(data_dir) == [("Mette Kjær", "", "", "")]


def test_submit_twice_stores_one_visit(qtbot: QtBot, window: KioskWindow, data_dir: Path) -> None:
    fill_and_submit(qtbot, window, "Lærke Bech")
    window.details.submit.click()  # a second tap while the first is being saved
    wait_for_screen(qtbot, window, "done")
    qtbot.waitUntil(lambda: window.worker.pending == 0)
    assert stored_visits(data_dir) == [("Lærke Bech", "", "", "")]


@pytest.mark.parametrize(
    "typed",
    [
        "Robert'); DROP TABLE visits;--",
        "%s%n{0}${x}",
        "\u202eevil\u202c",
        "zero\u200bwidth\ufeff",
        "line\nbreak\ttab\x1b",
        '=HYPERLINK("x")',
        "x" * 10_000,
        "   ",
    ],
)
def test_hostile_text_in_every_field_is_stored_as_shown_or_refused_calmly(
    qtbot: QtBot, window: KioskWindow, data_dir: Path, typed: str
) -> None:
    fill_and_submit(qtbot, window, typed, typed, typed, typed)
    qtbot.waitUntil(
        lambda: window.current_screen() is window.done or bool(window.details.error.text()),
        timeout=5000,
    )
    if window.current_screen() is window.done:
        (stored,) = stored_visits(data_dir)
        assert stored == (normalise_text(typed),) * 4
    else:
        assert stored_visits(data_dir) == []
        assert window.details.error.text()  # a field message, in the visitor's language
        echoed = typed.strip()[:20]
        assert not echoed or echoed not in window.details.error.text()  # never repeats input


# What the form shows while it is filled in (review, "Details"): which fields are optional, the
# error right under its field with the field marked, gone once the field is right, and the
# chosen purpose shown as chosen.


def _below(upper: object, lower: object) -> bool:
    from PySide6.QtWidgets import QWidget

    assert isinstance(upper, QWidget)
    assert isinstance(lower, QWidget)
    top = lower.mapTo(upper.window(), lower.rect().topLeft()).y()
    bottom = upper.mapTo(upper.window(), upper.rect().bottomLeft()).y()
    return top >= bottom


@pytest.mark.parametrize("language", ["en", "nl", "da"])
def test_every_field_but_the_name_says_it_is_optional(
    make_window: MakeWindow, language: str
) -> None:
    window = make_window()
    window.session.set_language(language)
    optional = window.catalog.text("details.optional")
    labels = window.details.labels
    assert optional not in labels["visitor_name"].text()
    for field in ("company", "host", "purpose"):
        assert f"({optional})" in labels[field].text(), field
        assert f"({optional})" in window.details.inputs[field].accessibleName(), field


def test_the_error_is_under_its_field_marks_it_and_goes_once_it_is_right(
    qtbot: QtBot, window: KioskWindow
) -> None:
    fill_and_submit(qtbot, window, "", company="Acme")
    details = window.details
    name, company = details.inputs["visitor_name"], details.inputs["company"]
    assert details.error.isVisible()
    assert details.error.text() == window.catalog.text("error.required")
    assert _below(name, details.error)
    assert _below(details.error, company)  # between the name and the next field
    assert name.property("error") is True
    assert not company.property("error")

    qtbot.keyClicks(name, "A")  # typed keys reach the field after the scanner's hold-back
    qtbot.waitUntil(lambda: details.error.text() == "")
    assert not name.property("error")


def test_an_error_about_no_field_stays_above_the_buttons(window: KioskWindow) -> None:
    details = window.details
    details.show_error("error.storage")
    assert details.error.text() == window.catalog.text("error.storage")
    assert _below(details.form_area, details.error)
    assert _below(details.error, details.submit)
    assert not any(edit.property("error") for edit in details.inputs.values())


def test_the_chosen_purpose_shows_as_chosen_until_something_else_is_typed(
    qtbot: QtBot, window: KioskWindow
) -> None:
    window.welcome.sign_in.click()
    window.notice.proceed.click()
    chips = window.details.purpose_buttons
    chips["delivery"].click()
    assert [key for key, chip in chips.items() if chip.isChecked()] == ["delivery"]
    chips["meeting"].click()
    assert [key for key, chip in chips.items() if chip.isChecked()] == ["meeting"]
    qtbot.keyClicks(window.details.inputs["purpose"], "s")
    qtbot.waitUntil(lambda: not any(chip.isChecked() for chip in chips.values()))
    chips["training"].click()
    window.details.clear()
    assert not any(chip.isChecked() for chip in chips.values())


def test_a_purpose_from_the_list_is_stored_as_its_key_and_a_typed_one_as_typed(
    qtbot: QtBot, window: KioskWindow, data_dir: Path
) -> None:
    """The log holds one purpose, not "Møde", "Afspraak" and "Meeting": each reader sees it in
    their own language."""
    window.language_bar.buttons["da"].click()
    window.welcome.sign_in.click()
    window.notice.proceed.click()
    details = window.details
    details.inputs["visitor_name"].setText("Åse Lund")
    details.purpose_buttons["meeting"].click()
    assert details.inputs["purpose"].text() == "Møde"
    details.submit.click()
    wait_for_screen(qtbot, window, "done")
    window.done.finish.click()
    wait_for_screen(qtbot, window, "welcome")
    fill_and_submit(qtbot, window, "Bo Berg", purpose="Møde")  # typed, not picked
    wait_for_screen(qtbot, window, "done")

    assert [purpose for *_, purpose in stored_visits(data_dir)] == ["meeting", "Møde"]
    assert [catalog(lang).purpose("meeting") for lang in ("en", "nl", "da")] == [
        "Meeting",
        "Afspraak",
        "Møde",
    ]
    assert catalog("nl").purpose("Møde") == "Møde"
