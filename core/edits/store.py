"""Read access to loaded edit and fee releases for the commands and the claim check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from core.edits import aoc, fees, mue, ptp, releases
from core.edits.releases import Release


class EditStore:
    """Which releases are loaded, and the rows of one, each read in its own short connection."""

    def __init__(self, sessions: sessionmaker[Session], today: Callable[[], date] = date.today) -> None:
        self.sessions = sessions
        self.today = today

    def releases(self) -> list[Release]:
        with self.sessions() as session:
            return releases.loaded(session)

    def release(self, kind: str, day: date | None, loaded: list[Release] | None = None) -> Release | None:
        """The release of `kind` for a date of service; without one, the release in force today."""
        found = loaded if loaded is not None else self.releases()
        if day is not None:
            return releases.for_date(found, kind, day)
        return releases.for_today(found, kind, self.today())

    def ptp(self, release: Release, a: str, b: str) -> list[ptp.PtpEdit]:
        with self.sessions() as session:
            return ptp.edits_between(session.connection(), release.id, a, b)

    def mue(self, release: Release, code: str) -> mue.Mue | None:
        with self.sessions() as session:
            return mue.mue_of(session.connection(), release.id, code)

    def addon(self, release: Release, code: str) -> list[aoc.AddOnEdit]:
        with self.sessions() as session:
            return aoc.primaries_of(session.connection(), release.id, code)

    def rvu(self, release: Release, code: str, modifier: str = "") -> fees.Rvu | None:
        with self.sessions() as session:
            return fees.rvu_of(session.connection(), release.id, code, modifier)

    def priced_modifiers(self, release: Release, code: str) -> set[str]:
        with self.sessions() as session:
            return fees.modifiers_priced(session.connection(), release.id, code)

    def localities(self, release: Release) -> list[fees.Gpci]:
        with self.sessions() as session:
            return fees.localities(session.connection(), release.id)
