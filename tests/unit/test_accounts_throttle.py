"""Failed sign-ins are limited per account and per address, in a sliding window."""

from datetime import UTC, datetime, timedelta

import pytest

from service.accounts import SignInLocked, SignInThrottle

START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def throttle(clock) -> SignInThrottle:
    return SignInThrottle(limit=5, window=timedelta(minutes=15), clock=clock)


def fail(throttle: SignInThrottle, times: int, **who: str) -> None:
    for _ in range(times):
        throttle.failed(**who)


def test_the_fifth_failure_locks_the_account_and_says_when_to_retry(throttle, clock):
    fail(throttle, 4, username="k.okafor", address="10.0.0.1")
    throttle.check(username="k.okafor", address="10.0.0.1")  # four: still allowed
    clock.advance(minutes=1)
    with pytest.raises(SignInLocked) as locked:
        throttle.failed(username="k.okafor", address="10.0.0.2")
    assert locked.value.retry_at == START + timedelta(minutes=15)
    assert "try again after 2026-11-23 15:15:00 UTC" in str(locked.value)
    with pytest.raises(SignInLocked):
        throttle.check(username="k.okafor", address="10.9.9.9")  # any address
    throttle.check(username="d.chen", address="10.0.0.3")  # other people are not locked


def test_the_lock_lifts_when_the_oldest_failure_leaves_the_window(throttle, clock):
    fail(throttle, 4, username="k.okafor")
    clock.advance(minutes=10)
    with pytest.raises(SignInLocked) as locked:
        throttle.failed(username="k.okafor")
    assert locked.value.retry_at == START + timedelta(minutes=15)
    clock.advance(minutes=5)
    throttle.check(username="k.okafor")  # the first four are now older than 15 minutes
    with pytest.raises(SignInLocked):
        fail(throttle, 4, username="k.okafor")


def test_one_address_trying_many_accounts_is_locked(throttle):
    for n in range(4):
        throttle.failed(username=f"user{n}", address="203.0.113.9")
    with pytest.raises(SignInLocked):
        throttle.failed(username="user4", address="203.0.113.9")
    with pytest.raises(SignInLocked):
        throttle.check(username="someone-else", address="203.0.113.9")
    throttle.check(username="someone-else", address="198.51.100.1")


def test_success_clears_the_account_but_not_the_address(throttle):
    fail(throttle, 4, username="k.okafor", address="10.0.0.1")
    throttle.succeeded(username="k.okafor")
    throttle.failed(username="k.okafor", address="10.0.0.2")  # account count restarted
    with pytest.raises(SignInLocked):
        throttle.failed(username="d.chen", address="10.0.0.1")  # the address's fifth


def test_memory_stays_bounded(clock):
    throttle = SignInThrottle(limit=5, clock=clock, max_keys=100)
    for n in range(1000):
        throttle.failed(address=f"10.0.{n // 256}.{n % 256}")
    assert len(throttle._failures) <= 100


def test_a_throttle_needs_a_sensible_limit_and_window():
    with pytest.raises(ValueError):
        SignInThrottle(limit=0)
    with pytest.raises(ValueError):
        SignInThrottle(window=timedelta(0))
