"""The `discovery` thread: the kiosk announced over mDNS while it runs.

The thread owns the Zeroconf instance (its sockets and its own asyncio thread) and is
the only one to call it: registering probes the name for about two seconds, which the
start-up and the render loop must not wait for. Every few seconds it looks at the host's
addresses again (a Pi often boots before its Wi-Fi is up) and keeps the advert in step
with them and with the settings (`apply`, on reload); a changed advert is withdrawn
before the new one is announced; on stop everything is withdrawn (goodbye packets) and
closed. It also hands out the mirror's URL (`on_url`) when it changes.

A failure of multicast DNS (no network, no multicast route, a refused socket) is a
warning: the kiosk goes on, reachable by its address; it is tried again a minute later,
or at once when the addresses or the settings change.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from zeroconf import Zeroconf

from spirokiosk.daemon.discovery.advert import Advert, instance_name, package_version
from spirokiosk.daemon.discovery.hosts import bound_addresses, page_url

log = logging.getLogger(__name__)

ADDRESS_CHECK_SECONDS = 10.0
RETRY_SECONDS = 60.0  # after a failure, unless the addresses or the settings change first


@dataclass(frozen=True)
class DiscoverySettings:
    announce: bool  # discovery.enabled
    name: str  # discovery.name, {hostname} not filled in yet
    bind: str  # web.bind
    port: int  # web.port


class Announcer:
    """Start once, `apply` new settings from any thread, `stop` once."""

    def __init__(
        self,
        settings: DiscoverySettings,
        *,
        on_url: Callable[[str], object] | None = None,
        check_seconds: float = ADDRESS_CHECK_SECONDS,
    ) -> None:
        self._settings = settings
        self._on_url = on_url
        self._check_seconds = check_seconds
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="discovery", daemon=True)
        self._zc: Zeroconf | None = None
        self._zc_interfaces: object = None
        self._advert: Advert | None = None  # announced now
        self._info = None  # ...as this ServiceInfo (its name may have got a suffix)
        self._failed: Advert | None = None  # not tried again before _retry_at
        self._retry_at = 0.0
        self._waiting = False  # for an address (said once)
        self._url: str | None = None
        self._version = package_version()
        self.announced_name: str | None = None  # the name on the LAN, for status and tests

    def start(self) -> None:
        self._thread.start()

    @property
    def settings(self) -> DiscoverySettings:
        """What it announces now (or is about to)."""
        return self._settings

    def apply(self, settings: DiscoverySettings) -> None:
        """Use `settings` from now on (the thread does the work; this returns at once)."""
        self._settings = settings
        self._wake.set()

    def stop(self, timeout: float) -> None:
        """Withdraw the advert and close; gives up waiting after `timeout` seconds (the
        thread is a daemon thread: a zeroconf call stuck in its loop ends with the process)."""
        self._stopping = True
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("discovery: still busy after %.1f s; left to end alone", timeout)

    # -- the thread ------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stopping:
                self._wake.clear()
                self._step(self._settings)
                self._wake.wait(self._check_seconds)
        except Exception:
            log.exception("discovery: failed; the kiosk goes on without being announced")
        finally:
            self._close()

    def _step(self, settings: DiscoverySettings) -> None:
        addresses = bound_addresses(settings.bind)
        url = page_url(settings.bind, settings.port, addresses)
        # A URL refused (a full command queue) is handed out again next time.
        if url != self._url and self._on_url is not None and self._on_url(url) is not False:
            self._url = url
        wanted = None
        if settings.announce and addresses:
            wanted = Advert(
                name=instance_name(settings.name),
                port=settings.port,
                bind=settings.bind,
                addresses=addresses,
                version=self._version,
            )
        waiting = settings.announce and not addresses
        if waiting and not self._waiting:
            log.info("discovery: no network address yet; announcing once there is one")
        self._waiting = waiting
        self._keep(wanted)

    def _keep(self, wanted: Advert | None) -> None:
        if wanted == self._advert:
            return
        if wanted is not None and wanted == self._failed:
            if time.monotonic() < self._retry_at:
                return
            log.info("discovery: trying again")
        if wanted is None or (self._zc is not None and wanted.interfaces != self._zc_interfaces):
            self._close()
        else:
            self._withdraw()
        if wanted is None or self._stopping:
            return
        try:
            if self._zc is None:
                self._zc_interfaces = wanted.interfaces
                self._zc = Zeroconf(interfaces=wanted.interfaces)
            info = wanted.service_info()
            # A name taken by another kiosk gets a "-2" (zeroconf's way; Avahi says " #2").
            self._zc.register_service(info, allow_name_change=True)
        except Exception as exc:
            self._failed, self._retry_at = wanted, time.monotonic() + RETRY_SECONDS
            log.warning(
                "discovery: cannot announce the kiosk over mDNS (%s: %s); it goes on, "
                "reachable by its address",
                type(exc).__name__,
                str(exc),  # not the exception: its traceback would keep zeroconf's sockets
            )
            self._close()
            return
        self._failed = None
        self._advert, self._info = wanted, info
        self.announced_name = info.name.removesuffix("." + info.type)
        log.info(
            "discovery: announced as %r (_http._tcp) on %s port %d",
            self.announced_name,
            ", ".join(wanted.addresses),
            wanted.port,
        )

    def _withdraw(self) -> None:
        info, self._info, self._advert = self._info, None, None
        if info is None or self._zc is None:
            return
        self.announced_name = None
        try:
            self._zc.unregister_service(info)  # goodbye packets (TTL 0), sent in the background
        except Exception as exc:
            log.warning("discovery: could not withdraw %r: %s", info.name, exc)
        else:
            log.info("discovery: withdrew %r", info.name.removesuffix("." + info.type))

    def _close(self) -> None:
        zc, self._zc = self._zc, None
        info, self._info, self._advert = self._info, None, None
        self.announced_name = None
        if zc is None:
            return
        try:
            # Withdraws what is registered, waiting for the goodbyes (TTL 0, three times,
            # a quarter of a second: Zeroconf.unregister_all_services), ends its threads.
            close_zeroconf(zc)
        except Exception as exc:
            log.warning("discovery: closing multicast DNS failed: %s", exc)
        else:
            if info is not None:
                log.info("discovery: withdrew %r", info.name.removesuffix("." + info.type))


def close_zeroconf(zc: Zeroconf) -> None:
    """`zc.close()`, and then its event loop's: zeroconf before 0.147.4 (Debian's 0.47.3
    and Trixie's too) stops the loop its thread ran but leaves it open, its epoll and
    self-pipe descriptors with it (python-zeroconf #1685, Zeroconf._shutdown_threads in
    src/zeroconf/_core.py). The thread is joined by then: the loop runs no more."""
    loop = zc.loop
    zc.close()
    if loop is not None and not loop.is_running() and not loop.is_closed():
        loop.close()
