"""Tests for the synthetic name pools used by `visitor-kiosk demo`."""

import unicodedata

import pytest

from kiosk.demo import names as demo_names

MIN_SIZES: dict[str, int] = {
    "GIVEN_NAMES_NL": 150,
    "GIVEN_NAMES_DA": 150,
    "GIVEN_NAMES_EN": 150,
    "FAMILY_NAMES_NL": 150,
    "FAMILY_NAMES_DA": 150,
    "FAMILY_NAMES_EN": 150,
    "COMPANIES": 120,
}

DUTCH_PARTICLES: tuple[str, ...] = (
    "van ",
    "de ",
    "den ",
    "der ",
    "ter ",
    "ten ",
    "in 't ",
    "van 't ",
    "op ",
    "te ",
)


def _pool(name: str) -> tuple[str, ...]:
    pool = getattr(demo_names, name)
    assert isinstance(pool, tuple)
    assert all(isinstance(entry, str) for entry in pool)
    return pool


def test_all_lists_every_constant() -> None:
    assert sorted(demo_names.__all__) == sorted(MIN_SIZES)


@pytest.mark.parametrize(("name", "minimum"), sorted(MIN_SIZES.items()))
def test_pool_minimum_size(name: str, minimum: int) -> None:
    assert len(_pool(name)) >= minimum


@pytest.mark.parametrize("name", sorted(MIN_SIZES))
def test_pool_entries_unique(name: str) -> None:
    pool = _pool(name)
    duplicates = sorted({entry for entry in pool if pool.count(entry) > 1})
    assert duplicates == []


@pytest.mark.parametrize("name", sorted(MIN_SIZES))
def test_pool_entries_clean(name: str) -> None:
    for entry in _pool(name):
        assert entry, f"empty entry in {name}"
        assert entry == entry.strip(), f"surrounding whitespace in {name}: {entry!r}"
        assert unicodedata.is_normalized("NFC", entry), f"not NFC in {name}: {entry!r}"
        assert not any(unicodedata.category(ch) == "Cc" for ch in entry), (
            f"control character in {name}: {entry!r}"
        )


def test_dutch_family_names_have_tussenvoegsels() -> None:
    with_particle = [n for n in demo_names.FAMILY_NAMES_NL if n.startswith(DUTCH_PARTICLES)]
    assert len(with_particle) >= 40


@pytest.mark.parametrize(
    ("name", "minimum"),
    [("GIVEN_NAMES_NL", 5), ("GIVEN_NAMES_DA", 5), ("GIVEN_NAMES_EN", 3)],
)
def test_given_names_include_diacritics(name: str, minimum: int) -> None:
    non_ascii = [entry for entry in _pool(name) if not entry.isascii()]
    assert len(non_ascii) >= minimum


def test_full_name_combinations_are_plentiful() -> None:
    pairs = (
        (demo_names.GIVEN_NAMES_NL, demo_names.FAMILY_NAMES_NL),
        (demo_names.GIVEN_NAMES_DA, demo_names.FAMILY_NAMES_DA),
        (demo_names.GIVEN_NAMES_EN, demo_names.FAMILY_NAMES_EN),
    )
    full_names = {
        f"{given} {family}"
        for given_pool, family_pool in pairs
        for given in given_pool
        for family in family_pool
    }
    assert len(full_names) > 20_000
