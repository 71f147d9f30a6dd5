"""Runtime settings, read from an environment mapping (never from files holding secrets)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# Slack and Discord both want an answer within three seconds: wait this long for the answer, then
# acknowledge and follow up. Every adapter's budget helper reads this one value.
ANSWER_BUDGET_SECONDS = 2.0


@dataclass(frozen=True)
class Settings:
    database_url: str
    home: Path  # where local state lives: the SQLite file, caches
    cache_dir: Path  # built data (ICD-10-CM rows, the search index), keyed by data version
    log_level: str = "WARNING"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        home = Path(env.get("CODEDESK_HOME", "var")).expanduser()
        url = env.get("DATABASE_URL") or f"sqlite:///{(home / 'codedesk.db').as_posix()}"
        cache = Path(env.get("CODEDESK_CACHE_DIR") or home / "cache").expanduser()
        return cls(database_url=url, home=home, cache_dir=cache,
                   log_level=env.get("CODEDESK_LOG_LEVEL", "WARNING").upper())
