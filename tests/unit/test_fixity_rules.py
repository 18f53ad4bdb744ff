"""Pure rules of the fixity cycle: when a checked object is due again, and how the throttle paces reads."""

from __future__ import annotations

from datetime import timedelta

from archive.services.fixity import Throttle, recheck_after


def test_a_checked_object_is_due_again_after_five_sixths_of_the_cycle() -> None:
    assert recheck_after(30) == timedelta(days=25)  # a sixth of the cycle left for backlog
    assert recheck_after(6) == timedelta(days=5)


def test_the_throttle_holds_every_thread_of_a_pass_to_the_configured_rate() -> None:
    now, slept = [100.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    throttle = Throttle(10, clock=lambda: now[0], sleep=sleep)  # 10 MB/s
    throttle(5_000_000)  # half a second's worth, read instantly: wait the half second
    assert slept == [0.5]
    now[0] += 2.0  # then a pause (a slow object): at most a second of reading is saved up
    throttle(10_000_000)
    assert slept == [0.5]
    throttle(10_000_000)  # the pause is used up: this one waits its full second
    assert slept == [0.5, 1.0]


def test_the_throttle_is_off_at_zero() -> None:
    slept: list[float] = []
    off = Throttle(0, clock=lambda: 0.0, sleep=slept.append)
    off(10**12)
    assert slept == []
