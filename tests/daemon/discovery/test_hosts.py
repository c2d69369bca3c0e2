"""The addresses the kiosk is announced with and the URL the screen shows, from web.bind
and the host's real interfaces."""

import ipaddress

import pytest

from spirokiosk.daemon.discovery.hosts import (
    bound_addresses,
    host_name,
    lan_addresses,
    page_url,
)
from spirokiosk.web.urls import is_wildcard


@pytest.mark.parametrize(
    ("bind", "addresses", "url"),
    [
        ("0.0.0.0", ("192.168.1.5", "10.0.0.2"), "http://192.168.1.5:8000/"),
        ("192.168.1.5", ("192.168.1.5",), "http://192.168.1.5:8000/"),
        ("fd00::2", ("fd00::2",), "http://[fd00::2]:8000/"),
    ],
)
def test_the_url_is_the_first_address(bind, addresses, url):
    assert page_url(bind, 8000, addresses) == url


def test_without_an_address_the_url_is_the_mdns_host_name():
    assert page_url("0.0.0.0", 8080, ()) == f"http://{host_name()}.local:8080/"
    assert "." not in host_name() and host_name()


def test_a_specific_bind_is_the_only_address():
    assert bound_addresses("127.0.0.1") == ("127.0.0.1",)
    assert "127.0.0.1" in bound_addresses("localhost")  # a host name is resolved
    assert page_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"


def test_a_wildcard_means_the_hosts_lan_addresses():
    assert all(map(is_wildcard, ("0.0.0.0", "::", "::0", ""))) and not is_wildcard("127.0.0.1")
    found = lan_addresses()
    assert bound_addresses("0.0.0.0") == found == bound_addresses("::")
    for address in map(ipaddress.IPv4Address, found):  # this host has 127.0.0.1: left out
        assert not (address.is_loopback or address.is_link_local)
    assert len(set(found)) == len(found)
