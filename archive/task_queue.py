"""The work-queue port: how services ask for background work after their transaction commits.

Messages only wake workers up; the job table is the durable truth, so a lost message costs
a delay (the sweeper re-sends it), never a document.
"""

from __future__ import annotations

from typing import Protocol


class TaskQueue(Protocol):
    def send_process(self, job_id: int) -> None:
        """Ask an OCR worker to run job `job_id` (extract text of its document)."""
        ...

    def send_index(self) -> None:
        """Ask the single index consumer to index every document waiting for it."""
        ...


class NullQueue:
    """Sends nothing: for one-shot commands whose work the sweeper will pick up later."""

    def send_process(self, job_id: int) -> None:
        pass

    def send_index(self) -> None:
        pass
