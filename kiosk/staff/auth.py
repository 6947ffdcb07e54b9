"""The staff PIN: stored only as a slow salted scrypt hash, and five wrong PINs in a row lock
staff login for five minutes (PRIVACY.md, "Security").

The lock is kept in the database, so a restart does not lift it. While it holds, every PIN,
the right one too, is refused without being checked. The PIN itself is never logged, never
audited and never stored; error messages do not repeat it.

Logins run on the Qt front end's database worker, never on the GUI thread (the hash is slow on
purpose)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from kiosk.domain.audit import AuditAction
from kiosk.domain.clock import Clock, utc_now
from kiosk.domain.ports import Repositories, Store
from kiosk.staff.audit import AuditLog

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # wrong PINs in a row that lock staff login
LOCK_S = 300  # how long the lock lasts, in seconds
PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 12

# scrypt: 16 MiB of memory per hash. Each stored hash names its own parameters, so they can be
# raised later without making the PINs set before unusable.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_DKLEN = 32
SALT_BYTES = 16
_SCHEME = "scrypt"
_MAX_MEMORY = 2**31 - 1  # the most that hashlib.scrypt accepts as maxmem
_DIGITS = frozenset("0123456789")


class PinRuleError(ValueError):
    """The PIN breaks the rule: 4 to 12 of the digits 0-9. The message never repeats it."""


class PinHashError(ValueError):
    """The stored hash is not in a form this program knows (the database was changed by hand)."""


def check_pin(pin: str) -> None:
    """Raise PinRuleError unless `pin` is 4 to 12 ASCII digits (no spaces, no other scripts)."""
    if not pin:
        raise PinRuleError("the staff PIN is empty: give 4 to 12 digits (0-9)")
    if not set(pin) <= _DIGITS:
        raise PinRuleError("a staff PIN may hold only the digits 0-9")
    if not PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS:
        raise PinRuleError(f"a staff PIN has {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits")


def hash_pin(pin: str) -> str:
    """`scrypt$<n>$<r>$<p>$<salt, base64>$<hash, base64>` with a fresh random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_DKLEN)
    return "$".join(
        (
            _SCHEME,
            str(SCRYPT_N),
            str(SCRYPT_R),
            str(SCRYPT_P),
            base64.b64encode(salt).decode("ascii"),
            base64.b64encode(digest).decode("ascii"),
        )
    )


def verify_pin(pin: str, pin_hash: str) -> bool:
    """Whether `pin` is the one `pin_hash` was made from, with the parameters stored in it."""
    n, r, p, salt, expected = _parse(pin_hash)
    return hmac.compare_digest(_scrypt(pin, salt, n, r, p, len(expected)), expected)


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    memory = 128 * r * (n + p + 2) + 1024  # what OpenSSL needs for these parameters
    return hashlib.scrypt(
        pin.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        dklen=dklen,
        maxmem=min(memory, _MAX_MEMORY),
    )


def _parse(pin_hash: str) -> tuple[int, int, int, bytes, bytes]:
    parts = pin_hash.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        raise PinHashError("the stored staff PIN hash is not an scrypt hash")
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error) as exc:
        raise PinHashError("the stored staff PIN hash is damaged") from exc
    if n < 2 or n & (n - 1) or r < 1 or p < 1 or not salt or len(expected) < 16:
        raise PinHashError("the stored staff PIN hash has impossible parameters")
    return n, r, p, salt, expected


class LoginOutcome(StrEnum):
    OK = "ok"  # the right PIN: open the staff screen
    WRONG = "wrong"  # a wrong PIN; `attempts_left` more before the lock
    LOCKED = "locked"  # staff login is locked until `until`; the PIN was not checked
    NO_PIN = "no-pin"  # no staff PIN was ever set (`visitor-kiosk set-staff-pin`)


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    attempts_left: int = 0  # WRONG: wrong PINs still allowed before the lock
    until: datetime | None = None  # LOCKED: when the lock ends (timezone-aware, UTC)

    @property
    def ok(self) -> bool:
        return self.outcome is LoginOutcome.OK


class StaffAuth:
    """Setting the staff PIN and checking it at the staff login. The slow hash is checked
    outside any transaction, so a login never holds the database; what it changes (the count,
    the lock, the audit entries) is then written in one transaction."""

    def __init__(self, store: Store, audit: AuditLog, clock: Clock = utc_now) -> None:
        self._store = store
        self._audit = audit
        self._clock = clock

    def has_pin(self) -> bool:
        with self._store.reading() as db:
            return db.staff_auth.get() is not None

    def set_pin(self, pin: str) -> None:
        """Store a new PIN's hash (PinRuleError if it breaks the rule). Lifts any lock."""
        check_pin(pin)
        pin_hash = hash_pin(pin)
        with self._store.transaction() as db:
            db.staff_auth.set_pin_hash(pin_hash)
            self._audit.record(db, AuditAction.PIN_SET)

    def login(self, pin: str) -> LoginResult:
        """Check a PIN typed at the staff login. Slow on purpose (scrypt): not on the GUI thread."""
        with self._store.reading() as db:
            stored = db.staff_auth.get()
        if stored is None:
            log.info("staff login refused: no staff PIN is set")
            return LoginResult(LoginOutcome.NO_PIN)
        now = self._clock()
        failures = stored.failed_attempts
        lock_ran_out = False
        if stored.locked_until is not None:
            until = self._lock_end(stored.locked_until, now)
            if now < until:
                log.info("staff login refused: locked until %s", until.isoformat())
                return LoginResult(LoginOutcome.LOCKED, until=until)
            lock_ran_out = True  # the count starts again
            failures = 0
        right = _is_pin(pin) and verify_pin(pin, stored.pin_hash)
        with self._store.transaction() as db:
            if lock_ran_out or (right and failures):
                db.staff_auth.record_success()
            if right:
                self._audit.record(db, AuditAction.LOGIN)
                return LoginResult(LoginOutcome.OK)
            return self._wrong(db, now)

    def logout(self) -> None:
        """Staff left the staff screen."""
        with self._store.transaction() as db:
            self._audit.record(db, AuditAction.LOGOUT)

    def _wrong(self, db: Repositories, now: datetime) -> LoginResult:
        """The count the database holds decides (another kiosk's wrong PINs count too)."""
        lock = now + timedelta(seconds=LOCK_S)
        count = db.staff_auth.record_failure(MAX_ATTEMPTS, lock)
        self._audit.record(db, AuditAction.FAILED_LOGIN, count=count)
        if count >= MAX_ATTEMPTS:
            self._audit.record(db, AuditAction.LOCK_OUT, count=count, minutes=LOCK_S // 60)
            return LoginResult(LoginOutcome.LOCKED, until=lock)
        return LoginResult(LoginOutcome.WRONG, attempts_left=MAX_ATTEMPTS - count)

    def _lock_end(self, until: datetime, now: datetime) -> datetime:
        """The lock's end, no later than LOCK_S from now: if the clock went back, the lock is
        shortened (and stored so), never made longer."""
        latest = now + timedelta(seconds=LOCK_S)
        if until <= latest:
            return until
        log.warning("clock went back during a staff lock-out: lock shortened to %s s", LOCK_S)
        with self._store.transaction() as db:
            db.staff_auth.set_locked_until(latest)
        return latest


def _is_pin(pin: str) -> bool:
    try:
        check_pin(pin)
    except PinRuleError:
        return False
    return True
