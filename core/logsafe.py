"""Describe an exception for the logs without its message: messages (and SQL parameters inside
database errors) can carry what a person typed, and coders paste patient details into chat."""

from __future__ import annotations

import traceback


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
