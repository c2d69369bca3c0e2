"""sd_notify through Notifier: real datagrams on a test-owned NOTIFY_SOCKET."""

import importlib
import logging
import os
import socket
import struct
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from spirokiosk.daemon.service.notify import Notifier, watchdog_interval_from_env


def parse(datagram: bytes) -> dict[str, str]:
    """'READY=1\nSTATUS=x' -> {'READY': '1', 'STATUS': 'x'}; a repeated name is a bug here."""
    fields: dict[str, str] = {}
    for line in datagram.decode("utf-8").split("\n"):
        name, equals, value = line.partition("=")
        assert equals, f"not an assignment: {line!r}"
        assert name not in fields, f"{name} twice in {datagram!r}"
        fields[name] = value
    return fields


def received(sock: socket.socket) -> list[dict[str, str]]:
    """Every datagram waiting on the socket, parsed. sd_notify's sendmsg() on a unix
    datagram socket has queued the message by the time it returns, so nothing is late."""
    messages = []
    while True:
        try:
            messages.append(parse(sock.recv(65536, socket.MSG_DONTWAIT)))
        except BlockingIOError:
            return messages


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def listening_socket(tmp_path, clean_env):
    """A unix datagram socket bound in tmp_path and named by NOTIFY_SOCKET."""
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        clean_env.setenv("NOTIFY_SOCKET", str(path))
        yield sock


@pytest.fixture
def systemd_python():
    importlib.import_module("systemd.daemon")


@pytest.fixture
def notify_socket(systemd_python, listening_socket):
    """NOTIFY_SOCKET's listener, for tests that need systemd-python to send."""
    return listening_socket


def test_ready_status_stopping(notify_socket):
    notifier = Notifier()
    assert notifier.enabled
    notifier.ready()
    notifier.status("window 1280x720, curve seed-magma-11, 59.9 fps, 2 viewers")
    notifier.ready(status="running")
    notifier.stopping()
    assert received(notify_socket) == [
        {"READY": "1"},
        {"STATUS": "window 1280x720, curve seed-magma-11, 59.9 fps, 2 viewers"},
        {"READY": "1", "STATUS": "running"},
        {"STOPPING": "1"},
    ]


def test_status_stays_one_line(notify_socket):
    Notifier().status("curve evil\nREADY=1\r\nMAINPID=1")
    assert received(notify_socket) == [{"STATUS": "curve evil READY=1 MAINPID=1"}]


def test_status_with_a_nul_or_a_lone_surrogate_is_still_sent(notify_socket):
    notifier = Notifier()
    notifier.status("fullscreen, bad\x00name\udc80, 60.0 fps")
    assert received(notify_socket) == [{"STATUS": "fullscreen, bad name , 60.0 fps"}]


def test_reloading_sends_monotonic_usec_in_the_same_datagram(notify_socket):
    notifier = Notifier()
    before = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    notifier.reloading()
    after = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    notifier.ready()
    (reloading, ready) = received(notify_socket)
    assert reloading.keys() == {"RELOADING", "MONOTONIC_USEC"}
    assert reloading["RELOADING"] == "1"
    assert before <= int(reloading["MONOTONIC_USEC"]) <= after
    assert ready == {"READY": "1"}


def test_watchdog_pings_at_half_the_interval(notify_socket, clean_env):
    clean_env.setenv("WATCHDOG_USEC", "2000000")
    notifier = Notifier()
    assert notifier.watchdog_interval == 2.0
    pings = []
    for now in (100.0, 100.5, 100.99, 101.0, 101.2, 101.99, 102.5, 102.6, 110.0):
        notifier.watchdog_ping(now)
        if received(notify_socket) == [{"WATCHDOG": "1"}]:
            pings.append(now)
    assert pings == [100.0, 101.0, 102.5, 110.0]


def test_watchdog_ping_without_a_time_reads_the_clock(notify_socket, clean_env):
    clean_env.setenv("WATCHDOG_USEC", "600000000")
    notifier = Notifier()
    notifier.watchdog_ping()
    notifier.watchdog_ping()  # the next is due in five minutes
    assert received(notify_socket) == [{"WATCHDOG": "1"}]


def test_watchdog_for_this_pid(notify_socket, clean_env):
    clean_env.setenv("WATCHDOG_USEC", "1000000")
    clean_env.setenv("WATCHDOG_PID", str(os.getpid()))
    notifier = Notifier()
    assert notifier.watchdog_interval == 1.0
    notifier.watchdog_ping(5.0)
    assert received(notify_socket) == [{"WATCHDOG": "1"}]


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": str(os.getppid())},
        {"WATCHDOG_USEC": "0"},
        {"WATCHDOG_USEC": "soon"},
        {"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "me"},
    ],
    ids=["unset", "other-pid", "zero", "not-a-number", "bad-pid"],
)
def test_no_watchdog(notify_socket, clean_env, env):
    for name, value in env.items():
        clean_env.setenv(name, value)
    notifier = Notifier()
    assert notifier.enabled
    assert notifier.watchdog_interval is None
    for now in (0.0, 1.0, 1e6):
        notifier.watchdog_ping(now)
    notifier.watchdog_ping()
    assert received(notify_socket) == []


def test_watchdog_interval_from_env_follows_sd_watchdog_enabled():
    assert watchdog_interval_from_env({"WATCHDOG_USEC": "3000000"}, 42) == 3.0
    assert watchdog_interval_from_env({"WATCHDOG_USEC": "250000", "WATCHDOG_PID": "42"}, 42) == 0.25
    assert watchdog_interval_from_env({"WATCHDOG_USEC": "250000", "WATCHDOG_PID": "41"}, 42) is None
    assert watchdog_interval_from_env({"WATCHDOG_USEC": "-5"}, 42) is None
    assert watchdog_interval_from_env({"WATCHDOG_PID": "42"}, 42) is None


def test_no_op_without_notify_socket(tmp_path, clean_env):
    clean_env.setenv("WATCHDOG_USEC", "1000000")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(tmp_path / "notify"))
        notifier = Notifier()
        assert not notifier.enabled
        assert notifier.watchdog_interval is None
        notifier.ready()
        notifier.status("x")
        notifier.reloading()
        notifier.watchdog_ping(1.0)
        notifier.stopping()
        assert received(sock) == []


def test_abstract_namespace_socket(systemd_python, clean_env):
    name = f"spirokiosk-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        clean_env.setenv("NOTIFY_SOCKET", "@" + name)
        Notifier().ready(status="abstract")
        assert received(sock) == [{"READY": "1", "STATUS": "abstract"}]


def test_without_systemd_python_logs_once_and_sends_nothing(listening_socket, clean_env, caplog):
    clean_env.setitem(sys.modules, "systemd", None)  # makes `import systemd` fail
    clean_env.setenv("WATCHDOG_USEC", "1000000")
    with caplog.at_level(logging.DEBUG, logger="spirokiosk.daemon.service.notify"):
        notifier = Notifier()
        notifier.ready()
        notifier.watchdog_ping(1.0)
        notifier.stopping()
    assert not notifier.enabled
    assert notifier.watchdog_interval is None
    assert [r.levelno for r in caplog.records] == [logging.DEBUG]
    assert "systemd-python" in caplog.records[0].getMessage()
    assert received(listening_socket) == []


def test_a_vanished_socket_warns_once_and_never_raises(systemd_python, tmp_path, clean_env, caplog):
    clean_env.setenv("NOTIFY_SOCKET", str(tmp_path / "gone"))
    notifier = Notifier()
    with caplog.at_level(logging.DEBUG, logger="spirokiosk.daemon.service.notify"):
        notifier.ready()
        notifier.status("still running")
        notifier.stopping()
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.DEBUG, logging.DEBUG]
    assert "READY=1" in caplog.records[0].getMessage()


CHILD = textwrap.dedent(
    """
    from spirokiosk.daemon.service.notify import Notifier

    notifier = Notifier()
    notifier.ready()
    notifier.status("child running")
    notifier.watchdog_ping(0.0)
    notifier.watchdog_ping(0.1)  # not due: the interval is 10 s
    notifier.reloading()
    notifier.stopping()
    """
)


def test_datagrams_leave_a_child_process(notify_socket):
    """A separate process (as under systemd) reaches the socket; the kernel's
    credentials on each datagram prove which process sent it."""
    notify_socket.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    env = dict(os.environ, WATCHDOG_USEC="10000000")
    with subprocess.Popen(
        [sys.executable, "-c", CHILD], env=env, stderr=subprocess.PIPE, text=True
    ) as child:
        _, stderr = child.communicate(timeout=60)
    assert child.returncode == 0, stderr
    messages, senders = [], set()
    ucred = struct.Struct("iII")
    while True:
        try:
            data, ancdata, _, _ = notify_socket.recvmsg(
                65536, socket.CMSG_SPACE(ucred.size), socket.MSG_DONTWAIT
            )
        except BlockingIOError:
            break
        messages.append(parse(data))
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                senders.add(ucred.unpack(payload[: ucred.size])[0])
    assert [sorted(m) for m in messages] == [
        ["READY"],
        ["STATUS"],
        ["WATCHDOG"],
        ["MONOTONIC_USEC", "RELOADING"],
        ["STOPPING"],
    ]
    assert messages[1] == {"STATUS": "child running"}
    assert senders == {child.pid}
