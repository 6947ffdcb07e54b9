"""Logging to a rotating file in the data dir. Records name visit ids, never visitors."""

from __future__ import annotations

import io
import logging
import os
import sys
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from kiosk.settings.files import PRIVATE_FILE, private_folder, tighten

LOG_FILE = "kiosk.log"
BACKUP_COUNT = 5
_HANDLER_NAME = "kiosk-file"
log = logging.getLogger("kiosk")


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log that only the kiosk's user can read, whatever the umask: each new log
    file is made 0600 (a rotated one is the same file renamed, so it keeps that)."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
        try:
            tighten(Path(self.baseFilename))  # a file that was there keeps its mode
            return open(fd, "a", encoding=self.encoding, errors=self.errors)
        except BaseException:
            os.close(fd)
            raise


def setup_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    """Send the kiosk's log records to <log_dir>/kiosk.log (1 MB x 5 files). Idempotent:
    calling it again for another dir moves the handler there. The folder and every log file
    in it are for the kiosk's user only, also those an older version left readable by all."""
    private_folder(log_dir)
    path = log_dir / LOG_FILE
    for file in [path, *(log_dir / f"{LOG_FILE}.{n}" for n in range(1, BACKUP_COUNT + 1))]:
        tighten(file)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            if Path(getattr(handler, "baseFilename", "")) == path:
                return path
            root.removeHandler(handler)
            handler.close()
    handler = PrivateRotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=BACKUP_COUNT, encoding="utf-8"
    )
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(min(root.level, level) if root.level else level)
    return path


def _log_unhandled(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    log.critical("unhandled error", exc_info=(exc_type, exc, tb))


def install_excepthooks() -> None:
    """Unhandled errors, on any thread, go to the log with their traceback."""
    sys.excepthook = _log_unhandled

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            _log_unhandled(args.exc_type, args.exc_value, args.exc_traceback)

    threading.excepthook = thread_hook
