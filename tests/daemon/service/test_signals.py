"""SignalFlags: real signals sent to this process set flags, and only that."""

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest
from support import REPO

from spirokiosk.daemon.service.signals import SignalFlags

HANDLED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


@pytest.fixture
def flags():
    before = {signum: signal.getsignal(signum) for signum in HANDLED}
    flags = SignalFlags()
    flags.install()
    yield flags
    flags.uninstall()
    for signum, handler in before.items():  # even if a test failed half-way
        if signal.getsignal(signum) is not handler:
            signal.signal(signum, handler)


def test_sighup_requests_one_reload(flags):
    assert not flags.take_reload()
    os.kill(os.getpid(), signal.SIGHUP)
    os.kill(os.getpid(), signal.SIGHUP)
    assert flags.take_reload()
    assert not flags.take_reload()  # consumed: two signals before a look are one reload
    assert not flags.stop_requested
    os.kill(os.getpid(), signal.SIGHUP)
    assert flags.take_reload()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_request_stop(flags, signum):
    os.kill(os.getpid(), signum)  # SIGINT would raise KeyboardInterrupt without the handler
    assert flags.wait_for_stop(timeout=10)
    assert flags.stop_requested
    assert flags.stop_signal == signum
    assert not flags.take_reload()


def test_previous_handlers_come_back():
    calls = []
    original = signal.getsignal(signal.SIGHUP)
    signal.signal(signal.SIGHUP, lambda signum, frame: calls.append(signum))
    try:
        before = {signum: signal.getsignal(signum) for signum in HANDLED}
        with SignalFlags() as flags:
            assert flags.installed
            assert all(signal.getsignal(s) is not before[s] for s in HANDLED)
            os.kill(os.getpid(), signal.SIGHUP)
            assert calls == []
        assert not flags.installed
        assert {signum: signal.getsignal(signum) for signum in HANDLED} == before
        os.kill(os.getpid(), signal.SIGHUP)
        assert calls == [signal.SIGHUP]
        assert flags.take_reload()  # the one sent while installed
    finally:
        signal.signal(signal.SIGHUP, original)


def test_requests_from_code_and_other_threads():
    flags = SignalFlags()  # nothing installed: a plain flag holder
    worker = threading.Thread(target=flags.request_reload)
    worker.start()
    worker.join()
    assert flags.take_reload()
    assert not flags.wait_for_stop(timeout=0)
    flags.request_stop()
    assert flags.stop_requested
    assert flags.stop_signal is None


def test_a_sighup_wakes_a_thread_waiting_for_reloads_and_a_stop_ends_its_wait(flags):
    woke = []
    taken = threading.Event()

    def waiter():  # as the reloader's thread waits
        while flags.wait_for_reload():
            woke.append("reload")
            taken.set()
        woke.append("stop")

    thread = threading.Thread(target=waiter)
    thread.start()
    os.kill(os.getpid(), signal.SIGHUP)
    assert taken.wait(10)
    assert not flags.take_reload()  # the waiter took it
    os.kill(os.getpid(), signal.SIGTERM)
    thread.join(10)
    assert not thread.is_alive()
    assert woke == ["reload", "stop"]
    assert not flags.wait_for_reload()  # once stopping, at once, even with a reload asked
    flags.request_reload()
    assert not flags.wait_for_reload()


def test_install_only_from_the_main_thread_and_once():
    flags = SignalFlags()
    errors = []

    def install():
        try:
            flags.install()
        except RuntimeError as exc:
            errors.append(exc)

    worker = threading.Thread(target=install)
    worker.start()
    worker.join()
    assert len(errors) == 1
    assert not flags.installed
    with flags, pytest.raises(RuntimeError, match="already"):
        flags.install()
    assert not flags.installed
    flags.uninstall()  # harmless when not installed


GUARD = 10.0  # seconds: only so that a hang fails the test instead of the suite


@pytest.mark.parametrize(
    ("request_name", "signum", "landing"),
    [
        ("request_stop", signal.SIGTERM, 0),  # inside the stop flag's set()
        ("request_stop", signal.SIGTERM, 1),  # inside the wake flag's set()
        ("request_reload", signal.SIGHUP, 0),
        ("request_reload", signal.SIGHUP, 1),
        ("request_reload", signal.SIGTERM, 1),
    ],
    ids=["stop-in-stop", "stop-in-wake", "hup-in-reload", "hup-in-wake", "term-in-wake"],
)
def test_a_signal_landing_inside_a_set_of_the_same_flag_does_not_hang(
    monkeypatch, request_name, signum, landing
):
    # CPython runs a handler in the main thread between two bytecodes: also while that
    # thread is inside set() of a flag, holding its lock (the loop's request_stop() when
    # the window is closed). Here the handler is run from inside the `landing`-th set()'s
    # critical section (its notify_all, under the lock), on the thread doing the request,
    # as the interpreter would run it there. With threading.Event's plain Lock, the
    # handler's set() of that flag waits for its own thread for ever.
    flags = SignalFlags()
    real_notify_all = threading.Condition.notify_all
    notifies = []
    requesting = threading.local()  # set on the requesting thread for its request only

    def notify_all(condition):
        if getattr(requesting, "now", False):
            notifies.append(condition)
            if len(notifies) == landing + 1:
                flags._on_signal(signum, None)
        real_notify_all(condition)

    def request():
        requesting.now = True
        try:
            getattr(flags, request_name)()
        finally:
            requesting.now = False

    waiter_saw = []
    waiter = threading.Thread(
        target=lambda: waiter_saw.append(flags.wait_for_reload()), daemon=True
    )
    waiter.start()  # a thread waiting on the flags (as the reloader's) is woken still
    monkeypatch.setattr(threading.Condition, "notify_all", notify_all)
    requester = threading.Thread(target=request, daemon=True)
    requester.start()
    requester.join(GUARD)
    assert not requester.is_alive(), "the handler waited for a lock its own thread holds"
    assert len(notifies) > landing  # the handler did run inside that set()
    stopping = signum != signal.SIGHUP or request_name == "request_stop"
    assert flags.stop_requested == stopping
    assert flags.stop_signal == (signum if signum != signal.SIGHUP else None)
    waiter.join(GUARD)
    assert not waiter.is_alive()
    assert waiter_saw == [not stopping]


def test_a_signal_landing_while_the_flag_is_held_by_its_thread_sets_it():
    # The same re-entry without the notify hook: the thread holds the stop flag's lock
    # (as set() or clear() would) when the handler runs on it.
    flags = SignalFlags()
    done = []

    def hold_and_handle():
        with flags._stop._cond:
            flags._on_signal(signal.SIGTERM, None)
        done.append(True)

    thread = threading.Thread(target=hold_and_handle, daemon=True)
    thread.start()
    thread.join(GUARD)
    assert not thread.is_alive() and done == [True]
    assert flags.stop_requested and flags.wait_for_stop(timeout=0)
    assert flags.stop_signal == signal.SIGTERM


REAL_SIGNAL_INSIDE_SET = textwrap.dedent(
    """
    import os, signal, threading
    from spirokiosk.daemon.service.signals import SignalFlags

    real_notify_all = threading.Condition.notify_all
    sent = []

    def notify_all(condition):
        # Inside the stop flag's set(), its lock held, on the main thread: a real SIGTERM.
        # raise_signal() runs the Python handler before it returns, here and now.
        if threading.current_thread() is threading.main_thread() and not sent:
            sent.append(True)
            signal.raise_signal(signal.SIGTERM)
        real_notify_all(condition)

    with SignalFlags() as flags:
        threading.Condition.notify_all = notify_all
        flags.request_stop()  # as the render loop does when the window is closed
        threading.Condition.notify_all = real_notify_all
        assert sent and flags.stop_requested and flags.stop_signal == signal.SIGTERM
    print("stopped by", flags.stop_signal.name)
    """
)


def test_a_real_sigterm_during_request_stop_on_the_main_thread_does_not_hang():
    # In a process of its own: on the old flags its main thread hangs for good.
    try:
        done = subprocess.run(
            [sys.executable, "-c", REAL_SIGNAL_INSIDE_SET],
            capture_output=True,
            text=True,
            timeout=GUARD * 3,
            cwd=REPO,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the main thread hung in the SIGTERM handler")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "stopped by SIGTERM\n"
