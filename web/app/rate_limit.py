"""A token bucket per client: how many changing requests one client may send.

Each client (its address; an IPv6 client by its /64, the block one host may pick
addresses from) has a bucket of `burst` tokens refilled at `per_minute / 60` a second.
A request takes a token; with none left it waits `wait()` seconds. The buckets are
bounded: past `max_clients` the least recently seen is forgotten (a forgotten client
starts with a full bucket again, which costs at most one burst).
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

MAX_CLIENTS = 4096  # buckets kept at most; about 100 bytes each
MAX_BURST = 10  # requests a client may send at once before the rate applies


def client_key(address: str | None) -> str:
    """The bucket a request's client address falls in."""
    if not address:
        return "?"
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class RateLimiter:
    """Token buckets per client key; safe to share between the server's threads."""

    def __init__(
        self,
        per_minute: int,
        *,
        burst: int | None = None,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute < 1:
            raise ValueError(f"per_minute: must be 1 or more, not {per_minute!r}")
        self.per_minute = per_minute
        self.burst = burst if burst is not None else min(per_minute, MAX_BURST)
        self._rate = per_minute / 60.0  # tokens a second
        self._max_clients = max_clients
        self._clock = clock
        # key -> (tokens, when, refused last time); the least recently seen first
        self._buckets: OrderedDict[str, tuple[float, float, bool]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take a token for `key`: 0.0 when the request may go on, else the seconds until
        a token is back (nothing is taken then)."""
        return self.take_noting(key)[0]

    def take_noting(self, key: str) -> tuple[float, bool]:
        """`take`, and whether this is the first refusal since `key`'s last success (so
        a flood is logged once, not once per request)."""
        now = self._clock()
        with self._lock:
            tokens, then, refused = self._buckets.pop(key, (float(self.burst), now, False))
            tokens = min(float(self.burst), tokens + max(0.0, now - then) * self._rate)
            if tokens >= 1.0:
                tokens -= 1.0
                wait, first = 0.0, False
            else:
                wait, first = (1.0 - tokens) / self._rate, not refused
            self._buckets[key] = (tokens, now, wait > 0)  # the newest at the end
            while len(self._buckets) > self._max_clients:
                self._buckets.popitem(last=False)
        return wait, first

    @property
    def clients(self) -> int:
        """Buckets held now."""
        return len(self._buckets)


def retry_after(wait: float) -> int:
    """`wait` seconds as the whole seconds of a Retry-After header (at least 1)."""
    return max(1, math.ceil(wait))
