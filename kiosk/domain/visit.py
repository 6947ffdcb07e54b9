"""What a visit is, what signing in stores, and how what a visitor types becomes what is stored.

Normalisation (documented in the README, "What the kiosk stores"), applied to every field:
1. control characters (tabs and line breaks become spaces), unpaired surrogates and the
   invisible bidirectional override/isolate characters are removed, so nothing can hide or
   reorder text in the staff list or an export; zero-width joiners stay (emoji, Indic and
   Persian scripts need them);
2. Unicode NFC, so "é" typed as e + combining accent and "é" typed at once are the same name;
3. runs of white space become one space, and the ends are trimmed;
4. a field longer than its limit (in characters, after the steps above) is refused with a
   message, never cut silently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kiosk.domain.errors import Refusal

NAME_MAX = 100
FIELD_MAX = 100
# What staff may correct on a visitor's request (Art. 16): the four fields the visitor typed.
CORRECTABLE_FIELDS = ("visitor_name", "company", "host", "purpose")
# The purposes a visitor picks from a list, stored as these keys and shown in each reader's
# language (`Catalog.purpose`); a purpose the visitor types is stored as typed.
PURPOSES = ("meeting", "interview", "delivery", "maintenance", "training")

# Bidi embeddings/overrides (U+202A-U+202E) and isolates (U+2066-U+2069).
_BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_SPACES = re.compile(r"\s+")


class SignOutMethod(StrEnum):
    KIOSK = "kiosk"
    STAFF = "staff"
    AUTO = "auto"


class HostNotice(StrEnum):
    """Where telling a visit's host of the arrival stands (None: nobody is told, as when
    notification is off)."""

    PENDING = "pending"  # the e-mail to the host is in the outbox
    TOLD = "told"  # the host's mail server accepted it
    NOT_REACHED = "not_reached"  # reception was told instead: host unknown, refused or too late


@dataclass(frozen=True)
class Visit:
    visit_id: int
    visitor_name: str
    company: str
    host: str
    purpose: str
    signed_in_at: datetime
    signed_out_at: datetime | None
    sign_out_method: SignOutMethod | None
    language: str
    notice_version: str
    kiosk_id: str
    # Processing restricted (GDPR Art. 18) since then: kept, but left out of the on-site list
    # and the exports; on the evacuation roll call only. None: not restricted.
    restricted_at: datetime | None = None
    # An objection (Art. 21) received then, the visit restricted until it is decided; only
    # ever set on a restricted visit.
    objection_at: datetime | None = None

    @property
    def on_site(self) -> bool:
        return self.signed_out_at is None

    @property
    def restricted(self) -> bool:
        return self.restricted_at is not None


@dataclass(slots=True)
class NewVisit:
    """A visit to store: what a sign-in records (still on site), or a whole past visit (demo
    data). Its id is given by the store. Handed to the store and not kept; a plain (slotted)
    dataclass, as `demo` makes a million of them and a frozen one costs six times as much to
    make."""

    visitor_name: str
    company: str
    host: str
    purpose: str
    signed_in_at: datetime
    language: str
    notice_version: str
    kiosk_id: str
    signed_out_at: datetime | None = None
    sign_out_method: SignOutMethod | None = None


@dataclass(frozen=True)
class OnSite:
    """A row of the staff screen's on-site list: who, from where, for whom, since when, and
    whether their host was told of their arrival."""

    visit_id: int
    visitor_name: str
    company: str
    host: str
    signed_in_at: datetime
    host_notice: HostNotice | None = None


@dataclass(frozen=True)
class SignedIn:
    """A committed sign-in: the visit and the code printed on its badge."""

    visit: Visit
    badge_code: str


class NameMatch(StrEnum):
    """How many open visits are under a name typed at the kiosk, and nothing else about them:
    a visitor without their badge is asked to confirm one, and sent to reception for several
    (reception tells them apart on the staff screen)."""

    NONE = "none"
    ONE = "one"
    SEVERAL = "several"


@dataclass(frozen=True)
class SignedOut:
    """A visitor's own sign-out by name, as the goodbye needs it: the name the visit is under
    and the language it was made in. Nothing else of the visit reaches the screen."""

    visit_id: int
    visitor_name: str
    language: str


def people(count: int) -> str:
    """How many visitors, in the English of the audit log, the roll call and the command line."""
    return f"{count} person" if count == 1 else f"{count} people"


class UnknownVisit(LookupError, Refusal):
    """No open visit with that id (never existed, already signed out, or purged)."""


class UnknownBadge(LookupError, Refusal):
    """A scanned code that belongs to no visit: not one of ours, mistyped, or purged."""


class BadgeAlreadyUsed(LookupError, Refusal):
    """A scanned badge whose visit is already signed out."""

    def __init__(self, visit: Visit) -> None:
        super().__init__(visit.visit_id)
        self.visit = visit


class NoVisitNamed(LookupError, Refusal):
    """No open visit under exactly the name typed (any more: it may have been signed out
    since the visitor was asked to confirm)."""


class SeveralVisitsNamed(LookupError, Refusal):
    """More than one open visit under exactly the name typed: the kiosk cannot tell which is
    the visitor's, reception can."""


@dataclass(frozen=True)
class SignInForm:
    """What the visitor typed on the details screen, before normalisation."""

    visitor_name: str
    company: str = ""
    host: str = ""
    purpose: str = ""


class FieldError(ValueError, Refusal):
    """A field the visitor typed cannot be stored. `code` selects the translated message;
    the text never repeats what was typed (it could be personal data)."""

    def __init__(self, field: str, code: str, limit: int | None = None) -> None:
        self.field = field
        self.code = code
        self.limit = limit
        super().__init__(f"{field}: {code}")


def normalise_text(value: str) -> str:
    """Steps 1-3 of the module's normalisation (no length check)."""
    kept = []
    for char in value:
        category = unicodedata.category(char)
        if category == "Cc":
            kept.append(" " if char in "\t\n\r\v\f\x1c\x1d\x1e\x1f\x85" else "")
        elif category == "Cs" or char in _BIDI_CONTROLS:
            continue
        else:
            kept.append(char)
    # NFC after the removal, so that a removed character cannot leave a decomposed "é" behind.
    return _SPACES.sub(" ", unicodedata.normalize("NFC", "".join(kept))).strip()


def clean_form(form: SignInForm) -> SignInForm:
    """The form as it will be stored, or FieldError for the first field that cannot be."""
    name = normalise_text(form.visitor_name)
    if not name:
        raise FieldError("visitor_name", "required")
    if len(name) > NAME_MAX:
        raise FieldError("visitor_name", "too_long", NAME_MAX)
    cleaned = {"visitor_name": name}
    for field in ("company", "host", "purpose"):
        value = normalise_text(getattr(form, field))
        if len(value) > FIELD_MAX:
            raise FieldError(field, "too_long", FIELD_MAX)
        cleaned[field] = value
    return SignInForm(**cleaned)
