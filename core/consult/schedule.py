"""Consult clockwork on the scheduler the digests use: a tick every minute sends due reminders and
delivers (or retries) the outbox."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from core import logsafe
from core.consult.outbox import Deliverer, DeliveryReport
from core.consult.reminders import ConsultReminders, ReminderReport

log = logging.getLogger(__name__)

CONSULT_JOB = "consult-tick"


@dataclass
class ConsultRunner:
    reminders: ConsultReminders
    deliverer: Deliverer

    def tick(self) -> tuple[ReminderReport, DeliveryReport]:
        return self.reminders.tick(), self.deliverer.deliver_due()

    def run_guarded(self) -> None:
        try:
            self.tick()
        except Exception as exc:  # logged; the next tick tries again
            log.error("scheduled consult tick failed: %s", logsafe.describe(exc))


def add_consult_job(scheduler: BaseScheduler, runner: ConsultRunner, start: datetime) -> None:
    scheduler.add_job(runner.run_guarded, IntervalTrigger(minutes=1), id=CONSULT_JOB, next_run_time=start,
                      coalesce=True, max_instances=1, replace_existing=True, misfire_grace_time=50)
