"""What the kiosk announces: `_http._tcp` as "spirokiosk on <host>" with its port, its
addresses and TXT records for the page, the stream and the snapshot (RFC 6763 §6: short
key=value strings; browsers and Home Assistant show the instance name and open
http://<address>:<port><path>).
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass

from zeroconf import InterfaceChoice, ServiceInfo

from spirokiosk.daemon.discovery.hosts import host_name
from spirokiosk.web.urls import is_wildcard

SERVICE_TYPE = "_http._tcp.local."
HOSTNAME_FIELD = "{hostname}"
MAX_NAME_BYTES = 63  # an instance name is one DNS label (RFC 6763 §4.1.1)
PAGE_PATH = "/"
STREAM_PATH = "/stream.mjpg"
SNAPSHOT_PATH = "/snapshot.jpg"


def instance_name(template: str, hostname: str | None = None) -> str:
    """`template` with {hostname} filled in, cut to the 63 bytes a DNS label may hold."""
    name = template.replace(HOSTNAME_FIELD, hostname or host_name())
    raw = name.encode("utf-8")[:MAX_NAME_BYTES]
    return raw.decode("utf-8", errors="ignore").strip()


def package_version() -> str:
    try:
        return importlib.metadata.version("spirokiosk")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class Advert:
    """One announcement: equal adverts need no new registration."""

    name: str  # the instance name, filled in and cut (see instance_name)
    port: int
    bind: str
    addresses: tuple[str, ...]
    version: str

    @property
    def interfaces(self) -> InterfaceChoice | list[str]:
        """Where to listen and answer: every interface for a wildcard bind (zeroconf's
        default choice), else the bound address's interface only."""
        return InterfaceChoice.All if is_wildcard(self.bind) else list(self.addresses)

    @property
    def properties(self) -> dict[str, str]:
        return {
            "path": PAGE_PATH,
            "version": self.version,
            "stream": STREAM_PATH,
            "snapshot": SNAPSHOT_PATH,
        }

    def service_info(self) -> ServiceInfo:
        # The host name announced is the kiosk's own, not <hostname>.local: on a Pi, Avahi
        # already answers for that name, per interface, and records of it with other
        # addresses would count as a conflict (RFC 6762 §9) and get the host renamed.
        return ServiceInfo(
            SERVICE_TYPE,
            f"{self.name}.{SERVICE_TYPE}",
            port=self.port,
            properties=self.properties,
            server=f"spirokiosk-{host_name()}.local.",
            parsed_addresses=list(self.addresses),
        )
