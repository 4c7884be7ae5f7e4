"""The scheduler process: runs the periodic jobs of app.services.jobs with APScheduler.

It is a thin process over the services, so every job can also be run by hand
from the CLI (`flask sla sweep`, …). Run: `python -m workers.scheduler`.
"""
import logging
import signal
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler

from app import create_app, logs
from app.services import jobs
from config import from_env

log = logging.getLogger("scheduler")


def build(app) -> BlockingScheduler:
    """A scheduler with one APScheduler job per entry of app.services.jobs.JOBS."""
    scheduler = BlockingScheduler(timezone="UTC")
    for job in jobs.JOBS:

        def run(job=job):
            with app.app_context():
                try:
                    result = job.func()
                    # Every minute: kept out of the console unless LOG_LEVEL=DEBUG.
                    log.debug("%s: %s", job.name, result)
                except Exception:  # one failing job must not stop the others
                    log.exception("%s failed", job.name)

        # coalesce + max_instances=1: a slow sweep is never run twice at once in this process.
        # First run at start: a restarted (or added) scheduler catches up at once.
        scheduler.add_job(run, "interval", seconds=job.seconds, id=job.name, name=job.name, coalesce=True,
                          max_instances=1, next_run_time=datetime.now(UTC))
    return scheduler


def main() -> None:
    logs.configure("scheduler")
    app = create_app(from_env())
    scheduler = build(app)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    log.info("scheduler started with jobs: %s", ", ".join(j.name for j in jobs.JOBS) or "(none)")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


if __name__ == "__main__":
    main()
