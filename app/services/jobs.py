"""The periodic jobs the scheduler runs; each is a plain service call, also reachable from the CLI."""
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], object]
    seconds: int


def _sweep():
    from app.services import sla

    return sla.sweep()


def _auto_close():
    from app.services import sla

    return sla.auto_close()


def _send_outbox():
    from app.services import sla

    return sla.send_outbox()


def _end_suspensions():
    from app.services import handling

    return handling.end_capped_suspensions()


def _send_webhooks():
    from app.services import webhooks

    return webhooks.send_due()


def _jobs() -> list[Job]:
    # The services are imported lazily (inside each job): they import models, which need the app.
    return [
        Job("sla_sweep", _sweep, 60),
        Job("auto_close", _auto_close, 3600),
        Job("end_suspensions", _end_suspensions, 60),
        Job("send_outbox", _send_outbox, 60),
        Job("send_webhooks", _send_webhooks, 30),
    ]


JOBS: list[Job] = _jobs()
