"""The staff audit log's records: who did what at the staff screen (or with a staff command of
the command line), when, and to which visits. An entry holds visit ids and counts, never a copy
of visitor data: a name, company or host never goes into `detail`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


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
