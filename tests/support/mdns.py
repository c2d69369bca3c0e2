"""A real DNS-SD browser on loopback, for the discovery tests: a Zeroconf instance of the
test's own that browses `_http._tcp` on 127.0.0.1 and records what comes and goes.

Only loopback: multicast on the machine's other interfaces would leave the sandbox.
"""

from __future__ import annotations

import threading
import time

from zeroconf import ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

from spirokiosk.daemon.discovery.announcer import close_zeroconf

HTTP = "_http._tcp.local."


class LoopbackBrowser:
    """`with LoopbackBrowser() as browser:` ... `browser.wait_added(name)`."""

    def __init__(self) -> None:
        self.zc = Zeroconf(interfaces=["127.0.0.1"])
        self._changed = threading.Condition()
        self.present: set[str] = set()  # instance names (without the type) seen, not gone
        self.removed: set[str] = set()
        self._browser = ServiceBrowser(self.zc, HTTP, handlers=[self._on_change])

    def _on_change(self, zeroconf, service_type, name, state_change) -> None:
        instance = name.removesuffix("." + service_type)
        with self._changed:
            if state_change is ServiceStateChange.Removed:
                self.present.discard(instance)
                self.removed.add(instance)
            else:
                self.present.add(instance)
                self.removed.discard(instance)
            self._changed.notify_all()

    def _wait(self, predicate, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{what} within {timeout} s; seen {self.present}")
                self._changed.wait(left)

    def wait_added(self, instance: str, timeout: float = 10.0) -> None:
        self._wait(lambda: instance in self.present, timeout, f"{instance!r} not found")

    def wait_removed(self, instance: str, timeout: float = 10.0) -> None:
        self._wait(lambda: instance in self.removed, timeout, f"{instance!r} not withdrawn")

    def info(self, instance: str, timeout: float = 5.0) -> ServiceInfo:
        """The service's SRV, TXT and address records, asked for on the network."""
        info = self.zc.get_service_info(HTTP, f"{instance}.{HTTP}", timeout=round(timeout * 1000))
        assert info is not None, f"no records for {instance!r}"
        return info

    def close(self) -> None:
        self._browser.cancel()
        close_zeroconf(self.zc)

    def __enter__(self) -> LoopbackBrowser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
