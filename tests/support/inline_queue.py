"""A TaskQueue for in-process tests: records what services send and runs it on `drain()`.

It calls the same work functions the Celery tasks call (archive.work.run_job and the drain
kinds), so service-level tests exercise the real pipeline without worker processes (the
e2e tests run real Celery workers).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class InlineQueue:
    sent: list[tuple[int, str]] = field(default_factory=list)
    woken: list[str] = field(default_factory=list)
    _container: object = None

    def bind(self, container: object) -> None:
        self._container = container

    @property
    def sent_process(self) -> list[int]:
        """Ids of the extract jobs sent and not yet run."""
        return [job_id for job_id, kind in self.sent if kind == "extract"]

    def send_job(self, job_id: int, kind: str) -> None:
        self.sent.append((job_id, kind))

    def wake(self, kind: str) -> None:
        self.woken.append(kind)

    def ping(self) -> None:
        pass

    def drain(self) -> None:
        """Run every job sent, then the drain kinds woken, until nothing is left."""
        from archive.work import run_job

        c = self._container
        while self.sent or self.woken:
            while self.sent:
                job_id, _kind = self.sent.pop(0)
                run_job(c, c.registry, job_id, worker_id="test-worker")
            kinds, self.woken = list(dict.fromkeys(self.woken)), []
            for kind in kinds:
                c.registry.drain(kind).drain(c)
