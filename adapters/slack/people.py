"""Who a Slack user is: display name, whether Slack says they are an admin or owner, and their time
zone (users.info), remembered briefly so a burst of commands costs one API call. Each workspace's time
zone is remembered too: the installing user's when known, else the first one Slack told us.

Before an acknowledgement nothing may wait long, so `lookup(..., quick=True)` asks once with a short
timeout and no retries; a person it could not settle is marked `unsure`, and the caller finishes the
lookup (with retries) after acknowledging.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

QUICK_LOOKUP_SECONDS = 0.8  # well inside the answer budget, so the ack still has time for the answer
_TRANSIENT = frozenset({"ratelimited", "rate_limited", "request_timeout", "service_unavailable",
                        "fatal_error", "internal_error"})

Installer = Callable[[str], str | None]  # team id -> the user id of whoever installed the app there


@dataclass(frozen=True)
class Person:
    display_name: str
    is_admin: bool
    timezone: str = ""  # IANA name from Slack's profile ("America/Chicago"); "" when unknown
    unsure: bool = False  # Slack did not answer in time (slow or rate-limited): waiting could tell more


class People:
    def __init__(self, ttl_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic, *,
                 quick_seconds: float = QUICK_LOOKUP_SECONDS, installer: Installer | None = None) -> None:
        self.ttl = ttl_seconds
        self.clock = clock
        self.quick_seconds = quick_seconds
        self.installer = installer
        self._known: dict[tuple[str, str], tuple[float, Person]] = {}
        self._zones: dict[str, tuple[str, bool]] = {}  # team -> (zone, from the installer)
        self._installers: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def lookup(self, client: WebClient, team_id: str, user_id: str, fallback_name: str = "", *,
               quick: bool = False) -> Person:
        """The person as Slack describes them. Never raises: when Slack will not say, the person has
        no admin rights for this request (and is `unsure` when asking again later could help)."""
        key = (team_id, user_id)
        now = self.clock()
        with self._lock:
            hit = self._known.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        asking = _quick_client(client, self.quick_seconds) if quick else client
        try:
            user = asking.users_info(user=user_id).get("user") or {}
        except SlackApiError as err:
            error = str(err.response.get("error", ""))
            log.warning("users.info failed team=%s error=%s", team_id, error)
            return Person(fallback_name, False, unsure=quick and (error in _TRANSIENT or
                                                                  err.response.status_code == 429))
        except OSError as err:  # a timeout or a dropped connection: nothing the person did
            log.warning("users.info failed team=%s error=%s", team_id, type(err).__name__)
            return Person(fallback_name, False, unsure=quick)
        profile = user.get("profile") or {}
        name = profile.get("display_name") or user.get("real_name") or user.get("name") or fallback_name
        person = Person(str(name), bool(user.get("is_admin") or user.get("is_owner")),
                        _zone_name(user.get("tz")))
        with self._lock:
            if len(self._known) > 50_000:
                self._known.clear()  # a crude bound: the cache is only a speed-up
            self._known[key] = (now, person)
        if person.timezone:
            self._learn_zone(team_id, user_id, person.timezone)
        return person

    def zone_of(self, team_id: str) -> str:
        """The workspace's time zone as far as we know it; "" before anyone's profile was read."""
        with self._lock:
            known = self._zones.get(team_id)
        return known[0] if known else ""

    def _learn_zone(self, team_id: str, user_id: str, zone: str) -> None:
        is_installer = self._installer_of(team_id) == user_id
        with self._lock:
            known = self._zones.get(team_id)
            # The installer's zone is the workspace's; anyone's zone will do until theirs is known.
            if known is None or (is_installer and known != (zone, True)):
                self._zones[team_id] = (zone, is_installer)

    def _installer_of(self, team_id: str) -> str | None:
        if self.installer is None:
            return None
        with self._lock:
            if team_id in self._installers:
                return self._installers[team_id]
        try:
            found = self.installer(team_id)
        except Exception as err:  # the installation store is a convenience here, never a failure
            log.warning("installer lookup failed team=%s error=%s", team_id, type(err).__name__)
            return None
        with self._lock:
            self._installers[team_id] = found
        return found


def _quick_client(client: WebClient, seconds: float) -> WebClient:
    """The same workspace's client, asking once with a short timeout: no retry waits before an ack."""
    # urllib takes fractions of a second, whatever the annotation says.
    return WebClient(token=client.token, base_url=client.base_url, timeout=seconds,  # type: ignore[arg-type]
                     retry_handlers=[])


def _zone_name(value: object) -> str:
    """Slack's `tz` when it is a zone Python knows; "" otherwise (a digest then falls back)."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    return value
