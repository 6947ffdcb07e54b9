"""The staff PIN: its scrypt hash, the PIN rule, and the lock-out after five wrong PINs in a
row (PRIVACY.md, "Security"), on a real database and a clock moved by hand."""

from __future__ import annotations

import base64
import hashlib
import re
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from visitsupport import MORNING, Clock

from kiosk.bootstrap import Core, assemble
from kiosk.domain.audit import AuditAction
from kiosk.staff.audit import AuditLog
from kiosk.staff.auth import (
    LoginOutcome,
    LoginResult,
    PinHashError,
    PinRuleError,
    StaffAuth,
    check_pin,
    hash_pin,
    verify_pin,
)

PIN = "80417263"
WRONG = "11112222"
FIVE_MINUTES = timedelta(minutes=5)
HASH_FORM = re.compile(r"scrypt\$16384\$8\$1\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)")


def make_auth(core: Core, clock: Clock) -> StaffAuth:
    """The staff login on the core's database, on the test's clock."""
    audit = AuditLog(core.store, core.config.site.kiosk_id, clock)
    return StaffAuth(core.store, audit, clock)


def rows(core: Core, sql: str) -> list[tuple[object, ...]]:
    """A look at the database file."""
    with closing(sqlite3.connect(core.paths.database)) as db:
        return db.execute(sql).fetchall()


@pytest.fixture
def auth(core: Core, clock: Clock) -> StaffAuth:
    staff = make_auth(core, clock)
    staff.set_pin(PIN)
    return staff


def lock_out(auth: StaffAuth) -> LoginResult:
    """Five wrong PINs in a row; returns the fifth's result."""
    results = [auth.login(WRONG) for _ in range(5)]
    assert [r.outcome for r in results[:4]] == [LoginOutcome.WRONG] * 4
    return results[4]


# --- the hash ---------------------------------------------------------------------------------


def test_hash_is_scrypt_with_its_parameters_salt_and_digest() -> None:
    stored = hash_pin(PIN)

    match = HASH_FORM.fullmatch(stored)
    assert match, stored
    salt = base64.b64decode(match[1], validate=True)
    digest = base64.b64decode(match[2], validate=True)
    assert len(salt) == 16
    assert digest == hashlib.scrypt(PIN.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)


def test_the_same_pin_hashes_differently_each_time() -> None:
    first, second = hash_pin(PIN), hash_pin(PIN)

    assert first != second
    assert verify_pin(PIN, first)
    assert verify_pin(PIN, second)


def test_verify_accepts_only_the_pin_the_hash_was_made_from() -> None:
    stored = hash_pin(PIN)

    assert verify_pin(PIN, stored)
    assert not verify_pin(WRONG, stored)
    assert not verify_pin(PIN[:-1], stored)
    assert not verify_pin(PIN + "0", stored)


def test_verify_reads_the_parameters_from_the_stored_hash() -> None:
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(PIN.encode(), salt=salt, n=2**10, r=4, p=2, dklen=32)
    stored = (
        f"scrypt$1024$4$2${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    )

    assert verify_pin(PIN, stored)
    assert not verify_pin(WRONG, stored)


@pytest.mark.parametrize(
    "stored",
    ["", PIN, "bcrypt$16384$8$1$AAAA$AAAA", "scrypt$16384$8$1$not base64!$AAAA", "scrypt$3$8$1$"],
)
def test_a_damaged_stored_hash_is_an_error_not_a_pass(stored: str) -> None:
    with pytest.raises(PinHashError):
        verify_pin(PIN, stored)


def test_the_database_holds_the_hash_never_the_pin(auth: StaffAuth, core: Core) -> None:
    ((pin_hash,),) = rows(core, "SELECT pin_hash FROM staff_auth")

    assert HASH_FORM.fullmatch(pin_hash)
    assert PIN not in pin_hash
    assert verify_pin(PIN, pin_hash)


# --- the PIN rule -----------------------------------------------------------------------------


@pytest.mark.parametrize("pin", ["0000", "1234", "80417263", "123456789012"])
def test_four_to_twelve_ascii_digits_are_a_pin(pin: str) -> None:
    check_pin(pin)


@pytest.mark.parametrize(
    "pin",
    [
        pytest.param("", id="empty"),
        pytest.param("123", id="too-short"),
        pytest.param("1234567890123", id="too-long"),
        pytest.param("12a4", id="letter"),
        pytest.param("abcd", id="letters"),
        pytest.param("١٢٣٤", id="arabic-indic-digits"),
        pytest.param("１２３４", id="fullwidth-digits"),
        pytest.param("12 34", id="space-inside"),
        pytest.param(" 1234", id="leading-space"),
        pytest.param("1234\n", id="newline"),
        pytest.param("-1234", id="sign"),
    ],
)
def test_pin_rule_refuses(pin: str, core: Core, clock: Clock) -> None:
    staff = make_auth(core, clock)

    with pytest.raises(PinRuleError) as caught:
        staff.set_pin(pin)

    if pin.strip():
        assert pin.strip() not in str(caught.value)
    assert not staff.has_pin()


def test_pin_rule_error_is_a_value_error() -> None:
    assert issubclass(PinRuleError, ValueError)


# --- login ------------------------------------------------------------------------------------


def test_no_pin_set_means_no_login(core: Core, clock: Clock) -> None:
    staff = make_auth(core, clock)

    assert not staff.has_pin()
    assert staff.login(PIN) == LoginResult(LoginOutcome.NO_PIN)
    assert not staff.login(PIN).ok


def test_the_right_pin_logs_in(auth: StaffAuth) -> None:
    assert auth.has_pin()
    result = auth.login(PIN)

    assert result.ok
    assert result.outcome is LoginOutcome.OK


def test_a_wrong_pin_gives_no_access(auth: StaffAuth) -> None:
    result = auth.login(WRONG)

    assert not result.ok
    assert result == LoginResult(LoginOutcome.WRONG, attempts_left=4)


@pytest.mark.parametrize("typed", ["", "8041726", "80417263 ", "８０４１７２６３", "abc"])
def test_near_misses_and_junk_are_wrong_pins(auth: StaffAuth, typed: str) -> None:
    assert auth.login(typed).outcome is LoginOutcome.WRONG


def test_attempts_left_count_down(auth: StaffAuth) -> None:
    left = [auth.login(WRONG).attempts_left for _ in range(4)]

    assert left == [4, 3, 2, 1]


def test_the_right_pin_resets_the_count(auth: StaffAuth) -> None:
    for _ in range(4):
        auth.login(WRONG)
    assert auth.login(PIN).ok

    assert auth.login(WRONG) == LoginResult(LoginOutcome.WRONG, attempts_left=4)


def test_the_fifth_wrong_pin_locks_for_five_minutes(auth: StaffAuth, clock: Clock) -> None:
    result = lock_out(auth)

    assert result == LoginResult(LoginOutcome.LOCKED, until=MORNING + FIVE_MINUTES)
    assert not result.ok


def test_six_wrong_pins_lock_out_even_the_right_pin(auth: StaffAuth, clock: Clock) -> None:
    lock_out(auth)
    sixth = auth.login(WRONG)
    clock.now = MORNING + timedelta(minutes=1)

    right = auth.login(PIN)

    assert sixth.outcome is LoginOutcome.LOCKED
    assert right == LoginResult(LoginOutcome.LOCKED, until=MORNING + FIVE_MINUTES)


def test_attempts_during_the_lock_do_not_extend_it(auth: StaffAuth, clock: Clock) -> None:
    lock_out(auth)
    for minute in range(1, 5):
        clock.now = MORNING + timedelta(minutes=minute)
        assert auth.login(WRONG).until == MORNING + FIVE_MINUTES

    clock.now = MORNING + FIVE_MINUTES
    assert auth.login(PIN).ok


def test_the_lock_holds_until_five_minutes_have_passed(auth: StaffAuth, clock: Clock) -> None:
    lock_out(auth)

    clock.now = MORNING + FIVE_MINUTES - timedelta(seconds=1)
    assert auth.login(PIN).outcome is LoginOutcome.LOCKED
    clock.now = MORNING + FIVE_MINUTES
    assert auth.login(PIN).ok


def test_after_the_lock_expires_the_count_restarts(auth: StaffAuth, clock: Clock) -> None:
    lock_out(auth)
    clock.now = MORNING + FIVE_MINUTES + timedelta(seconds=1)

    left = [auth.login(WRONG).attempts_left for _ in range(4)]
    fifth = auth.login(WRONG)

    assert left == [4, 3, 2, 1]
    assert fifth.outcome is LoginOutcome.LOCKED
    assert fifth.until == clock.now + FIVE_MINUTES


def test_the_lock_survives_a_restart(
    data_dir: Path, core: Core, auth: StaffAuth, clock: Clock
) -> None:
    lock_out(auth)
    core.store.close()
    clock.now = MORNING + timedelta(minutes=2)

    restarted = assemble(data_dir, data_dir / "kiosk.toml", clock=clock)
    try:
        staff = make_auth(restarted, clock)
        during = staff.login(PIN)
        clock.now = MORNING + FIVE_MINUTES
        after = staff.login(PIN)
    finally:
        restarted.close()

    assert during == LoginResult(LoginOutcome.LOCKED, until=MORNING + FIVE_MINUTES)
    assert after.ok


def test_a_clock_gone_back_cannot_make_the_lock_longer(auth: StaffAuth, clock: Clock) -> None:
    lock_out(auth)  # until MORNING + 5 min
    back = MORNING - timedelta(hours=1)
    clock.now = back

    during = auth.login(PIN)
    clock.now = back + FIVE_MINUTES - timedelta(seconds=1)
    still = auth.login(PIN)
    clock.now = back + FIVE_MINUTES
    after = auth.login(PIN)

    assert during == LoginResult(LoginOutcome.LOCKED, until=back + FIVE_MINUTES)
    assert still == LoginResult(LoginOutcome.LOCKED, until=back + FIVE_MINUTES)
    assert after.ok


def test_a_shortened_lock_is_stored_shortened(auth: StaffAuth, core: Core, clock: Clock) -> None:
    lock_out(auth)
    clock.now = MORNING - timedelta(hours=1)
    auth.login(PIN)

    with core.store.reading() as db:
        stored = db.staff_auth.get()

    assert stored is not None
    assert stored.locked_until is not None
    assert stored.locked_until == MORNING - timedelta(hours=1) + FIVE_MINUTES


def test_setting_a_new_pin_lifts_the_lock(auth: StaffAuth) -> None:
    lock_out(auth)

    auth.set_pin("2468")

    assert auth.login("2468").ok
    assert auth.login(PIN).outcome is LoginOutcome.WRONG


# --- the audit log ----------------------------------------------------------------------------


def actions(core: Core) -> list[AuditAction]:
    return [entry.action for entry in reversed(core.audit.entries(limit=None))]


def test_logins_failures_lock_outs_and_pin_changes_are_audited(
    auth: StaffAuth, core: Core, clock: Clock
) -> None:
    auth.login(PIN)
    auth.logout()
    lock_out(auth)
    auth.login(PIN)  # locked: refused unchecked, not audited
    clock.now = MORNING + FIVE_MINUTES
    auth.login(PIN)

    assert actions(core) == [
        AuditAction.PIN_SET,
        AuditAction.LOGIN,
        AuditAction.LOGOUT,
        *[AuditAction.FAILED_LOGIN] * 5,
        AuditAction.LOCK_OUT,
        AuditAction.LOGIN,
    ]


def test_audit_entries_never_hold_the_pin(auth: StaffAuth, core: Core) -> None:
    auth.login(PIN)
    lock_out(auth)
    auth.login(PIN)

    entries = rows(core, "SELECT * FROM audit_log")
    text = repr(entries)

    assert len(entries) >= 8
    assert PIN not in text
    assert WRONG not in text
