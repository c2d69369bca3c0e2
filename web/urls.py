"""The mirror's address spelled out: a host and a port as a URL.

Which host to show is the caller's choice (WebServer.url in the log: the machine's name
for a wildcard bind; daemon/discovery/hosts.py `page_url` on the screen: a LAN address);
only the spelling is here, so that both, and the web server's errors, write it alike.
"""

from __future__ import annotations

# Binds that mean every address of the machine (IPv4, IPv6, or whatever getaddrinfo picks).
WILDCARDS = frozenset({"", "0.0.0.0", "::", "::0"})


def is_wildcard(bind: str) -> bool:
    return bind in WILDCARDS


def authority(host: str, port: int) -> str:
    """`host:port`, an IPv6 address in brackets ("[fd00::2]:8000": RFC 3986, 3.2.2, as
    its colons would otherwise run into the port's). The port is always written, 80 too."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def http_url(host: str, port: int) -> str:
    """`http://host:port/` (see `authority`)."""
    return f"http://{authority(host, port)}/"
