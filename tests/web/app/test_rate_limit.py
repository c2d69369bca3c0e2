"""The token buckets behind web.rate_limit: refill, waits, client keys, bounded memory."""

import pytest
from support import FakeClock

from spirokiosk.web.app.rate_limit import RateLimiter, client_key, retry_after


def test_a_burst_then_one_token_per_interval():
    clock = FakeClock()
    limiter = RateLimiter(30, clock=clock)  # one every 2 s, 10 at once
    assert [limiter.take("a") for _ in range(10)] == [0.0] * 10
    assert limiter.take("a") == pytest.approx(2.0)
    clock.now += 0.5
    assert limiter.take("a") == pytest.approx(1.5)  # a refused request takes nothing
    clock.now += 1.5
    assert limiter.take("a") == 0.0
    assert limiter.take("a") == pytest.approx(2.0)
    clock.now += 3600  # a long quiet time refills to the burst, no more
    assert [limiter.take("a") for _ in range(11)].count(0.0) == 10


def test_a_small_rate_has_a_burst_of_its_size():
    clock = FakeClock()
    limiter = RateLimiter(2, clock=clock)
    assert limiter.take("a") == 0.0 and limiter.take("a") == 0.0
    assert limiter.take("a") == pytest.approx(30.0)
    assert retry_after(limiter.take("a")) == 30


def test_memory_is_bounded_the_least_recently_seen_go_first():
    clock = FakeClock()
    limiter = RateLimiter(1, max_clients=100, clock=clock)
    for i in range(1000):
        limiter.take(f"10.0.{i // 256}.{i % 256}")
    assert limiter.clients == 100
    assert limiter.take("10.0.3.231") > 0  # among the newest: still empty
    assert limiter.take("10.0.0.1") == 0.0  # long forgotten: a fresh bucket


def test_clients_are_addresses_and_an_ipv6_host_is_its_64():
    assert client_key("192.168.1.5") == "192.168.1.5"
    assert client_key("::ffff:192.168.1.5") == "192.168.1.5"
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9")
    assert client_key("2001:db8:1:2::1") != client_key("2001:db8:1:3::1")
    assert client_key("fe80::1%eth0") == "fe80::/64"
    assert client_key(None) == "?" and client_key("unix") == "unix"


def test_retry_after_is_whole_seconds_rounded_up():
    assert [retry_after(w) for w in (0.001, 0.999, 1.0, 1.01, 29.5)] == [1, 1, 1, 2, 30]


def test_a_rate_below_one_is_refused():
    with pytest.raises(ValueError, match="per_minute"):
        RateLimiter(0)


def test_a_flood_is_noted_once_until_the_client_gets_through_again():
    clock = FakeClock()
    limiter = RateLimiter(60, burst=1, clock=clock)
    assert limiter.take_noting("a") == (0.0, False)
    firsts = [limiter.take_noting("a")[1] for _ in range(50)]
    assert firsts == [True] + [False] * 49
    clock.now += 1.0
    assert limiter.take_noting("a") == (0.0, False)
    assert limiter.take_noting("a")[1] is True  # a new flood
