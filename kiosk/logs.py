"""Logging to a rotating file in the data dir. Records name visit ids, never visitors."""

from __future__ import annotations

import logging
import sys
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

LOG_FILE = "kiosk.log"
_HANDLER_NAME = "kiosk-file"
log = logging.getLogger("kiosk")


def setup_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    """Send the kiosk's log records to <log_dir>/kiosk.log (1 MB x 5 files). Idempotent:
    calling it again for another dir moves the handler there."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            if Path(getattr(handler, "baseFilename", "")) == path:
                return path
            root.removeHandler(handler)
            handler.close()
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
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
