"""A TaskQueue for in-process tests: records what services send and runs it on `drain()`.

It calls the same service functions the Celery tasks call, so service-level tests exercise
the real pipeline without worker processes (the e2e tests run real Celery workers).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class InlineQueue:
    sent_process: list[int] = field(default_factory=list)
    index_requests: int = 0
    _container: object = None

    def bind(self, container: object) -> None:
        self._container = container

    def send_process(self, job_id: int) -> None:
        self.sent_process.append(job_id)

    def send_index(self) -> None:
        self.index_requests += 1

    def drain(self) -> None:
        """Run every queued job, then the index consumer, until nothing is left."""
        from archive.services.processing import index_pending, run_job

        while self.sent_process or self.index_requests:
            while self.sent_process:
                run_job(self._container, self.sent_process.pop(0), worker_id="test-worker")
            if self.index_requests:
                self.index_requests = 0
                index_pending(self._container)
