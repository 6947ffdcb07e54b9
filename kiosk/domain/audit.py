"""The staff audit log's records: who did what at the staff screen (or with a staff command of
the command line), when, and to which visits. An entry holds visit ids and counts, never a copy
of visitor data: a name, company or host never goes into `detail` or `params`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

AuditParams = Mapping[str, str | int]


class AuditAction(StrEnum):
    LOGIN = "login"
    FAILED_LOGIN = "failed-login"
    LOCK_OUT = "lock-out"
    LOGOUT = "logout"
    PIN_SET = "pin-set"
    SIGN_OUT = "sign-out"
    REPRINT = "reprint"
    EXPORT = "export"
    EVACUATION = "evacuation"
    ACCESS_REQUEST = "access-request"
    CORRECTION = "correction"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    RESTRICTION_LIFTED = "restriction-lifted"
    OBJECTION = "objection"


@dataclass(frozen=True)
class AuditEntry:
    audit_id: int
    at: datetime
    action: AuditAction
    detail: str
    visit_count: int  # the visits involved when the entry was made
    visit_ids: tuple[int, ...]  # those still stored; erased or purged visits are unlinked
    kiosk_id: str
    # What the detail is made of (counts, a field's name, dates, a format), so that each reader
    # sees it in their language; empty for entries made before the log kept them, whose
    # `detail` (English) is all there is.
    params: AuditParams = field(default_factory=dict)
