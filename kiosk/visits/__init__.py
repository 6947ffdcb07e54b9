"""Signing visitors in and out, who is on site, the hosts visitors come for, and the rights
notice they read first."""

from kiosk.visits.hosts import Host, load_hosts, read_hosts
from kiosk.visits.notice import Notice, Notices
from kiosk.visits.service import SEARCH_LIMIT, Visits

__all__ = [
    "SEARCH_LIMIT",
    "Host",
    "Notice",
    "Notices",
    "Visits",
    "load_hosts",
    "read_hosts",
]
