"""A small thread pool for the part of a search that can run beside the rest (facet counts).

tantivy releases the GIL while it aggregates, so facet counts started here run on another core
while the calling thread loads documents and cuts snippets (bench/RESULTS.md: page search p95
7.4 → 6.6 ms, people search 12.9 → 10.2 ms at 100k pages on 2 cores). One pool per process: a
pool's threads do not survive a fork (Celery's prefork children), so a child makes its own.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

_lock = threading.Lock()
_pool: tuple[int, ThreadPoolExecutor] | None = None


def beside(fn: Callable[..., Any], *args: Any) -> Future:
    """Run fn(*args) on this process's pool; the caller waits on the future before it returns."""
    global _pool
    with _lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(max_workers=4, thread_name_prefix="tantivy-beside"))
        pool = _pool[1]
    return pool.submit(fn, *args)
