"""The kiosk announced over mDNS, found by a real zeroconf browser on loopback: the
records (port, address, TXT), a rename on reload, the goodbye on stop, and a kiosk that
goes on when multicast DNS cannot start."""

import gc
import logging
import sys
import uuid

import pytest
from support import free_port, wait_until
from support.mdns import LoopbackBrowser

from spirokiosk.daemon.discovery import announcer as announcer_module
from spirokiosk.daemon.discovery.advert import instance_name, package_version
from spirokiosk.daemon.discovery.announcer import Announcer, DiscoverySettings
from spirokiosk.daemon.discovery.hosts import host_name

STOP_SECONDS = 3.0


@pytest.fixture
def browser():
    with LoopbackBrowser() as found:
        yield found


def unique(prefix: str) -> str:
    """A name no other kiosk on this machine (another test run) announces."""
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def test_announced_with_its_records_and_withdrawn_on_stop(browser):
    port = free_port()
    template = unique("spirokiosk") + " on {hostname}"
    urls = []
    announcer = Announcer(
        DiscoverySettings(announce=True, name=template, bind="127.0.0.1", port=port),
        on_url=urls.append,
    )
    announcer.start()
    try:
        name = template.replace("{hostname}", host_name())
        browser.wait_added(name)
        wait_until(lambda: announcer.announced_name == name)  # set once the probes are done
        info = browser.info(name)
        assert info.port == port
        assert info.parsed_addresses() == ["127.0.0.1"]
        assert info.properties == {
            b"path": b"/",
            b"version": package_version().encode(),
            b"stream": b"/stream.mjpg",
            b"snapshot": b"/snapshot.jpg",
        }
        assert info.server == f"spirokiosk-{host_name()}.local."
        assert urls == [f"http://127.0.0.1:{port}/"]
    finally:
        announcer.stop(STOP_SECONDS)
    browser.wait_removed(name)


def test_a_new_name_on_reload_withdraws_the_old_one(browser):
    old, new = unique("lobby"), unique("hall")
    settings = DiscoverySettings(announce=True, name=old, bind="127.0.0.1", port=free_port())
    announcer = Announcer(settings)
    announcer.start()
    try:
        browser.wait_added(old)
        announcer.apply(DiscoverySettings(True, new, settings.bind, settings.port))
        browser.wait_added(new)
        browser.wait_removed(old)
        announcer.apply(DiscoverySettings(False, new, settings.bind, settings.port))
        browser.wait_removed(new)
        assert announcer.announced_name is None
    finally:
        announcer.stop(STOP_SECONDS)


def test_a_taken_name_gets_a_suffix(browser):
    name = unique("twin")
    settings = DiscoverySettings(announce=True, name=name, bind="127.0.0.1", port=free_port())
    first, second = Announcer(settings), Announcer(settings)
    first.start()
    try:
        browser.wait_added(name)
        second.start()
        try:
            browser.wait_added(f"{name}-2")  # zeroconf's suffix for a taken name
            wait_until(lambda: second.announced_name == f"{name}-2")
        finally:
            second.stop(STOP_SECONDS)
    finally:
        first.stop(STOP_SECONDS)


@pytest.fixture
def zeroconf_socket_leak():
    """zeroconf leaks its listen socket when an interface fails (create_sockets in
    src/zeroconf/_utils/net.py, 0.47.3 to 0.154: the socket is opened first and not closed
    when add_interface raises). Collected here, so its ResourceWarning is this test's."""
    leaked = []
    previous = sys.unraisablehook
    sys.unraisablehook = leaked.append
    try:
        yield leaked
        gc.collect()
    finally:
        sys.unraisablehook = previous
    assert all(isinstance(u.exc_value, ResourceWarning) for u in leaked), leaked


def test_no_multicast_is_a_warning_and_nothing_more(caplog, zeroconf_socket_leak):
    # An address this host does not have (TEST-NET-2): zeroconf cannot open its sockets
    # there (OSError before any packet is sent).
    settings = DiscoverySettings(True, "spirokiosk", bind="198.51.100.7", port=free_port())
    urls = []
    announcer = Announcer(settings, on_url=urls.append)
    with caplog.at_level(logging.WARNING, logger="spirokiosk.daemon.discovery"):
        announcer.start()
        wait_until(lambda: any("cannot announce" in r.getMessage() for r in caplog.records))
        announcer.stop(STOP_SECONDS)
    assert urls == [f"http://198.51.100.7:{settings.port}/"]  # the address still shows
    assert announcer.announced_name is None
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)


def test_a_failure_is_tried_again_later(monkeypatch, caplog, zeroconf_socket_leak):
    monkeypatch.setattr(announcer_module, "RETRY_SECONDS", 0.0)
    settings = DiscoverySettings(True, "spirokiosk", bind="198.51.100.7", port=free_port())
    announcer = Announcer(settings, check_seconds=0.05)

    def failures() -> int:
        return sum("cannot announce" in r.getMessage() for r in caplog.records)

    with caplog.at_level(logging.INFO, logger="spirokiosk.daemon.discovery"):
        announcer.start()
        try:
            wait_until(lambda: failures() >= 2)
        finally:
            announcer.stop(STOP_SECONDS)
    assert "discovery: trying again" in caplog.text
    caplog.clear()  # the records hold no exception (nor zeroconf's sockets with it)


def test_a_refused_url_is_handed_out_again():
    answers = [False, True]
    urls = []

    def on_url(url):
        urls.append(url)
        return answers.pop(0) if answers else True

    settings = DiscoverySettings(False, "x", bind="127.0.0.1", port=free_port())
    announcer = Announcer(settings, on_url=on_url, check_seconds=0.05)
    announcer.start()
    try:
        wait_until(lambda: len(urls) >= 2)
    finally:
        announcer.stop(STOP_SECONDS)
    assert urls == [f"http://127.0.0.1:{settings.port}/"] * 2  # and no more once taken


@pytest.mark.parametrize(
    ("template", "hostname", "expected"),
    [
        ("spirokiosk on {hostname}", "pi4", "spirokiosk on pi4"),
        ("Lobby", "pi4", "Lobby"),
        ("{hostname}", "x" * 80, "x" * 63),  # one DNS label: 63 bytes at most
        ("é" * 40, "pi4", "é" * 31),  # cut on a character, not inside one
    ],
)
def test_instance_names(template, hostname, expected):
    assert instance_name(template, hostname) == expected
