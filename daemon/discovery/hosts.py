"""The host's addresses as the LAN sees them, and the mirror's URL to show on screen.

`web.bind` decides: a wildcard (0.0.0.0, ::) means every address of the host (its IPv4
ones, as zeroconf's default interface choice); a specific address or host name means
that one only.
"""

from __future__ import annotations

import ipaddress
import logging
import socket

import ifaddr

from spirokiosk.web.urls import http_url, is_wildcard

log = logging.getLogger(__name__)


def host_name() -> str:
    """This machine's name without a domain (what `<name>.local` resolves on the LAN)."""
    return socket.gethostname().partition(".")[0] or "localhost"


def lan_addresses() -> tuple[str, ...]:
    """The host's IPv4 addresses a LAN client can reach: not loopback, not link-local
    (169.254/16: what an interface gets while no DHCP answers). In the adapters' order."""
    found: list[str] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if not ip.is_IPv4:  # ifaddr's IP.is_IPv4, as zeroconf's get_all_addresses uses
                continue
            address = ipaddress.IPv4Address(ip.ip)
            if not (address.is_loopback or address.is_link_local) and ip.ip not in found:
                found.append(ip.ip)
    return tuple(found)


def bound_addresses(bind: str) -> tuple[str, ...]:
    """The addresses the mirror answers on: the host's LAN addresses for a wildcard, else
    the bound address (a host name resolved; empty when it does not resolve)."""
    if is_wildcard(bind):
        return lan_addresses()
    try:
        return (str(ipaddress.ip_address(bind)),)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(bind, None, socket.AF_INET, socket.SOCK_STREAM)
    except OSError as exc:
        log.warning("discovery: web.bind %s does not resolve: %s", bind, exc)
        return ()
    return tuple(dict.fromkeys(str(info[4][0]) for info in infos))


def page_url(bind: str, port: int, addresses: tuple[str, ...] | None = None) -> str:
    """http://<address>:<port>/ for a phone to open: the first of `addresses` (by default
    those of `bound_addresses(bind)`), or `<host name>.local` when the host has none yet."""
    if addresses is None:
        addresses = bound_addresses(bind)
    return http_url(addresses[0] if addresses else f"{host_name()}.local", port)
