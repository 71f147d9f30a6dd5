"""Who a Slack user is: display name and whether Slack says they are an admin or owner (users.info),
remembered briefly so a burst of commands costs one API call."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Person:
    display_name: str
    is_admin: bool


class People:
    def __init__(self, ttl_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl_seconds
        self.clock = clock
        self._known: dict[tuple[str, str], tuple[float, Person]] = {}
        self._lock = threading.Lock()

    def lookup(self, client: WebClient, team_id: str, user_id: str, fallback_name: str = "") -> Person:
        key = (team_id, user_id)
        now = self.clock()
        with self._lock:
            hit = self._known.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        try:
            user = client.users_info(user=user_id).get("user") or {}
        except SlackApiError as err:
            # Not knowing the role means no admin rights for this request; never fail the request.
            log.warning("users.info failed team=%s error=%s", team_id, err.response.get("error"))
            return Person(fallback_name, False)
        profile = user.get("profile") or {}
        name = profile.get("display_name") or user.get("real_name") or user.get("name") or fallback_name
        person = Person(str(name), bool(user.get("is_admin") or user.get("is_owner")))
        with self._lock:
            if len(self._known) > 50_000:
                self._known.clear()  # a crude bound: the cache is only a speed-up
            self._known[key] = (now, person)
        return person
