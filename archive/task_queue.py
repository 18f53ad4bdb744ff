"""The work-queue port: how services ask for background work after their transaction commits.

Messages only wake workers up; the job table is the durable truth, so a lost message costs
a delay (the sweeper re-sends it), never a document. Kinds are names from archive.work's
registry; which Celery queue serves a kind is the adapter's business.
"""

from __future__ import annotations

from typing import Protocol


class TaskQueue(Protocol):
    def send_job(self, job_id: int, kind: str) -> None:
        """Ask a worker to run the job row `job_id` (of kind `kind`)."""
        ...

    def wake(self, kind: str) -> None:
        """Ask the consumer of a drain kind (e.g. the single index consumer) to take what waits."""
        ...

    def ping(self) -> None:
        """Raise if the broker cannot be reached (the health check)."""
        ...


class NullQueue:
    """Sends nothing: for one-shot commands whose work the sweeper will pick up later."""

    def send_job(self, job_id: int, kind: str) -> None:
        pass

    def wake(self, kind: str) -> None:
        pass

    def ping(self) -> None:
        pass
