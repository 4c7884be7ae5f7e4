"""Logging for the web app and the scheduler: LOG_LEVEL (default INFO) and LOG_FORMAT
(`text`, or `json` — one JSON object per line, for a log shipper)."""
import json
import logging
import os
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, and the exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
               "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure(process: str, level: str | None = None, fmt: str | None = None) -> None:
    """Set up the root logger of this process (`process` names it in text lines)."""
    level = (level or os.environ.get("LOG_LEVEL") or "INFO").upper()
    handler = logging.StreamHandler()
    if (fmt or os.environ.get("LOG_FORMAT") or "text") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {process} %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # APScheduler says "Running job …" every minute: only when asked for DEBUG.
    logging.getLogger("apscheduler").setLevel(level if level == "DEBUG" else "WARNING")
