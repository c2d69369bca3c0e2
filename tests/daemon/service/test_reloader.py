"""The reloader: a reload request wakes its thread, which reads the config file and the
files it names (here mqtt.ca_file) while the render loop goes on drawing frames; the
loop only applies what the command queue brings."""

import logging
import subprocess
import threading

import pytest
from support import FakeClock, wait_until
from support.loop import build_loop

from spirokiosk.daemon.config import files, load, load_from_options, mqtt_tls
from spirokiosk.daemon.service.reloader import ConfigReloader

SETTINGS = """\
[display]
mode = "headless"
size = "160x120"

[curves]
playlist = ["seed-magma-11", "gears-96-52"]
draw_seconds = {draw}
hold_seconds = 0.5
fade_seconds = 0

[mqtt]
tls = true
ca_file = "{ca}"
"""


@pytest.fixture
def config_file(tmp_path):
    """A config naming a CA file (a real certificate, made by openssl for the test)."""
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=test CA"),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-keyout", "ca.key", "-out", "ca.pem"),
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    path = tmp_path / "config.toml"
    path.write_text(SETTINGS.format(draw=1, ca=tmp_path / "ca.pem"))
    return path


class Reads:
    """read_small_file as the config's modules call it, noting which thread read what;
    the CA file's read waits for `gate` (a slow disk), after setting `ca_reading`."""

    def __init__(self, ca_name: str) -> None:
        self.ca_name = ca_name
        self.threads: dict[str, set[str]] = {}
        self.ca_reading = threading.Event()
        self.gate = threading.Event()

    def __call__(self, path, *args):
        name = str(path)
        self.threads.setdefault(name, set()).add(threading.current_thread().name)
        if name.endswith(self.ca_name):
            self.ca_reading.set()
            assert self.gate.wait(10), "the test never let the CA file's read go on"
        return files.read_small_file(path, *args)


def test_a_reload_reads_its_files_off_the_render_thread(config_file, monkeypatch, caplog):
    start = load_from_options(config_file)
    clock = FakeClock()
    loop = build_loop(start, clock=clock)
    reads = Reads("ca.pem")
    for module in (load, mqtt_tls):  # the config file's reader and the CA file's
        monkeypatch.setattr(module, "read_small_file", reads)
    reloader = ConfigReloader(
        lambda: load_from_options(config_file), loop.control, loop.notifier, loop.signals, web=False
    )
    reloader.start()
    try:
        loop.tick()
        config_file.write_text(
            config_file.read_text().replace("draw_seconds = 1", "draw_seconds = 4")
        )
        with caplog.at_level(logging.INFO, "spirokiosk.daemon.service"):
            loop.signals.request_reload()
            assert reads.ca_reading.wait(10)  # the reloader is stuck in the CA file's read
            frames = loop.frames
            for _ in range(30):  # meanwhile, the render loop draws frame after frame
                clock.now += 1 / 60
                loop.tick()
            assert loop.frames == frames + 30
            assert loop.config is start and loop.reloads == 0
            reads.gate.set()
            wait_until(lambda: loop.tick() or loop.reloads == 1)
        assert loop.config.curves.draw_seconds == 4.0
        assert loop.scene.timing.draw_seconds == 4.0
        assert loop.control.status()["reloads"] == 1
        # Both files were read by the reloader's thread alone, never by the render loop's.
        assert reads.threads == {str(config_file): {"reload"}, str(start.mqtt.ca_file): {"reload"}}
        assert threading.current_thread().name != "reload"
        reloads = [r for r in caplog.records if "config reloaded from" in r.getMessage()]
        assert [r.threadName for r in reloads] == [threading.current_thread().name]
    finally:
        reloader.stop(timeout=5)
    assert not reloader.running


def test_a_reload_with_a_bad_ca_file_keeps_the_running_config(config_file, caplog):
    start = load_from_options(config_file)
    loop = build_loop(start)
    told = []  # what systemd hears, and from which thread
    thread = threading.current_thread
    loop.notifier.reloading = lambda status=None: told.append(("RELOADING", thread().name))
    loop.notifier.ready = lambda status=None: told.append(("READY", thread().name))
    reloader = ConfigReloader(
        lambda: load_from_options(config_file), loop.control, loop.notifier, loop.signals, web=False
    )
    reloader.start()
    try:
        loop.tick()
        (config_file.parent / "ca.pem").write_text("not a certificate\n")
        loop.signals.request_reload()
        wait_until(lambda: loop.tick() or told[-1:] == [("READY", thread().name)])
    finally:
        reloader.stop(timeout=5)
    assert told == [("RELOADING", "reload"), ("READY", thread().name)]
    assert loop.config is start and loop.reloads == 0
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2
    assert errors[0].getMessage() == "config not reloaded, 1 error(s); the running config stays"
    assert errors[1].getMessage().startswith("mqtt.ca_file: not PEM certificates")
    assert {r.threadName for r in errors} == {"reload"}


def test_the_reloader_ends_with_the_stop(config_file):
    loop = build_loop(load_from_options(config_file))
    reloader = ConfigReloader(
        lambda: loop.config, loop.control, loop.notifier, loop.signals, web=False
    )
    reloader.start()
    assert reloader.running
    loop.signals.request_stop()  # SIGTERM: the loop ends, and the reloader with it
    wait_until(lambda: not reloader.running)


def test_a_reload_asked_for_during_another_is_read_after_its_ready(config_file, monkeypatch):
    """systemd hears RELOADING=1, READY=1, RELOADING=1, READY=1: never two RELOADING in
    a row, and never a READY for a reload whose config is not applied yet."""
    loop = build_loop(load_from_options(config_file))
    told = []
    loop.notifier.reloading = lambda status=None: told.append("RELOADING")
    loop.notifier.ready = lambda status=None: told.append("READY")
    reads = Reads("ca.pem")
    ca_reads = []
    second_read = threading.Event()

    def counted(path, *args):
        if str(path).endswith("ca.pem"):
            ca_reads.append(path)
            if len(ca_reads) == 2:
                second_read.set()
        return reads(path, *args)

    for module in (load, mqtt_tls):
        monkeypatch.setattr(module, "read_small_file", counted)
    reloader = ConfigReloader(
        lambda: load_from_options(config_file), loop.control, loop.notifier, loop.signals, web=False
    )
    reloader.start()
    try:
        loop.tick()
        loop.signals.request_reload()
        assert reads.ca_reading.wait(10)
        loop.signals.request_reload()  # a second SIGHUP while the first is being read
        reads.gate.set()
        assert wait_until(lambda: loop.control.waiting() == 1)  # the first, handed over
        # The loop has not applied it: the second request waits (a window, as a check
        # that something does not happen needs one).
        assert not second_read.wait(1.0)
        assert told == ["RELOADING"]
        assert wait_until(lambda: loop.tick() or len(told) == 4, timeout=10)
    finally:
        reloader.stop(timeout=5)
    assert told == ["RELOADING", "READY", "RELOADING", "READY"]
    assert loop.reloads == 2
