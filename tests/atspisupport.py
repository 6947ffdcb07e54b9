"""What a screen reader sees: a private AT-SPI desktop and a client that reads it.

`AccessibilityBus` starts what a desktop session starts for assistive technology: a D-Bus
session bus of its own (nothing of the machine's session, no service of the machine
activated on it) and at-spi-bus-launcher on it, which runs the accessibility bus and, on
first use, at-spi2-registryd. A Qt program whose environment holds `bus.env` puts its
accessible tree on that bus.

`ScreenReader` runs tests/e2e/atspi_client.py with the system Python, which has libatspi
through PyGObject (the kiosk's venv has neither): it finds objects of an application by
objectName and reports every `object:announcement` event the application sends.

Needs the Debian packages at-spi2-core, dbus, python3-gi and gir1.2-atspi-2.0 (installed by
`make test` as root) besides what tests/xsupport.py needs; without them `require_atspi()`
skips with the reason, and under `CI=true` it fails instead, so CI cannot pass by skipping.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from clisupport import require
from xsupport import missing_requirements as missing_x_requirements
from xsupport import stop_process, wait_for

CLIENT = Path(__file__).parent / "e2e" / "atspi_client.py"
# The client runs on the system's Python, where Debian puts PyGObject and libatspi's GIR.
SYSTEM_PYTHON = "/usr/bin/python3"
# Where Debian and Ubuntu put at-spi2-core's programs (older Ubuntu: /usr/lib/at-spi2-core).
BUS_LAUNCHERS = ("/usr/libexec/at-spi-bus-launcher", "/usr/lib/at-spi2-core/at-spi-bus-launcher")

# A session bus for one test: it listens in its own folder and activates no service (the
# accessibility bus is started by hand), so nothing of the machine's session takes part.
_SESSION_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def bus_launcher() -> str | None:
    return next((path for path in BUS_LAUNCHERS if os.access(path, os.X_OK)), None)


def missing_requirements() -> str | None:
    """Why a screen reader cannot read a real kiosk window here, or None if it can."""
    reason = missing_x_requirements()
    if reason is not None:
        return reason
    for tool, package in (("dbus-daemon", "dbus"), ("dbus-send", "dbus")):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian package {package})"
    if bus_launcher() is None:
        return "at-spi-bus-launcher is not installed (Debian package at-spi2-core)"
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return f"{SYSTEM_PYTHON} is not installed (Debian package python3)"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('Atspi', '2.0')"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return (
            "libatspi for the system Python is not installed (Debian packages python3-gi and "
            f"gir1.2-atspi-2.0): {(probe.stderr.strip().splitlines() or [''])[-1]}"
        )
    return None


def require_atspi() -> None:
    """Skip the test when no screen reader can run here; under `CI=true` fail instead."""
    require(missing_requirements(), "screen-reader")


def _stop(process: subprocess.Popen[Any] | None, group: bool = False) -> None:
    """Stop a process we started (and, with `group`, the helpers it started in its own
    process group), politely first."""
    if process is None:
        return
    stop_process(process)
    if group:
        # at-spi-bus-launcher's accessibility bus and the registry it activated.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)


class AccessibilityBus:
    """A private D-Bus session bus with the AT-SPI accessibility bus on it."""

    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="ka11y-"))
        self._dir.chmod(0o700)
        self.address = ""
        self._session: subprocess.Popen[bytes] | None = None
        self._launcher: subprocess.Popen[bytes] | None = None
        self._logs: list[IO[bytes]] = []

    def __repr__(self) -> str:
        return f"<AccessibilityBus {self.address or '(not started)'}>"

    @property
    def env(self) -> dict[str, str]:
        """What to add to a program's environment to put it on this bus."""
        return {"DBUS_SESSION_BUS_ADDRESS": self.address}

    def _child_env(self) -> dict[str, str]:
        env = {**os.environ, **self.env, "XDG_RUNTIME_DIR": str(self._dir)}
        # The accessibility bus is found through the session bus, not through an X display
        # or an address a session outside the test set.
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "AT_SPI_BUS_ADDRESS"):
            env.pop(name, None)
        # No dconf: GSettings keeps the launcher's settings in memory.
        env["GSETTINGS_BACKEND"] = "memory"
        return env

    def _log(self, name: str) -> IO[bytes]:
        log = (self._dir / name).open("wb")
        self._logs.append(log)
        return log

    def log_text(self) -> str:
        return "\n".join(
            f"{path.name}:\n{path.read_text(errors='replace')}"
            for path in sorted(self._dir.glob("*.log"))
        )

    def start(self, timeout_s: float = 20.0) -> AccessibilityBus:
        (self._dir / "services").mkdir()
        config = self._dir / "session.conf"
        config.write_text(
            _SESSION_CONF.format(dir=self._dir, services=self._dir / "services"), encoding="utf-8"
        )
        read_fd, write_fd = os.pipe()
        try:
            self._session = subprocess.Popen(
                [
                    "dbus-daemon",
                    f"--config-file={config}",
                    "--nofork",
                    "--nopidfile",
                    f"--print-address={write_fd}",
                ],
                pass_fds=(write_fd,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._log("dbus-session.log"),
            )
            os.close(write_fd)
            write_fd = -1
            with os.fdopen(read_fd, "rb", closefd=False) as pipe:
                self.address = pipe.readline().decode().strip()
        finally:
            os.close(read_fd)
            if write_fd >= 0:
                os.close(write_fd)
        if not self.address:
            self.stop()
            raise RuntimeError(f"dbus-daemon did not start:\n{self.log_text()}")
        launcher = bus_launcher()
        assert launcher is not None
        self._launcher = subprocess.Popen(
            [launcher, "--launch-immediately", "--a11y=1", "--screen-reader=1"],
            env=self._child_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log("at-spi-bus-launcher.log"),
            # Its accessibility bus and registry stay in this group, to be stopped with it.
            start_new_session=True,
        )
        try:
            wait_for(lambda: self._launcher_exited() or self.accessibility_bus(), timeout_s)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"no accessibility bus within {timeout_s} s") from None
        if self._launcher_exited():
            log = self.log_text()
            self.stop()
            raise RuntimeError(f"at-spi-bus-launcher exited at start-up:\n{log}")
        return self

    def _launcher_exited(self) -> bool:
        return self._launcher is not None and self._launcher.poll() is not None

    def accessibility_bus(self) -> str:
        """The accessibility bus's address as the launcher gives it out, or "" before it does."""
        reply = subprocess.run(
            [
                "dbus-send",
                "--session",
                "--print-reply=literal",
                "--dest=org.a11y.Bus",
                "/org/a11y/bus",
                "org.a11y.Bus.GetAddress",
            ],
            env=self._child_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        return reply.stdout.strip() if reply.returncode == 0 else ""

    def stop(self) -> None:
        _stop(self._launcher, group=True)
        _stop(self._session)
        self._launcher = self._session = None
        for log in self._logs:
            log.close()
        self._logs.clear()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> AccessibilityBus:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


Found = dict[str, list[dict[str, Any]]]


class ScreenReader:
    """The AT-SPI client (tests/e2e/atspi_client.py) on `env`'s session bus, its stderr in `log`.

    `find("lang_en", ...)` gives, for each objectName, the objects of the application that
    carry it (role, name, description, states, screen extents); `events` holds every
    announcement received so far, in order."""

    def __init__(self, env: dict[str, str], app: str, log: Path) -> None:
        self.app = app
        self.events: list[dict[str, Any]] = []
        self._replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._log = log
        with log.open("wb") as stderr:
            self._process = self._start(env, stderr)
        self._reader = threading.Thread(target=self._read, name="atspi-client", daemon=True)
        self._reader.start()
        try:
            self._expect("ready", timeout_s=20)
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _start(env: dict[str, str], stderr: IO[bytes]) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [SYSTEM_PYTHON, str(CLIENT)],
            env={key: value for key, value in env.items() if not key.startswith("PYTHON")},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            if not line.startswith("{"):  # not ours: a library writing to stdout
                continue
            message = json.loads(line)
            if message["kind"] == "event":
                self.events.append(message)
            else:
                self._replies.put(message)
        self._replies.put(None)  # the client is gone

    def _expect(self, kind: str, timeout_s: float) -> dict[str, Any]:
        try:
            message = self._replies.get(timeout=timeout_s)
        except queue.Empty:
            raise TimeoutError(f"the AT-SPI client sent no {kind!r} within {timeout_s} s") from None
        if message is None or message["kind"] != kind:
            raise RuntimeError(f"the AT-SPI client sent {message!r}, not {kind!r}:\n{self.stderr}")
        return message

    @property
    def stderr(self) -> str:
        return self._log.read_text(errors="replace")

    def find(self, *ids: str) -> Found | None:
        """The objects named `ids`, or None while the application is not on the bus."""
        assert self._process.stdin is not None
        command = {"cmd": "find", "app": self.app, "ids": list(ids)}
        self._process.stdin.write(json.dumps(command) + "\n")
        self._process.stdin.flush()
        reply = self._expect("found", timeout_s=30)
        return reply["objects"] if reply["app"] else None

    def find_showing(self, *ids: str, timeout_s: float = 15.0) -> dict[str, dict[str, Any]]:
        """Wait until each of `ids` is on screen, and return the showing object of each."""

        def showing() -> dict[str, dict[str, Any]] | None:
            found = self.find(*ids)
            if found is None:
                return None
            on_screen = {
                name: [o for o in objects if "showing" in o["states"]]
                for name, objects in found.items()
            }
            if all(len(objects) == 1 for objects in on_screen.values()):
                return {name: objects[0] for name, objects in on_screen.items()}
            return None

        try:
            return wait_for(showing, timeout_s, interval_s=0.1)
        except TimeoutError:
            raise AssertionError(
                f"not each of {ids} showing exactly once within {timeout_s} s; "
                f"the screen reader found {self.find(*ids)!r}"
            ) from None

    def wait_for_event(
        self, predicate: Callable[[dict[str, Any]], bool], timeout_s: float = 10.0
    ) -> dict[str, Any]:
        """The first event received that `predicate` accepts, waiting for it if need be."""
        try:
            return wait_for(lambda: next(filter(predicate, list(self.events)), None), timeout_s)
        except TimeoutError:
            raise AssertionError(
                f"no such event within {timeout_s} s; the screen reader got {self.events!r}"
            ) from None

    def close(self) -> None:
        if self._process.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self._process.stdin.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=5)

    def __enter__(self) -> ScreenReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def centre(extents: list[int]) -> tuple[int, int]:
    """The middle of an object's screen extents [x, y, width, height]."""
    x, y, width, height = extents
    return (x + width // 2, y + height // 2)
