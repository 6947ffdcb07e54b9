"""A private CUPS scheduler for the print tests and the benchmarks.

It runs from a temporary ServerRoot and listens only on a Unix socket there, so it touches
no printer of the machine and no other CUPS. Clients find it through `CUPS_SERVER`. Queues:
- `add_pdf_queue`: a cups-pdf printer writing each job as a PDF into its own folder
  (cups-pdf reads per-queue settings from /etc/cups/cups-pdf-<queue>.conf, which is why the
  tests need root; those files are removed again on `stop`);
- `add_failing_queue`: a printer whose device cannot be opened: the job stops the queue,
  as a failed job does with CUPS's default error policy;
- `add_hanging_queue`: a printer that is "not connected": the job waits forever.

Needs the Debian packages cups and printer-driver-cups-pdf (installed by `make test` as root).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

CUPSD = "/usr/sbin/cupsd"
CUPS_PDF_PPD = "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd"
CUPS_PDF_CONF_DIR = Path("/etc/cups")


def missing_requirements() -> str | None:
    """Why a private CUPS cannot run here, or None if it can."""
    if os.geteuid() != 0:
        return "the CUPS tests need root (they start their own cupsd with a cups-pdf queue)"
    for tool in ("lp", "lpstat", "lpadmin", "cupsenable", "cupsdisable"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian package cups)"
    if not Path(CUPSD).exists():
        return "cupsd is not installed (Debian package cups)"
    if not Path("/usr/lib/cups/backend/cups-pdf").exists():
        return "cups-pdf is not installed (Debian package printer-driver-cups-pdf)"
    return None


class CupsServer:
    def __init__(self) -> None:
        # Short path: a Unix socket path must stay under ~100 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="kcups-"))
        self.socket = self.root / "cups.sock"
        self.env = {**os.environ, "CUPS_SERVER": str(self.socket), "LC_ALL": "C"}
        self._process: subprocess.Popen[bytes] | None = None
        self._confs: list[Path] = []
        self._count = 0

    # -- lifetime --------------------------------------------------------------------------
    def start(self, timeout_s: float = 20.0) -> None:
        for sub in ("spool", "spool/tmp", "cache", "state", "log", "ppd", "out"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        # cupsd runs filters and backends as the unprivileged lp user.
        os.chmod(self.root, 0o755)
        shutil.chown(self.root / "spool", group="lp")
        os.chmod(self.root / "spool", 0o710)
        shutil.chown(self.root / "spool" / "tmp", group="lp")
        os.chmod(self.root / "spool" / "tmp", 0o1770)
        (self.root / "cupsd.conf").write_text(
            f"Listen {self.socket}\n"
            "LogLevel warn\nBrowsing No\nWebInterface No\nDefaultAuthType None\n"
            "MaxJobs 0\nPreserveJobFiles No\nPreserveJobHistory No\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n",
            encoding="utf-8",
        )
        (self.root / "cups-files.conf").write_text(
            f"ServerRoot {self.root}\n"
            f"RequestRoot {self.root}/spool\n"
            f"TempDir {self.root}/spool/tmp\n"
            f"CacheDir {self.root}/cache\n"
            f"StateDir {self.root}/state\n"
            f"ErrorLog {self.root}/log/error_log\n"
            f"AccessLog {self.root}/log/access_log\n"
            f"PageLog {self.root}/log/page_log\n"
            # A printcap file of its own: CUPS 2.4.2 (Debian 12) refuses an empty value, and
            # the default would overwrite the machine's /run/cups/printcap.
            f"Printcap {self.root}/printcap\n",
            encoding="utf-8",
        )
        self._process = subprocess.Popen(
            [
                CUPSD,
                "-f",
                "-c",
                str(self.root / "cupsd.conf"),
                "-s",
                str(self.root / "cups-files.conf"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            done = self._run(["lpstat", "-r"], check=False)
            if done.returncode == 0 and "is running" in done.stdout:
                return
            if self._process.poll() is not None:
                break
            time.sleep(0.1)
        log = self.root / "log" / "error_log"
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        self.stop()
        raise RuntimeError(f"the private cupsd did not start:\n{detail}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        for conf in self._confs:
            conf.unlink(missing_ok=True)
        shutil.rmtree(self.root, ignore_errors=True)

    # -- queues ----------------------------------------------------------------------------
    def new_queue_name(self, stem: str) -> str:
        self._count += 1
        return f"kiosk-{stem}-{os.getpid()}-{self._count}"

    def add_pdf_queue(self, stem: str = "pdf") -> tuple[str, Path]:
        """A cups-pdf queue; returns (queue name, the folder its PDFs arrive in)."""
        name = self.new_queue_name(stem)
        out = self.root / "out" / name
        out.mkdir(parents=True)
        conf = CUPS_PDF_CONF_DIR / f"cups-pdf-{name}.conf"
        conf.write_text(f"Out {out}\nAnonDirName {out}\nLabel 0\n", encoding="utf-8")
        self._confs.append(conf)
        self._lpadmin(name, f"cups-pdf:/{name}")
        return name, out

    def add_failing_queue(self) -> str:
        name = self.new_queue_name("failing")
        self._lpadmin(name, "serial:/dev/kiosk-no-such-port?baud=9600")
        return name

    def add_hanging_queue(self) -> str:
        name = self.new_queue_name("hanging")
        self._lpadmin(name, "parallel:/dev/kiosk-no-such-port")
        return name

    def disable(self, queue: str) -> None:
        self._run(["cupsdisable", queue])

    def jobs(self, queue: str, which: str = "not-completed") -> list[str]:
        out = self._run(["lpstat", "-W", which, "-o", queue], check=False).stdout
        return [line.split()[0] for line in out.splitlines() if line.strip()]

    def wait_for_pdfs(self, out: Path, count: int = 1, timeout_s: float = 30.0) -> list[Path]:
        """The PDFs cups-pdf wrote to `out`, once there are `count` complete ones."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            pdfs = sorted(out.glob("*.pdf"))
            if len(pdfs) >= count and all(_complete_pdf(p) for p in pdfs):
                return pdfs
            time.sleep(0.1)
        raise TimeoutError(f"{count} PDF(s) did not arrive in {out} within {timeout_s} s")

    def _lpadmin(self, name: str, uri: str) -> None:
        self._run(
            [
                "lpadmin",
                "-p",
                name,
                "-E",
                "-v",
                uri,
                "-m",
                CUPS_PDF_PPD,
                "-o",
                "printer-error-policy=stop-printer",
            ]
        )

    def _run(self, argv: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv, env=self.env, capture_output=True, text=True, check=check, timeout=30
        )


def _complete_pdf(path: Path) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return data.startswith(b"%PDF") and b"%%EOF" in data[-1024:]
