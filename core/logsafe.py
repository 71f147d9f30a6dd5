"""Describe an exception for the logs without its message: messages (and SQL parameters inside
database errors) can carry what a person typed, and coders paste patient details into chat."""

from __future__ import annotations

import contextvars
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

# The request being handled on this thread: log lines carry it, and an apology's reference id is it,
# so what a user quotes is what an operator greps for.
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("codedesk_request_id", default="")


def new_request_id() -> str:
    return uuid.uuid4().hex[:8]


@contextmanager
def request_scope(request_id: str = "") -> Iterator[str]:
    """Run a block as one request: the id given, the one already current, or a new one."""
    rid = request_id or REQUEST_ID.get() or new_request_id()
    token = REQUEST_ID.set(rid)
    try:
        yield rid
    finally:
        REQUEST_ID.reset(token)


def describe(exc: BaseException, depth: int = 8) -> str:
    """"KeyError at core/desk.py:120 in _route <- ..." : the type and where, innermost frame first."""
    frames = traceback.extract_tb(exc.__traceback__)[-depth:]
    where = " <- ".join(f"{_short(f.filename)}:{f.lineno} in {f.name}" for f in reversed(frames))
    cause = exc.__cause__ or exc.__context__
    tail = f" (from {type(cause).__name__})" if cause is not None else ""
    return f"{type(exc).__name__}{tail} at {where or 'unknown'}"


def _short(path: str) -> str:
    for marker in ("/core/", "/adapters/", "/bots/", "/site-packages/"):
        if marker in path:
            return marker.strip("/") + "/" + path.split(marker, 1)[1]
    return path.rsplit("/", 1)[-1]
