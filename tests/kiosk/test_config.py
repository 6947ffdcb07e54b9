"""The config file (contract: "Where data lives") and where the data dir and config are found."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import platformdirs
import pytest

from kiosk.bootstrap import Core, assemble
from kiosk.settings.config import Config, ConfigError, load_config, with_environment
from kiosk.settings.paths import APP_NAME, resolve_paths

WriteConfig = Callable[[str], Path]

FULL_CONFIG = """
[site]
name = "Acme Nederland, Utrecht"
controller = "Acme Nederland B.V."
privacy_contact = "dpo@acme.test"
supervisory_authority = "Datatilsynet"
kiosk_id = "gate-7"

[kiosk]
languages = ["da", "en"]
idle_timeout_s = 45
done_timeout_s = 8
virtual_keyboard = true

[retention]
visit_days = 30

[badge]
printer = "none"

[hosts]
file = "hosts.csv"
"""


def test_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml")
    assert config == Config()
    assert config.kiosk.languages == ("en", "nl", "da")
    assert config.default_language == "en"
    assert config.kiosk.idle_timeout_s == 60
    assert config.retention.visit_days == 90
    assert config.site.kiosk_id == "lobby-1"
    assert config.badge.printer == ""
    assert config.hosts_path() is None


def test_no_path_gives_the_defaults() -> None:
    assert load_config(None) == Config()


def test_the_core_without_config_file_uses_defaults(data_dir: Path, core: Core) -> None:
    assert not (data_dir / "kiosk.toml").exists()
    assert core.config == Config()
    assert core.hosts == ()


def test_every_key_is_read_with_its_type(tmp_path: Path, write_config: WriteConfig) -> None:
    (tmp_path / "hosts.csv").write_text("name,email\nAnna,anna@acme.test\n", encoding="utf-8")
    config = load_config(write_config(FULL_CONFIG))
    assert config.site.name == "Acme Nederland, Utrecht"
    assert config.site.controller == "Acme Nederland B.V."
    assert config.site.privacy_contact == "dpo@acme.test"
    assert config.site.supervisory_authority == "Datatilsynet"
    assert config.site.kiosk_id == "gate-7"
    assert config.kiosk.languages == ("da", "en")
    assert isinstance(config.kiosk.languages, tuple)
    assert config.default_language == "da"
    assert config.kiosk.idle_timeout_s == 45
    assert type(config.kiosk.idle_timeout_s) is int
    assert config.kiosk.done_timeout_s == 8
    assert config.kiosk.virtual_keyboard is True
    assert config.retention.visit_days == 30
    assert type(config.retention.visit_days) is int
    assert config.badge.printer == "none"
    assert config.hosts.file == "hosts.csv"


def test_a_partial_file_keeps_defaults_for_the_rest(write_config: WriteConfig) -> None:
    config = load_config(write_config("[retention]\nvisit_days = 14\n"))
    assert config.retention.visit_days == 14
    assert config.kiosk == Config().kiosk
    assert config.site == Config().site


def test_relative_hosts_file_is_resolved_against_the_config_folder(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_dir = tmp_path / "etc"
    config_dir.mkdir()
    (config_dir / "people.csv").write_text("Anna de Vries\n", encoding="utf-8")
    config_file = config_dir / "kiosk.toml"
    config_file.write_text('[hosts]\nfile = "people.csv"\n', encoding="utf-8")
    monkeypatch.chdir(data_dir)  # not the config's folder

    config = load_config(config_file)
    assert config.hosts_path() == config_dir / "people.csv"
    core = assemble(data_dir, config_file)
    try:
        assert core.hosts == ("Anna de Vries",)
    finally:
        core.close()


def test_absolute_hosts_file_is_used_as_is(tmp_path: Path, write_config: WriteConfig) -> None:
    hosts = tmp_path / "elsewhere" / "hosts.csv"
    hosts.parent.mkdir()
    hosts.write_text("Bo Jensen\n", encoding="utf-8")
    config = load_config(write_config(f'[hosts]\nfile = "{hosts.as_posix()}"\n'))
    assert config.hosts_path() == hosts


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[site]\ncolour = 'blue'\n", "site.colour"),
        ("[printer]\nname = 'x'\n", "printer"),
        ('[retention]\nvisit_days = "ninety"\n', "retention.visit_days"),
        ('[kiosk]\nlanguages = "en"\n', "kiosk.languages"),
        ("[kiosk]\nidle_timeout_s = true\n", "kiosk.idle_timeout_s"),
        ("[retention]\nvisit_days = true\n", "retention.visit_days"),
        ("[retention]\nvisit_days = 0\n", "retention.visit_days"),
        ("[retention]\nvisit_days = 100000\n", "retention.visit_days"),
        ("[kiosk]\nidle_timeout_s = 1\n", "kiosk.idle_timeout_s"),
        ('[kiosk]\nlanguages = ["en", "fr"]\n', "kiosk.languages"),
        ('[kiosk]\nlanguages = ["nl", "en", "nl"]\n', "kiosk.languages"),
        ("[kiosk]\nlanguages = []\n", "kiosk.languages"),
        ('[site]\ncontroller = ""\n', "site.controller"),
        ('[site]\ncontroller = "   "\n', "site.controller"),
        ('[hosts]\nfile = "no-such-hosts.csv"\n', "hosts.file"),
        ('site = "Example"\n', "site"),
    ],
    ids=[
        "unknown-key",
        "unknown-section",
        "text-for-int",
        "text-for-list",
        "bool-for-int",
        "bool-for-days",
        "days-zero",
        "days-huge",
        "idle-too-short",
        "unsupported-language",
        "duplicated-language",
        "no-languages",
        "empty-controller",
        "blank-controller",
        "missing-hosts-file",
        "section-not-a-table",
    ],
)
def test_bad_value_names_the_key_on_one_line(
    write_config: WriteConfig, text: str, key: str
) -> None:
    path = write_config(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert caught.value.key == key
    assert f"{key}:" in message
    assert str(path) in message
    assert "\n" not in message
    assert "\r" not in message


def test_unsupported_language_is_named(write_config: WriteConfig) -> None:
    with pytest.raises(ConfigError, match="'fr'"):
        load_config(write_config('[kiosk]\nlanguages = ["fr"]\n'))


def test_wrong_type_message_says_what_was_given(write_config: WriteConfig) -> None:
    with pytest.raises(ConfigError, match="ninety"):
        load_config(write_config('[retention]\nvisit_days = "ninety"\n'))


def test_toml_syntax_error_is_one_line(write_config: WriteConfig) -> None:
    path = write_config("[site]\ncontroller = \n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message
    assert "TOML" in message
    assert "line 2" in message
    assert "\n" not in message


def test_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b"[site]\ncontroller = '\xff\xfe'\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "UTF-8" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_assembling_stops_on_a_bad_config(data_dir: Path, write_config: WriteConfig) -> None:
    with pytest.raises(ConfigError, match=r"retention\.visit_days"):
        assemble(data_dir, write_config("[retention]\nvisit_days = -5\n"))


# resolve_paths: option, then environment, then the platform default.


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("KIOSK_DATA_DIR", raising=False)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    return monkeypatch


def test_data_dir_option_beats_environment(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("KIOSK_DATA_DIR", str(tmp_path / "from-env"))
    paths = resolve_paths(tmp_path / "from-option")
    assert paths.data_dir == tmp_path / "from-option"
    assert paths.database == tmp_path / "from-option" / "kiosk.db"


def test_data_dir_environment_beats_platform(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("KIOSK_DATA_DIR", str(tmp_path / "from-env"))
    assert resolve_paths().data_dir == tmp_path / "from-env"


def test_data_dir_defaults_to_the_platform_dir(clean_env: pytest.MonkeyPatch) -> None:
    expected = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    assert resolve_paths().data_dir == expected


def test_config_option_beats_environment(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("KIOSK_CONFIG", str(tmp_path / "env.toml"))
    paths = resolve_paths(tmp_path / "data", tmp_path / "option.toml")
    assert paths.config_file == tmp_path / "option.toml"


def test_config_environment_beats_data_dir(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("KIOSK_CONFIG", str(tmp_path / "env.toml"))
    assert resolve_paths(tmp_path / "data").config_file == tmp_path / "env.toml"


def test_config_defaults_to_the_data_dir(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    assert resolve_paths(tmp_path / "data").config_file == tmp_path / "data" / "kiosk.toml"
    clean_env.setenv("KIOSK_DATA_DIR", str(tmp_path / "env-data"))
    assert resolve_paths().config_file == tmp_path / "env-data" / "kiosk.toml"


def test_the_officer_and_the_processors_are_read(write_config: WriteConfig) -> None:
    config = load_config(
        write_config(
            '[site]\ndpo_contact = "fg@example.com"\n'
            'processors = ["Securitas (security guards)", "CleanCo"]\n'
        )
    )
    assert config.site.dpo_contact == "fg@example.com"
    assert config.site.processors == ("Securitas (security guards)", "CleanCo")


@pytest.mark.parametrize(
    "processors",
    ['[""]', "[" + ", ".join(f'"Firm {n}"' for n in range(11)) + "]", '["' + "x" * 101 + '"]'],
)
def test_processors_must_be_a_short_list_of_names(
    write_config: WriteConfig, processors: str
) -> None:
    with pytest.raises(ConfigError, match=r"site\.processors"):
        load_config(write_config(f"[site]\nprocessors = {processors}\n"))


def test_the_site_has_a_name_per_language(write_config: WriteConfig) -> None:
    config = load_config(
        write_config(
            '[site]\nname = "Example B.V., head office"\n'
            'names = { nl = "Example B.V., hoofdkantoor", da = "Example B.V., hovedkontor" }\n'
        )
    )
    assert config.site_name("nl") == "Example B.V., hoofdkantoor"
    assert config.site_name("da") == "Example B.V., hovedkontor"
    assert config.site_name("en") == "Example B.V., head office"


@pytest.mark.parametrize(
    ("names", "said"),
    [('{ fr = "Siège" }', "'fr'"), ('"hoofdkantoor"', "table"), ("{ nl = 3 }", "text")],
)
def test_site_names_must_be_a_table_of_known_languages(
    write_config: WriteConfig, names: str, said: str
) -> None:
    with pytest.raises(ConfigError, match=r"site\.names") as caught:
        load_config(write_config(f"[site]\nnames = {names}\n"))
    assert said in str(caught.value)


# [database] url: "" is SQLite in the data dir; a libpq URI is the site's shared PostgreSQL
# database. The password never in the file (libpq's passfile or a client certificate).
def test_the_database_url_is_sqlite_by_default_and_a_libpq_uri_when_set(
    write_config: WriteConfig,
) -> None:
    assert load_config(write_config("")).database.url == ""
    assert not load_config(write_config("")).database.shared
    url = "postgresql://kiosk@db.example.com/visitors?sslmode=verify-full"
    config = load_config(write_config(f'[database]\nurl = "{url}"\n'))
    assert config.database.url == url
    assert config.database.shared
    socket = "postgresql:///visitors?host=/run/postgresql"
    assert load_config(write_config(f'[database]\nurl = "{socket}"\n')).database.url == socket


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("mysql://kiosk@db/visitors", "postgresql://"),
        ("db.example.com", "postgresql://"),
        ("postgresql://kiosk:s3cret@db.example.com/visitors", "never the password here"),
        ("postgresql://kiosk@db.example.com/visitors?password=s3cret", "never the password"),
        ("postgresql://kiosk@db.example.com/visitors?PASSWORD=s3cret", "never the password"),
    ],
)
def test_a_database_url_that_cannot_be_used_is_refused(
    write_config: WriteConfig, url: str, said: str
) -> None:
    with pytest.raises(ConfigError, match=r"database\.url") as refused:
        load_config(write_config(f'[database]\nurl = "{url}"\n'))
    assert said in str(refused.value)
    assert "s3cret" not in str(refused.value)


def test_the_environment_may_name_the_database_with_its_password() -> None:
    """KIOSK_DATABASE_URL is not a file others might read: a password there is accepted (the
    README prefers libpq's passfile still)."""
    url = "postgresql://kiosk:s3cret@db.example.com/visitors"
    config = with_environment(Config(), {"KIOSK_DATABASE_URL": url})
    assert config.database.url == url
    assert with_environment(Config(), {}) == Config()
    assert with_environment(Config(), {"KIOSK_DATABASE_URL": "  "}) == Config()
    with pytest.raises(ConfigError, match="KIOSK_DATABASE_URL"):
        with_environment(Config(), {"KIOSK_DATABASE_URL": "sqlite:///x.db"})


def test_a_database_url_libpq_cannot_read_is_a_config_error(write_config: WriteConfig) -> None:
    with pytest.raises(ConfigError, match="libpq can read"):
        load_config(write_config('[database]\nurl = "postgresql://kiosk@[::1/visitors"\n'))
    with pytest.raises(ConfigError, match="never the password"):
        load_config(
            write_config(
                '[database]\nurl = "postgresql://kiosk@db/visitors?sslpassword=key-s3cret"\n'
            )
        )
