"""The config keys for the auto sign-out and the badge: kiosk.auto_sign_out, badge.layout,
badge.print_timeout_s."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from visitsupport import (
    ELEVEN_PM,
    WriteConfig,
)

from kiosk.bootstrap import assemble
from kiosk.settings.config import BADGE_LAYOUTS, Config, ConfigError, load_config

pytestmark = pytest.mark.usefixtures("amsterdam")


# The config keys.


def test_auto_sign_out_defaults_to_eleven_pm() -> None:
    assert Config().kiosk.auto_sign_out == "23:00"
    assert Config().auto_sign_out_time() == ELEVEN_PM


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23:00", time(23, 0)),
        ("7:30", time(7, 30)),
        ("07:30", time(7, 30)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        (" 18:45 ", time(18, 45)),
        ("", None),
    ],
)
def test_auto_sign_out_times_are_read(
    write_config: WriteConfig, text: str, expected: time | None
) -> None:
    config = load_config(write_config(f'[kiosk]\nauto_sign_out = "{text}"\n'))
    assert config.auto_sign_out_time() == expected


@pytest.mark.parametrize(
    "value",
    ['"24:00"', '"23:60"', '"11pm"', '"23:00:00"', "2300", '"23.00"', '"23:0"', '"-1:00"', '"now"'],
)
def test_a_bad_auto_sign_out_time_names_the_key(
    data_dir: Path, write_config: WriteConfig, value: str
) -> None:
    path = write_config(f"[kiosk]\nauto_sign_out = {value}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == "kiosk.auto_sign_out"
    assert "kiosk.auto_sign_out:" in str(caught.value)
    assert "\n" not in str(caught.value)
    with pytest.raises(ConfigError, match=r"kiosk\.auto_sign_out"):
        assemble(data_dir, path)


@pytest.mark.parametrize("layout", BADGE_LAYOUTS)
def test_every_badge_layout_is_accepted(write_config: WriteConfig, layout: str) -> None:
    assert load_config(write_config(f'[badge]\nlayout = "{layout}"\n')).badge.layout == layout


def test_an_unknown_badge_layout_names_the_key(write_config: WriteConfig) -> None:
    assert Config().badge.layout in BADGE_LAYOUTS
    with pytest.raises(ConfigError) as caught:
        load_config(write_config('[badge]\nlayout = "letter"\n'))
    assert caught.value.key == "badge.layout"
    assert "badge.layout:" in str(caught.value)
    assert "'letter'" in str(caught.value)


@pytest.mark.parametrize("seconds", [2, 20, 300])
def test_print_timeouts_in_range_are_accepted(write_config: WriteConfig, seconds: int) -> None:
    config = load_config(write_config(f"[badge]\nprint_timeout_s = {seconds}\n"))
    assert config.badge.print_timeout_s == seconds


@pytest.mark.parametrize("value", ["1", "0", "301", '"20"', "true"])
def test_a_bad_print_timeout_names_the_key(write_config: WriteConfig, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(f"[badge]\nprint_timeout_s = {value}\n"))
    assert caught.value.key == "badge.print_timeout_s"
    assert "badge.print_timeout_s:" in str(caught.value)
