"""The periodic jobs the scheduler runs; each is a plain service call, also reachable from the CLI."""
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], object]
    seconds: int


def _jobs() -> list[Job]:
    # Imported lazily: the services import models, which need the app's extensions first.
    return []


JOBS: list[Job] = _jobs()
