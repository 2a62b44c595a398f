"""Failed sign-ins slow the guesser, per account and address, and per address more loosely:
never a flat lock of the account that shuts its owner out from elsewhere."""

from datetime import UTC, datetime, timedelta

import pytest

from service.accounts.refusals import SignInLocked
from service.accounts.throttle import SignInThrottle

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
    return SignInThrottle(limit=5, address_limit=20, window=timedelta(minutes=15), clock=clock)


def fail(throttle: SignInThrottle, times: int, **who: str) -> None:
    for _ in range(times):
        throttle.failed(**who)


def test_the_fifth_failure_from_an_address_makes_it_wait_and_says_until_when(throttle, clock):
    fail(throttle, 4, username="k.okafor", address="10.0.0.1")
    throttle.check(username="k.okafor", address="10.0.0.1")  # four: still allowed
    clock.advance(minutes=1)
    with pytest.raises(SignInLocked) as locked:
        throttle.failed(username="k.okafor", address="10.0.0.1")
    assert locked.value.retry_at == START + timedelta(minutes=2)
    assert "try again after 2026-11-23 15:02:00 UTC" in str(locked.value)
    with pytest.raises(SignInLocked):
        throttle.check(username="k.okafor", address="10.0.0.1")
    # The owner, from anywhere else, is not locked out; nor is anyone else from there.
    throttle.check(username="k.okafor", address="10.9.9.9")
    throttle.check(username="d.chen", address="10.0.0.1")


def test_each_further_failure_doubles_the_wait_up_to_a_limit(throttle, clock):
    fail(throttle, 4, username="k.okafor", address="10.0.0.1")
    waits = []
    for _ in range(8):
        with pytest.raises(SignInLocked) as locked:
            throttle.failed(username="k.okafor", address="10.0.0.1")
        waits.append(locked.value.retry_at - clock.now)
        clock.now = locked.value.retry_at  # the guesser waits exactly as long as told
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 15, 15, 15, 15)]
    throttle.check(username="k.okafor", address="10.0.0.1")


def test_a_sign_in_from_there_forgets_the_failures_and_so_does_a_quiet_day(throttle, clock):
    fail(throttle, 4, username="k.okafor", address="10.0.0.1")
    throttle.succeeded(username="k.okafor", address="10.0.0.1")
    fail(throttle, 4, username="k.okafor", address="10.0.0.1")  # counting from nought again
    clock.advance(hours=24)
    fail(throttle, 4, username="k.okafor", address="10.0.0.1")
    throttle.check(username="k.okafor", address="10.0.0.1")


def test_failures_from_many_addresses_never_lock_the_owner_out(throttle):
    for n in range(50):
        fail(throttle, 4, username="k.okafor", address=f"203.0.113.{n}")
    throttle.check(username="k.okafor", address="10.0.0.1")


def test_one_address_trying_many_accounts_is_locked_more_loosely(throttle, clock):
    for n in range(19):
        throttle.failed(username=f"user{n}", address="203.0.113.9")
    with pytest.raises(SignInLocked) as locked:
        throttle.failed(username="user19", address="203.0.113.9")
    assert locked.value.retry_at == START + timedelta(minutes=15)
    with pytest.raises(SignInLocked):
        throttle.check(username="someone-else", address="203.0.113.9")
    throttle.check(username="someone-else", address="198.51.100.1")
    clock.advance(minutes=15)
    throttle.check(username="someone-else", address="203.0.113.9")


def test_a_success_does_not_reset_the_address(throttle):
    fail(throttle, 19, address="10.0.0.1")
    throttle.succeeded(username="k.okafor", address="10.0.0.1")
    with pytest.raises(SignInLocked):
        throttle.failed(username="d.chen", address="10.0.0.1")  # the address's twentieth


def test_memory_stays_bounded(clock):
    throttle = SignInThrottle(limit=5, clock=clock, max_keys=100)
    for n in range(1000):
        throttle.failed(username=f"user{n}", address=f"10.0.{n // 256}.{n % 256}")
    assert len(throttle._guesses) <= 100 and len(throttle._addresses) <= 100


def test_a_throttle_needs_sensible_limits_and_delays():
    with pytest.raises(ValueError):
        SignInThrottle(limit=0)
    with pytest.raises(ValueError):
        SignInThrottle(address_limit=0)
    with pytest.raises(ValueError):
        SignInThrottle(window=timedelta(0))
    with pytest.raises(ValueError):
        SignInThrottle(base_delay=timedelta(minutes=5), max_delay=timedelta(minutes=1))
