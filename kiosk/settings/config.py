"""The kiosk's settings: one typed, validated object read from a TOML file.

A missing file means the built-in defaults (a demo site). A bad file stops start-up with a
`ConfigError` whose message is one line naming the key, e.g.
``config error: retention.visit_days: must be a whole number from 1 to 3650, got "ninety"``.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints
from urllib.parse import parse_qsl, urlsplit

from kiosk.domain.errors import ConfigError as ConfigError  # raised here; defined apart for the CLI

SUPPORTED_LANGUAGES = ("en", "nl", "da")


@dataclass(frozen=True)
class SiteConfig:
    name: str = "Example B.V., head office"
    controller: str = "Example B.V., Voorbeeldstraat 1, 1234 AB Utrecht"
    privacy_contact: str = "privacy@example.com"
    supervisory_authority: str = "Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl)"
    kiosk_id: str = "lobby-1"
    # The data protection officer's contact (Art. 13(1)(b)), when the controller has one.
    dpo_contact: str = ""
    # Firms that see visitors' data working for the controller (processors), as the notice
    # names them, e.g. "Securitas (security guards)"; at most 10.
    processors: tuple[str, ...] = ()
    # The site's name in other languages ({ nl = "…, hoofdkantoor" }); `name` in the others.
    names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class KioskConfig:
    languages: tuple[str, ...] = SUPPORTED_LANGUAGES
    idle_timeout_s: int = 60
    done_timeout_s: int = 10
    virtual_keyboard: bool = False
    # Local time of day at which visits still open are closed (method "auto"); "" = never.
    auto_sign_out: str = "23:00"


@dataclass(frozen=True)
class RetentionConfig:
    visit_days: int = 90
    audit_days: int = 365


@dataclass(frozen=True)
class StaffConfig:
    # A staff session ends after this long without a touch or key.
    session_timeout_s: int = 120
    # The queue for A4 reports (roll call, access reports); "" = system default, "none" = save only.
    printer: str = ""


@dataclass(frozen=True)
class BadgeConfig:
    printer: str = ""
    layout: str = "a6"
    print_timeout_s: int = 20
    # The visitor's company on the badge: off, as PRIVACY.md lists name, host, date, validity.
    show_company: bool = False


@dataclass(frozen=True)
class HostsConfig:
    file: str = ""


@dataclass(frozen=True)
class NotifyConfig:
    # Telling the host that their visitor has arrived; off while smtp_host is "".
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"  # "starttls", "tls" or "none" (a relay on this machine)
    smtp_username: str = ""
    smtp_password_file: str = ""  # a file holding only the password, never the password
    sender: str = "reception@example.com"
    reception: str = "reception@example.com"
    expire_after_s: int = 900
    webhook_url: str = ""

    @property
    def on(self) -> bool:
        """Whether arrivals are told at all (the webhook too goes only with a mail server)."""
        return bool(self.smtp_host)


@dataclass(frozen=True)
class DatabaseConfig:
    # "" = SQLite in the data dir; a libpq URI ("postgresql://...") = the site's one database
    # that every kiosk shares. KIOSK_DATABASE_URL, when set, overrides it (`with_environment`).
    url: str = ""

    @property
    def shared(self) -> bool:
        return bool(self.url)


@dataclass(frozen=True)
class Config:
    site: SiteConfig = field(default_factory=SiteConfig)
    kiosk: KioskConfig = field(default_factory=KioskConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    badge: BadgeConfig = field(default_factory=BadgeConfig)
    staff: StaffConfig = field(default_factory=StaffConfig)
    hosts: HostsConfig = field(default_factory=HostsConfig)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    source: Path | None = field(default=None, compare=False)

    @property
    def default_language(self) -> str:
        return self.kiosk.languages[0]

    def site_name(self, language: str) -> str:
        """The site's name as a reader of `language` sees it (`site.names`, else `site.name`)."""
        return self.site.names.get(language) or self.site.name

    def auto_sign_out_time(self) -> time | None:
        """The local time of day for the auto sign-out; None when switched off or unreadable."""
        text = self.kiosk.auto_sign_out
        if not re.fullmatch(r"[0-9]{1,2}:[0-9]{2}", text):
            return None
        hours, minutes = (int(part) for part in text.split(":"))
        if hours > 23 or minutes > 59:
            return None
        return time(hours, minutes)

    def hosts_path(self) -> Path | None:
        """The hosts CSV, resolved against the config file's folder; None means free text."""
        return self._beside(self.hosts.file)

    def smtp_password_path(self) -> Path | None:
        """The file holding the SMTP password, resolved as the hosts file is; None if unset."""
        return self._beside(self.notify.smtp_password_file)

    def _beside(self, name: str) -> Path | None:
        if not name:
            return None
        path = Path(name).expanduser()
        if not path.is_absolute() and self.source is not None:
            path = self.source.parent / path
        return path


# Limits on values: (low, high) for numbers, max length for text.
_INT_RANGES: dict[str, tuple[int, int]] = {
    "kiosk.idle_timeout_s": (10, 3600),
    "kiosk.done_timeout_s": (3, 120),
    "retention.visit_days": (1, 3650),
    "retention.audit_days": (30, 3650),
    "badge.print_timeout_s": (2, 300),
    "staff.session_timeout_s": (30, 3600),
    "notify.smtp_port": (1, 65535),
    "notify.expire_after_s": (60, 86400),
}
SMTP_SECURITY = ("starttls", "tls", "none")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
_ADDRESS = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+")


def looks_like_address(text: str) -> bool:
    """One e-mail address (not a list, not a name with one); the mail server judges the rest."""
    return _ADDRESS.fullmatch(text) is not None


BADGE_LAYOUTS = ("a6", "brother-62x100", "dymo-99012")
_TEXT_MAX = 300
# A database URL names the certificate files of a TLS login (sslrootcert, sslcert, sslkey).
_LONGER_TEXT = {"database.url": 2000}


def load_config(path: Path | None) -> Config:
    """Read and validate the config at `path`; a path that does not exist gives the defaults."""
    if path is None or not path.exists():
        return Config(source=path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError("", "the file is not UTF-8 text", path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"not valid TOML ({exc})", path) from exc
    except OSError as exc:
        raise ConfigError("", f"cannot be read ({exc.strerror})", path) from exc
    return parse_config(raw, source=path)


def parse_config(raw: dict[str, Any], source: Path | None = None) -> Config:
    """A `Config` from parsed TOML; unknown keys, wrong types and impossible values fail."""
    sections: dict[str, Any] = {}
    known = {f.name: f for f in dataclasses.fields(Config) if f.name != "source"}
    for section_name, section_raw in raw.items():
        if section_name not in known:
            raise ConfigError(section_name, "unknown section", source)
        if not isinstance(section_raw, dict):
            raise ConfigError(section_name, "must be a table ([section])", source)
        section_type = known[section_name].default_factory
        sections[section_name] = _parse_section(section_name, section_type, section_raw, source)
    config = Config(source=source, **sections)
    _check_values(config, source)
    return config


def _parse_section(name: str, cls: Any, raw: dict[str, Any], source: Path | None) -> Any:
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        full_key = f"{name}.{key}"
        if key not in hints:
            if full_key == "notify.smtp_password":
                raise ConfigError(
                    full_key,
                    "never the password itself here: put it in a file of its own, readable "
                    "by the kiosk's user only, and name that file in smtp_password_file",
                    source,
                )
            raise ConfigError(full_key, "unknown key", source)
        values[key] = _coerce(full_key, hints[key], value, source)
    return cls(**values)


def _coerce(key: str, hint: Any, value: Any, source: Path | None) -> Any:
    origin = get_origin(hint)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, f"must be true or false, got {value!r}", source)
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, f"must be a whole number, got {value!r}", source)
        return value
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(key, f"must be text in quotes, got {value!r}", source)
        longest = _LONGER_TEXT.get(key, _TEXT_MAX)
        if len(value) > longest or any(ord(c) < 32 for c in value):
            raise ConfigError(key, f"must be one line of at most {longest} characters", source)
        return value.strip()
    if origin is dict:
        key_type, value_type = get_args(hint)
        if not isinstance(value, dict):
            raise ConfigError(key, f'must be a table like {{ nl = "…" }}, got {value!r}', source)
        return {
            _coerce(key, key_type, name, source): _coerce(key, value_type, text, source)
            for name, text in value.items()
        }
    if origin is tuple:
        (item_type, _ellipsis) = get_args(hint)
        if not isinstance(value, list):
            raise ConfigError(key, f"must be a list, got {value!r}", source)
        return tuple(_coerce(key, item_type, item, source) for item in value)
    raise TypeError(f"config field {key} has a type the reader does not handle: {hint!r}")


def _check_values(config: Config, source: Path | None) -> None:
    for key, (low, high) in _INT_RANGES.items():
        section, name = key.split(".")
        value = getattr(getattr(config, section), name)
        if not low <= value <= high:
            raise ConfigError(key, f"must be from {low} to {high}, got {value}", source)

    languages = config.kiosk.languages
    if not languages:
        raise ConfigError("kiosk.languages", "must name at least one language", source)
    for lang in languages:
        if lang not in SUPPORTED_LANGUAGES:
            supported = ", ".join(SUPPORTED_LANGUAGES)
            raise ConfigError(
                "kiosk.languages", f"{lang!r} is not available (choose from {supported})", source
            )
    if len(set(languages)) != len(languages):
        raise ConfigError("kiosk.languages", "lists a language twice", source)

    for key in ("name", "controller", "privacy_contact", "kiosk_id"):
        if not getattr(config.site, key):
            raise ConfigError(f"site.{key}", "must not be empty", source)
    for language in config.site.names:
        if language not in SUPPORTED_LANGUAGES:
            raise ConfigError("site.names", f"{language!r} is not a language of the kiosk", source)
    processors = config.site.processors
    if len(processors) > 10 or any(not name or len(name) > 100 for name in processors):
        raise ConfigError(
            "site.processors", "at most 10 names, each of 1 to 100 characters", source
        )

    auto_sign_out = config.kiosk.auto_sign_out
    if auto_sign_out and config.auto_sign_out_time() is None:
        raise ConfigError(
            "kiosk.auto_sign_out",
            f'must be a time of day like "23:00" (or "" for never), got {auto_sign_out!r}',
            source,
        )
    if config.badge.layout not in BADGE_LAYOUTS:
        raise ConfigError(
            "badge.layout",
            f"{config.badge.layout!r} is not a layout (choose from {', '.join(BADGE_LAYOUTS)})",
            source,
        )

    hosts = config.hosts_path()
    if hosts is not None and not hosts.is_file():
        raise ConfigError("hosts.file", f"no such file: {hosts}", source)
    _check_notify(config, source)
    problem = database_url_problem(config.database.url, in_file=True)
    if problem:
        raise ConfigError("database.url", problem, source)


DATABASE_URL_ENV = "KIOSK_DATABASE_URL"
_URL_SCHEMES = ("postgresql://", "postgres://")


def database_url_problem(url: str, *, in_file: bool) -> str | None:
    """What is wrong with a database URL, or None. In the config file it never holds the
    password: libpq's passfile (PGPASSFILE) or a client certificate does."""
    if not url:
        return None
    if not url.startswith(_URL_SCHEMES):
        return 'must be "" (SQLite in the data dir) or a URI starting with postgresql://'
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (reading it checks it)
    except ValueError:
        return "is not a URL libpq can read (a host in [brackets], a port of digits)"
    if in_file:
        query = {name.lower() for name, _value in parse_qsl(parts.query)}
        if parts.password is not None or "password" in query or "sslpassword" in query:
            return (
                "never the password here: put it in libpq's password file (passfile= or "
                "PGPASSFILE, readable by the kiosk's user only) or use a client certificate"
            )
    return None


def with_environment(config: Config, environ: Mapping[str, str]) -> Config:
    """The config with KIOSK_DATABASE_URL, when set, in place of `database.url` (checked the
    same way, but it may carry a password: it is not a file others might read)."""
    url = environ.get(DATABASE_URL_ENV, "").strip()
    if not url:
        return config
    problem = database_url_problem(url, in_file=False)
    if problem:
        raise ConfigError(DATABASE_URL_ENV, problem, None)
    return dataclasses.replace(config, database=DatabaseConfig(url=url))


def _check_notify(config: Config, source: Path | None) -> None:
    notify = config.notify
    if notify.smtp_security not in SMTP_SECURITY:
        raise ConfigError(
            "notify.smtp_security",
            f"{notify.smtp_security!r} is not one of {', '.join(SMTP_SECURITY)}",
            source,
        )
    local = notify.smtp_host.lower() in LOOPBACK_HOSTS
    if notify.smtp_host and notify.smtp_security == "none" and not local:
        raise ConfigError(
            "notify.smtp_security",
            '"none" sends in clear text: only for a relay on this machine (localhost)',
            source,
        )
    if notify.smtp_host:
        for key in ("sender", "reception"):
            if not looks_like_address(getattr(notify, key)):
                raise ConfigError(f"notify.{key}", "must be one e-mail address", source)
    password = config.smtp_password_path()
    if notify.smtp_username and password is None:
        raise ConfigError(
            "notify.smtp_password_file",
            "must name the password's file when a username is set",
            source,
        )
    if password is not None:
        if not password.is_file():
            raise ConfigError("notify.smtp_password_file", f"no such file: {password}", source)
        try:
            mode = password.stat().st_mode
        except OSError as exc:
            raise ConfigError(
                "notify.smtp_password_file", f"cannot be read ({exc.strerror})", source
            ) from exc
        if mode & 0o007:
            raise ConfigError(
                "notify.smtp_password_file",
                f"{password} is readable by every user of this machine (chmod 600 it)",
                source,
            )
    if notify.webhook_url:
        url = urlsplit(notify.webhook_url)
        loopback = (url.hostname or "") in LOOPBACK_HOSTS
        if not url.hostname or not (url.scheme == "https" or (url.scheme == "http" and loopback)):
            raise ConfigError(
                "notify.webhook_url",
                "must be an https:// address (http:// only to this machine)",
                source,
            )
