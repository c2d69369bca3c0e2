"""SignalFlags: real signals sent to this process set flags, and only that."""

import os
import signal
import threading

import pytest

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
