"""`archive serve`'s restart rule: a child that dies is started again, one that keeps dying stops all."""

from collections import deque

from archive.serve import RESTART_LIMIT, RESTART_WINDOW_SECONDS, keeps_dying


def test_a_child_dying_now_and_then_is_always_restarted():
    deaths: deque[float] = deque()
    # one death every 20 s for an hour: never more than RESTART_LIMIT in the window
    assert not any(keeps_dying(deaths, t * 20.0) for t in range(180))


def test_a_child_dying_at_start_again_and_again_stops_the_service():
    deaths: deque[float] = deque()
    answers = [keeps_dying(deaths, t * 1.0) for t in range(RESTART_LIMIT + 1)]
    assert answers == [False] * RESTART_LIMIT + [True]


def test_old_deaths_leave_the_window():
    deaths: deque[float] = deque()
    for t in range(RESTART_LIMIT):
        keeps_dying(deaths, float(t))
    assert not keeps_dying(deaths, RESTART_WINDOW_SECONDS + RESTART_LIMIT + 1.0)
    assert len(deaths) == 1


def test_the_ocr_workers_run_niced_and_nothing_else_does(tmp_path):
    from archive.serve import commands
    from archive.settings import Settings

    niced = commands(Settings(data_dir=tmp_path, ocr_nice=10), host="127.0.0.1", port=8000, ocr_workers=2)
    assert niced["ocr"][:3] == ["nice", "-n", "10"] and "ocr,work" in niced["ocr"]
    assert all(cmd[0] != "nice" for name, cmd in niced.items() if name != "ocr")
    plain = commands(Settings(data_dir=tmp_path, ocr_nice=0), host="127.0.0.1", port=8000, ocr_workers=2)
    assert plain["ocr"][0] != "nice"
