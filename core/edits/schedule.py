"""The change-notice job on the bot's scheduler: send queued `/changes watch` notices each minute."""

from __future__ import annotations

import logging

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from core import logsafe
from core.edits.watches import NoticeSender

log = logging.getLogger(__name__)

NOTICE_JOB = "edits-change-notices"


def add_notice_job(scheduler: BaseScheduler, sender: NoticeSender) -> None:
    def run() -> None:
        try:
            sender.run()
        except Exception as exc:  # logged; the next minute tries again
            log.error("change notices failed: %s", logsafe.describe(exc))

    scheduler.add_job(run, IntervalTrigger(minutes=1), id=NOTICE_JOB, coalesce=True, max_instances=1,
                      replace_existing=True, misfire_grace_time=50)
