"""The people visitors come for, read from the CSV named by `hosts.file` (kiosk.hosts)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.bootstrap import assemble
from kiosk.visits.hosts import Host, HostsFileError, load_hosts, read_hosts


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "hosts.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_with_a_header(tmp_path: Path) -> None:
    path = write(
        tmp_path, "name,email\r\nZoë van Dijk,zoe@example.com\r\nBo Jensen,bo@example.com\r\n"
    )
    assert load_hosts(path) == ["Bo Jensen", "Zoë van Dijk"]


def test_header_in_capitals(tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Email\nBo Jensen,bo@example.com\n")
    assert load_hosts(path) == ["Bo Jensen"]


def test_without_a_header(tmp_path: Path) -> None:
    path = write(tmp_path, "Zoë van Dijk,zoe@example.com\nBo Jensen,bo@example.com\n")
    assert load_hosts(path) == ["Bo Jensen", "Zoë van Dijk"]


def test_names_only(tmp_path: Path) -> None:
    assert load_hosts(write(tmp_path, "Ann Smith\nBo Jensen")) == ["Ann Smith", "Bo Jensen"]


def test_byte_order_mark_is_not_part_of_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, "name,email\nBo Jensen,bo@example.com\n", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert load_hosts(path) == ["Bo Jensen"]


def test_byte_order_mark_is_not_part_of_the_first_name(tmp_path: Path) -> None:
    path = write(tmp_path, "Ann Smith,ann@example.com\n", encoding="utf-8-sig")
    assert load_hosts(path) == ["Ann Smith"]


def test_duplicates_are_removed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name,email\n"
        "Ann Smith,ann@example.com\n"
        "Ann Smith,ann.smith@example.com\n"
        "  Ann   Smith ,\n"
        "Rene\u0301 Dupont,\n"
        "René Dupont,\n",
    )
    assert load_hosts(path) == ["Ann Smith", "René Dupont"]


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "name,email\n\nAnn Smith,ann@x\n\n   \n,\n , \nBo Jensen,bo@x\n\n")
    assert load_hosts(path) == ["Ann Smith", "Bo Jensen"]


def test_names_are_normalised(tmp_path: Path) -> None:
    path = write(tmp_path, '"  Ann\tde\nVries ",ann@x\n\u202eBo\u202c Jensen,bo@x\n')
    assert load_hosts(path) == ["Ann de Vries", "Bo Jensen"]


def test_quoted_names_with_commas(tmp_path: Path) -> None:
    path = write(tmp_path, 'name,email\n"Smith, Ann",ann@x\n"O\'Brien ""Bob""",bob@x\n')
    assert load_hosts(path) == ['O\'Brien "Bob"', "Smith, Ann"]


def test_sorted_ignoring_case(tmp_path: Path) -> None:
    path = write(tmp_path, "bo jensen\nAnn Smith\nÆble Ørsted\ncy young\n")
    assert load_hosts(path) == ["Ann Smith", "bo jensen", "cy young", "Æble Ørsted"]


def test_empty_file_gives_no_hosts(tmp_path: Path) -> None:
    assert load_hosts(write(tmp_path, "")) == []
    assert load_hosts(write(tmp_path, "name,email\n")) == []


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        b"Ann Smith\n\xff\xfe\xfd\n",
        "Zoë van Dijk\n".encode("latin-1"),
    ],
    ids=["binary", "bad-utf8", "latin-1"],
)
def test_unreadable_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "hosts.csv"
    path.write_bytes(content)
    with pytest.raises(HostsFileError, match=r"hosts\.csv"):
        load_hosts(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HostsFileError):
        load_hosts(tmp_path / "absent.csv")


def test_addresses_and_languages_say_whom_to_tell_and_how(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name,email,language\n"
        "Bo Jensen,bo@example.com,da\n"
        "Ann Smith,ann@example.com,\n"
        "Cy Young,,EN\n",
    )
    assert read_hosts(path) == [
        Host("Ann Smith", "ann@example.com", ""),
        Host("Bo Jensen", "bo@example.com", "da"),
        Host("Cy Young", "", "en"),
    ]


def test_a_header_may_put_the_columns_in_any_order(tmp_path: Path) -> None:
    path = write(tmp_path, "Language,E-mail,Name,email\nnl,x,Anouk Bakker,anouk@example.nl\n")
    assert read_hosts(path) == [Host("Anouk Bakker", "anouk@example.nl", "nl")]
    no_header = write(tmp_path, "Anouk Bakker,anouk@example.nl,nl\n")
    assert read_hosts(no_header) == [Host("Anouk Bakker", "anouk@example.nl", "nl")]


def test_a_name_listed_twice_keeps_its_first_line(tmp_path: Path) -> None:
    path = write(tmp_path, "Ann Smith,ann@example.com\nann smith,other@example.com,da\n")
    assert read_hosts(path) == [Host("Ann Smith", "ann@example.com", "")]


def test_a_bad_address_or_language_costs_only_that_value_and_the_log_says_which_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(
        tmp_path,
        "name,email,language\n"
        "Bo Jensen,bo at example.com,da\n"
        "Ann Smith,ann@example.com,klingon\n"
        "Cy Young,cy@example.com;dj@example.com,en\n",
    )
    with caplog.at_level(logging.WARNING):
        hosts = read_hosts(path)
    assert hosts == [
        Host("Ann Smith", "ann@example.com", ""),
        Host("Bo Jensen", "", "da"),
        Host("Cy Young", "", "en"),
    ]
    for line in (2, 3, 4):
        assert f"line {line}:" in caplog.text
    for private in ("Jensen", "example.com", "klingon", "bo at"):
        assert private not in caplog.text


def test_kiosk_loads_the_configured_hosts(tmp_path: Path, data_dir: Path) -> None:
    write(tmp_path, "name,email\nBo Jensen,bo@x\nAnn Smith,ann@x\n")
    config = tmp_path / "kiosk.toml"
    config.write_text('[hosts]\nfile = "hosts.csv"\n', encoding="utf-8")
    core = assemble(data_dir, config)
    try:
        assert core.hosts == ("Ann Smith", "Bo Jensen")
    finally:
        core.close()


def test_kiosk_refuses_an_unreadable_hosts_file(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "hosts.csv").write_bytes(b"\xff\xfe\x00\x00")
    config = tmp_path / "kiosk.toml"
    config.write_text('[hosts]\nfile = "hosts.csv"\n', encoding="utf-8")
    with pytest.raises(HostsFileError):
        assemble(data_dir, config)
