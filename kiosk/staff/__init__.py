"""What reception staff do: the staff PIN, the audit log, signing visitors out and printing a
badge again, the evacuation roll call, and visitors' rights requests."""

from kiosk.staff.audit import AuditLog
from kiosk.staff.auth import LoginOutcome, LoginResult, StaffAuth
from kiosk.staff.reception import Reception
from kiosk.staff.rights import RightsRequests
from kiosk.staff.roll_call import OnSiteNow, RollCall, RollCallReport

__all__ = [
    "AuditLog",
    "LoginOutcome",
    "LoginResult",
    "OnSiteNow",
    "Reception",
    "RightsRequests",
    "RollCall",
    "RollCallReport",
    "StaffAuth",
]
