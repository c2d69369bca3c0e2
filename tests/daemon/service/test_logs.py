"""setup_logging: journal or stderr, thread names, one handler, quiet libraries."""

import importlib
import logging
import os
import re
import sys
import threading

import pytest

from spirokiosk.daemon.service.logs import (
    HANDLER_NAME,
    THIRD_PARTY_LOGGERS,
    level_number,
    setup_logging,
    wants_journal,
)


@pytest.fixture(autouse=True)
def restore_logging(monkeypatch):
    """Put the root logger and the library loggers back as they were."""
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    libraries = {name: logging.getLogger(name).level for name in THIRD_PARTY_LOGGERS}
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    for name, library_level in libraries.items():
        logging.getLogger(name).setLevel(library_level)


def ours():
    return [h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]


def stream_of(fd):
    status = os.fstat(fd)
    return f"{status.st_dev}:{status.st_ino}"


def test_wants_journal_only_when_the_stream_is_stderr(tmp_path):
    with open(tmp_path / "a", "w") as a, open(tmp_path / "b", "w") as b:
        assert wants_journal({"JOURNAL_STREAM": stream_of(a.fileno())}, a.fileno())
        assert not wants_journal({"JOURNAL_STREAM": stream_of(b.fileno())}, a.fileno())
        assert not wants_journal({}, a.fileno())
        assert not wants_journal({"JOURNAL_STREAM": "journal"}, a.fileno())
        assert not wants_journal({"JOURNAL_STREAM": "8:"}, a.fileno())
        closed = os.dup(a.fileno())
        os.close(closed)
        assert not wants_journal({"JOURNAL_STREAM": stream_of(a.fileno())}, closed)


def test_stderr_lines_carry_time_level_thread_and_logger(capsys):
    setup_logging("info", verbose=False)
    worker = threading.Thread(
        target=logging.getLogger("spirokiosk.web.server").warning,
        args=("port %d busy", 8000),
        name="web-server",
    )
    worker.start()
    worker.join()
    logging.getLogger("spirokiosk.daemon.run").debug("hidden at info")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING \[web-server\] spirokiosk.web.server: "
        r"port 8000 busy",
        lines[0],
    )


def test_journal_stream_of_another_file_means_stderr(monkeypatch, tmp_path, capsys):
    with open(tmp_path / "elsewhere", "w") as elsewhere:
        monkeypatch.setenv("JOURNAL_STREAM", stream_of(elsewhere.fileno()))
        setup_logging("info", verbose=False)
    (handler,) = ours()
    assert type(handler) is logging.StreamHandler
    logging.getLogger("spirokiosk.test").info("to stderr")
    assert "INFO [MainThread] spirokiosk.test: to stderr" in capsys.readouterr().err


def test_journal_when_stderr_is_the_journal_stream(monkeypatch):
    journal = importlib.import_module("systemd.journal")
    monkeypatch.setenv("JOURNAL_STREAM", stream_of(2))  # fd 2 as this process sees it
    setup_logging("debug", verbose=False)
    (handler,) = ours()
    assert isinstance(handler, journal.JournalHandler)
    sent = []
    handler.send = lambda text, /, **fields: sent.append((text, fields))  # not to journald
    logging.getLogger("spirokiosk.web.hub.frame_hub").info(
        "viewer %s joined", "10.0.0.7", extra={"CURVE": "seed-magma-11", "VIEWER": "10.0.0.7"}
    )
    ((message, fields),) = sent
    assert message == "[MainThread] spirokiosk.web.hub.frame_hub: viewer 10.0.0.7 joined"
    assert fields["SYSLOG_IDENTIFIER"] == "spirokiosk"
    assert fields["CURVE"] == "seed-magma-11"
    assert fields["VIEWER"] == "10.0.0.7"
    assert fields["PRIORITY"] == "6"  # LOG_INFO
    assert fields["THREAD_NAME"] == "MainThread"


def test_journal_without_systemd_python_falls_back_to_plain_lines(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "systemd.journal", None)  # `import` now fails
    monkeypatch.setenv("JOURNAL_STREAM", stream_of(2))
    setup_logging("info", verbose=False)
    logging.getLogger("spirokiosk.test").warning("no module")
    # The journal adds its own timestamp: the line starts at the thread name.
    assert capsys.readouterr().err == "[MainThread] spirokiosk.test: no module\n"


def test_calling_again_replaces_the_handler(monkeypatch, capsys):
    others = [h for h in logging.getLogger().handlers if h.get_name() != HANDLER_NAME]
    setup_logging("info", verbose=False)
    first = ours()
    setup_logging("warning", verbose=True)
    setup_logging("info", verbose=False)
    assert len(ours()) == 1
    assert ours() != first
    assert [h for h in logging.getLogger().handlers if h.get_name() != HANDLER_NAME] == others
    logging.getLogger("spirokiosk.test").info("once")
    assert capsys.readouterr().err.count("once") == 1


def test_third_party_loggers_quiet_unless_verbose():
    setup_logging("debug", verbose=False)
    assert logging.getLogger().level == logging.DEBUG
    assert logging.getLogger("spirokiosk.display").isEnabledFor(logging.DEBUG)
    for name in ("waitress", "cheroot", "PIL", "picamera2", "av", "flask", "werkzeug"):
        assert logging.getLogger(name).level == logging.WARNING
        assert not logging.getLogger(name + ".sub").isEnabledFor(logging.INFO)
    setup_logging("debug", verbose=True)
    assert logging.getLogger("waitress.queue").isEnabledFor(logging.DEBUG)
    setup_logging("error", verbose=False)
    assert not logging.getLogger("PIL.PngImagePlugin").isEnabledFor(logging.WARNING)


def test_level_names():
    assert level_number("warning") == logging.WARNING
    assert level_number("DEBUG") == logging.DEBUG
    with pytest.raises(ValueError, match="loud"):
        level_number("loud")
    with pytest.raises(ValueError):
        setup_logging("loud", verbose=False)
