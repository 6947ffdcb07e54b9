"""Synthetic name pools for `visitor-kiosk demo`, shipped as `assets/demo/names.toml`.

Any resemblance to real people is coincidence of common names."""

from __future__ import annotations

import tomllib

from kiosk.settings.assets import asset_path

__all__ = [
    "COMPANIES",
    "FAMILY_NAMES_DA",
    "FAMILY_NAMES_EN",
    "FAMILY_NAMES_NL",
    "GIVEN_NAMES_DA",
    "GIVEN_NAMES_EN",
    "GIVEN_NAMES_NL",
]


def _pools() -> dict[str, tuple[str, ...]]:
    with asset_path("demo", "names.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    return {name: tuple(str(entry) for entry in entries) for name, entries in raw.items()}


_POOLS = _pools()
COMPANIES = _POOLS["companies"]
FAMILY_NAMES_DA = _POOLS["family_names_da"]
FAMILY_NAMES_EN = _POOLS["family_names_en"]
FAMILY_NAMES_NL = _POOLS["family_names_nl"]
GIVEN_NAMES_DA = _POOLS["given_names_da"]
GIVEN_NAMES_EN = _POOLS["given_names_en"]
GIVEN_NAMES_NL = _POOLS["given_names_nl"]
