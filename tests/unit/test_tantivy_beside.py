"""The side pool for facet counts keeps working in a forked child (Celery's prefork workers)."""

import os

from search.tantivy_beside import beside


def test_a_forked_child_gets_its_own_pool():
    assert beside(sum, [1, 2]).result(timeout=5) == 3  # the parent's pool now has a thread
    pid = os.fork()
    if pid == 0:  # child: the parent's threads did not come along
        try:
            ok = beside(sum, [2, 3]).result(timeout=5) == 5
        except BaseException:  # noqa: BLE001
            ok = False
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
