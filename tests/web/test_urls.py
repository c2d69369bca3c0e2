"""The mirror's URL, spelled by one function (web/urls.py) for the web server's log and
the discovery's page URL: the same answers as each gave before they shared it."""

import socket
from types import SimpleNamespace

import pytest

from spirokiosk.daemon.discovery.hosts import host_name, page_url
from spirokiosk.web.server import WebServer, WebServerError
from spirokiosk.web.urls import authority, http_url

PORTS = (80, 8000, 65535)

# What WebServer.url answered, by web.bind, before web/urls.py (commit 3ffafa7, run on
# a host named "vm"; NAME stands for socket.gethostname()). A wildcard bind is logged
# with the machine's name; an address or host name as it was given, IPv6 in brackets
# (even one already in brackets: the config's Address() never gives such a bind).
SERVER_BEFORE = {
    "0.0.0.0": "http://NAME:{port}/",
    "::": "http://NAME:{port}/",
    "": "http://NAME:{port}/",
    "127.0.0.1": "http://127.0.0.1:{port}/",
    "192.168.1.5": "http://192.168.1.5:{port}/",
    "::1": "http://[::1]:{port}/",
    "fd00::2": "http://[fd00::2]:{port}/",
    "fe80::1%eth0": "http://[fe80::1%eth0]:{port}/",
    "localhost": "http://localhost:{port}/",
    "kiosk.lan": "http://kiosk.lan:{port}/",
    "[::1]": "http://[[::1]]:{port}/",
}

# What page_url answered for the addresses discovery found, before the same change: the
# first address, or the mDNS name (NAME.local) when the host has none yet.
PAGE_BEFORE = {
    ("192.168.1.5", "10.0.0.2"): "http://192.168.1.5:{port}/",
    ("fd00::2",): "http://[fd00::2]:{port}/",
    ("fe80::1%eth0",): "http://[fe80::1%eth0]:{port}/",
    (): "http://NAME.local:{port}/",
    ("kiosk.lan",): "http://kiosk.lan:{port}/",
}


def logged_url(bind: str, port: int) -> str:
    """WebServer.url's answer for a server bound to (bind, port), without binding."""
    return WebServer.url.fget(SimpleNamespace(bind=bind, port=port))


@pytest.mark.parametrize("port", PORTS)
@pytest.mark.parametrize("bind", list(SERVER_BEFORE))
def test_the_servers_url_is_as_before(bind, port):
    expected = SERVER_BEFORE[bind].format(port=port).replace("NAME", socket.gethostname())
    assert logged_url(bind, port) == expected


@pytest.mark.parametrize("port", PORTS)
@pytest.mark.parametrize("addresses", list(PAGE_BEFORE))
def test_the_page_url_is_as_before(addresses, port):
    expected = PAGE_BEFORE[addresses].format(port=port).replace("NAME", host_name())
    assert page_url("0.0.0.0", port, addresses) == expected
    # A specific bind that is the address: the same URL as the server logs for it.
    if addresses and addresses[0] not in ("kiosk.lan",):
        assert page_url(addresses[0], port, addresses[:1]) == logged_url(addresses[0], port)


def test_both_use_the_one_spelling():
    assert http_url("fd00::2", 80) == "http://[fd00::2]:80/"  # the port even when default
    assert http_url("192.168.1.5", 8000) == "http://192.168.1.5:8000/"
    assert authority("::1", 8000) == "[::1]:8000"
    assert authority("kiosk.local", 8000) == "kiosk.local:8000"


@pytest.mark.parametrize("bind", ["127.0.0.1", "::1", "0.0.0.0", "::", "localhost"])
def test_a_real_servers_url_names_its_bind_and_bound_port(app, bind):
    server = WebServer(app, bind=bind, port=0)
    try:
        host = socket.gethostname() if bind in ("0.0.0.0", "::") else bind
        assert server.url == http_url(host, server.port) == logged_url(bind, server.port)
        assert server.port > 0 and server.url.endswith(f":{server.port}/")
    finally:
        server.stop()


def test_the_servers_errors_spell_the_address_alike(app):
    with socket.socket(socket.AF_INET6) as taken:
        taken.bind(("::1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(WebServerError, match=rf"cannot listen on \[::1\]:{port}: "):
            WebServer(app, bind="::1", port=port)
