"""Log output: JSON lines when stderr is not a terminal (a container, a service manager), readable
lines when it is. Every line carries the current request id (core.logsafe.REQUEST_ID), which is also
the reference id an apology shows. A logged exception appears as its type and place only
(core.logsafe.describe), never its message or traceback text: those can hold what people typed."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any, TextIO

from core import logsafe

_HANDLER_NAME = "codedesk"


class _Safe(logging.Formatter):
    def safe_fields(self, record: logging.LogRecord) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        rid = logsafe.REQUEST_ID.get()
        if rid:
            fields["request_id"] = rid
        if record.exc_info and record.exc_info[1] is not None:
            fields["error"] = logsafe.describe(record.exc_info[1])
        return fields

    def formatException(self, ei: Any) -> str:
        return logsafe.describe(ei[1]) if ei and ei[1] is not None else ""


class JsonLines(_Safe):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(self.safe_fields(record), ensure_ascii=False)


class Readable(_Safe):
    def format(self, record: logging.LogRecord) -> str:
        f = self.safe_fields(record)
        rid = f" [{f['request_id']}]" if "request_id" in f else ""
        error = f" ({f['error']})" if "error" in f else ""
        return f"{f['time'][11:23]} {f['level']:<7} {f['logger']}{rid}: {f['message']}{error}"


def configure(level: str = "WARNING", form: str = "auto", stream: TextIO | None = None) -> None:
    """Set up the root logger once per process: `form` is auto (JSON unless a terminal), json or text."""
    out = stream or sys.stderr
    json_lines = form == "json" or (form == "auto" and not (hasattr(out, "isatty") and out.isatty()))
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonLines() if json_lines else Readable())
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    for old in list(root.handlers):
        if old.get_name() == _HANDLER_NAME:  # ours from an earlier call; others (a test's capture) stay
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("slack_sdk", "slack_bolt", "discord", "apscheduler"):
        # Their DEBUG output prints request payloads, which hold what people typed.
        logger = logging.getLogger(name)
        logger.setLevel(max(logging.getLevelName(level) if isinstance(logging.getLevelName(level), int)
                            else logging.WARNING, logging.INFO))
