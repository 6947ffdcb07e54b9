"""The code on a visitor's badge: 128 random bits, nothing about the visitor.

Written in RFC 4648 base32 without padding (26 characters, A-Z and 2-7). That alphabet is
URL-safe, fits the QR code's compact alphanumeric mode, and survives the ways a USB barcode
scanner "types" a code: no punctuation, whose keys differ between keyboard layouts, and no
meaning in upper or lower case, so a scanner stuck in caps lock still reads right.
"""

from __future__ import annotations

import base64
import re
import secrets

CODE_LENGTH = 26
_CODE = re.compile(r"[A-Z2-7]{26}")


def new_badge_code() -> str:
    return base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=")


def read_badge_code(typed: str) -> str | None:
    """The code in what a scanner typed (spaces and case ignored); None if it cannot be one."""
    code = "".join(typed.split())
    if not code.isascii():  # "ı".upper() is "I": only what a scanner can type counts
        return None
    code = code.upper()
    return code if _CODE.fullmatch(code) else None
