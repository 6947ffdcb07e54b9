"""`visitor-kiosk screenshots`: every screen, in every configured language, as PNG files.

Runs on a throw-away data dir with a made-up visitor, so no real visitor appears. Nothing is
signed in, so nothing is printed."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kiosk.domain.audit import AuditAction, AuditEntry
from kiosk.domain.visit import HostNotice, NameMatch, OnSite, SignInForm, Visit
from kiosk.settings.config import load_config
from ui.app import create_main_window
from ui.main_window import KioskWindow
from ui.session import Screen

SIZES = ((1024, 600), (1280, 800), (1920, 1080))
SAMPLE = SignInForm(
    visitor_name="Anna de Vries",
    company="Voorbeeld Logistiek B.V.",
    host="Jens Sørensen",
    purpose="",
)


def render_screenshots(out_dir: Path, config_file: Path | None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="kiosk-shots-") as tmp:
        languages = load_config(config_file).kiosk.languages
        window = create_main_window(Path(tmp), config_file)
        try:
            for width, height in SIZES:
                window.resize(width, height)
                window.show()
                for language in languages:
                    written += _render_language(window, language, out_dir, f"{width}x{height}")
        finally:
            window.shutdown()
            window.close()
            window.deleteLater()
    return written


def _render_language(window: KioskWindow, language: str, out_dir: Path, size: str) -> list[Path]:
    window.session.reset()
    window.session.set_language(language)
    shots: list[Path] = []

    def snap(name: str) -> None:
        QApplication.processEvents()
        path = out_dir / f"{name}-{language}-{size}.png"
        if not window.grab().save(str(path)):
            raise OSError(f"cannot write {path}")
        shots.append(path)

    snap("welcome")
    window.session.show(Screen.NOTICE)
    snap("notice")
    window.session.show(Screen.DETAILS)
    details = window.details
    details.inputs["visitor_name"].setText(SAMPLE.visitor_name)
    details.inputs["company"].setText(SAMPLE.company)
    details.inputs["host"].setText(SAMPLE.host)
    details.purpose_buttons["meeting"].click()
    snap("details")
    details.inputs["visitor_name"].clear()
    details.submit.click()
    snap("details-error")
    window.done.show_signed_in(SAMPLE.visitor_name)
    window.session.show(Screen.DONE)
    snap("done-printing")
    window.done.show_badge(at_printer=True)
    snap("done")
    window.done.show_host_told(SAMPLE.host)  # the host's mail server accepted the message
    snap("done-host-told")
    window.done.show_signed_in(SAMPLE.visitor_name)
    window.done.show_badge(at_printer=False)
    snap("done-reception")
    window.done.show_declined()
    snap("done-declined")
    window.session.reset()
    window.session.set_language(language)
    window.session.show(Screen.SIGN_OUT)
    snap("sign-out")
    window.sign_out.show_unknown()
    snap("sign-out-unknown")
    window.sign_out.no_badge.click()
    window.sign_out.name_input.setText(SAMPLE.visitor_name)
    # One visit under the name: the question, with nothing but the name typed.
    window.sign_out.show_name_match(SAMPLE.visitor_name, NameMatch.ONE)
    snap("sign-out-by-name")
    # Several: reception tells them apart.
    window.sign_out.show_name_match(SAMPLE.visitor_name, NameMatch.SEVERAL)
    snap("sign-out-several")
    window.sign_out.show_goodbye(SAMPLE.visitor_name)
    snap("sign-out-goodbye")
    window.session.reset()
    window.session.set_language(language)
    window.session.show(Screen.STAFF_LOGIN)
    window.staff_login.pin_input.setText("1234")
    snap("staff-login")
    _staff_screens(window, language, snap)
    window.session.reset()
    return shots


# Made-up people for the staff screen's pictures.
_ON_SITE = (
    ("Anna de Vries", "Voorbeeld Logistiek B.V.", "Jens Sørensen", 8, 45),
    ("Bo Kristiansen", "Nordisk Ventilation A/S", "Mette Kjær", 9, 10),
    ("Siobhán O'Sullivan", "Harbourside Consulting Ltd", "Anouk de Vries", 9, 32),
    ("Daniël van der Berg", "Bouwbedrijf De Hoek B.V.", "Jens Sørensen", 10, 5),
    ("Ingrid Østergaard", "", "Lars Holm", 11, 20),
)


def _staff_screens(window: KioskWindow, language: str, snap: Callable[[str], None]) -> None:
    staff = window.staff
    window.session.show(Screen.STAFF)
    visits = [
        OnSite(
            visit_id=n + 1,
            visitor_name=name,
            company=company,
            host=host,
            signed_in_at=datetime.now().astimezone().replace(hour=h, minute=m).astimezone(UTC),
            # One host the kiosk could not tell: reception sees the mark.
            host_notice=HostNotice.NOT_REACHED if n == 2 else HostNotice.TOLD,
        )
        for n, (name, company, host, h, m) in enumerate(_ON_SITE)
    ]
    staff.show_present(sorted(visits, key=lambda v: v.signed_in_at))
    staff.present_table.selectRow(1)
    snap("staff")
    staff.tabs.setCurrentWidget(staff.rights)
    staff.rights.name_input.setText(SAMPLE.visitor_name)
    first = visits[0]
    found = replace(
        _sample_visit(language),
        visitor_name=first.visitor_name,
        company=first.company,
        host=first.host,
        signed_in_at=first.signed_in_at,
    )
    staff.rights.show_found([found, replace(found, visit_id=17, signed_out_at=first.signed_in_at)])
    snap("staff-rights")
    staff.tabs.setCurrentWidget(staff.audit)
    while window.worker.pending:  # the tab loads the (empty) log; then the sample goes in
        QApplication.processEvents()
    staff.audit.show_entries(sample_audit())
    snap("staff-audit")
    staff.tabs.setCurrentWidget(staff.on_site)


def sample_audit() -> list[AuditEntry]:
    # Round times today, so the pictures change only with the date.
    now = datetime.now().astimezone().replace(hour=11, minute=40, second=0, microsecond=0)
    made_up: tuple[tuple[AuditAction, dict[str, str | int], int, tuple[int, ...]], ...] = (
        (
            AuditAction.EXPORT,
            {
                "what": "visits",
                "first": "2026-11-01",
                "last": "2026-11-21",
                "count": 1843,
                "format": "csv",
            },
            0,
            (),
        ),
        (AuditAction.SIGN_OUT, {"count": 1}, 1, (2,)),
        (AuditAction.REPRINT, {}, 1, (4,)),
        (AuditAction.CORRECTION, {"field": "company"}, 1, (17,)),
        (AuditAction.ACCESS_REQUEST, {"count": 2}, 2, (1, 17)),
        (AuditAction.FAILED_LOGIN, {"count": 1}, 0, ()),
        (AuditAction.LOGIN, {}, 0, ()),
    )
    return [
        AuditEntry(
            audit_id=len(made_up) - n,
            at=now - timedelta(minutes=7 * n),
            action=action,
            detail="",
            visit_count=count,
            visit_ids=ids,
            kiosk_id="lobby-1",
            params=params,
        )
        for n, (action, params, count, ids) in enumerate(made_up)
    ]


def _sample_visit(language: str) -> Visit:
    return Visit(
        visit_id=1,
        visitor_name=SAMPLE.visitor_name,
        company=SAMPLE.company,
        host=SAMPLE.host,
        purpose="",
        signed_in_at=datetime.now(UTC).replace(hour=8, minute=45),
        signed_out_at=None,
        sign_out_method=None,
        language=language,
        notice_version=f"{language}-sample",
        kiosk_id="lobby-1",
    )
