"""The daemon as systemd runs it, for the end-to-end tests: `spirokiosk run` in a
subprocess, with a NOTIFY_SOCKET of the test's own that a thread reads all the time."""

import fcntl
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

from support import http_get

RUN = (sys.executable, "-m", "spirokiosk.daemon.cli", "run")
READY_TIMEOUT = 30.0  # start-up imports numpy, pygame, flask: slow on a busy machine
WATCHDOG_USEC = 400_000  # pings every 0.2 s


def parse_notification(datagram: bytes) -> dict[str, str]:
    fields = {}
    for line in datagram.decode().split("\n"):
        name, _, value = line.partition("=")
        fields[name] = value
    return fields


def take_terminal() -> None:
    """In the child, after setsid(): stdin becomes the controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Kiosk:
    """`spirokiosk run` in a subprocess with NOTIFY_SOCKET and WATCHDOG_USEC set.

    A thread reads the notification socket all the time, as systemd does: a full socket
    would block the daemon's sd_notify() (and with it the render loop).
    """

    def __init__(self, args, *, env=None, launcher=None, launcher_args=(), terminal=None):
        self._dir = tempfile.TemporaryDirectory(prefix="sk-")  # short: AF_UNIX paths <= 107
        self.dir = Path(self._dir.name)
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(str(self.dir / "notify"))
        self.notify.settimeout(0.1)
        self._inbox: queue.Queue[dict[str, str]] = queue.Queue()
        self._closing = threading.Event()
        self._reader = threading.Thread(target=self._read, name="test-notify-reader")
        self._reader.start()
        self.messages: list[dict[str, str]] = []  # what the test has received so far
        self.stderr_path = self.dir / "stderr.log"
        environ = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("WATCHDOG_", "JOURNAL_", "INVOCATION_ID"))
        }
        environ.pop("SPIROKIOSK_CONFIG", None)
        environ.update(
            NOTIFY_SOCKET=str(self.dir / "notify"),
            WATCHDOG_USEC=str(WATCHDOG_USEC),
            SDL_VIDEODRIVER="dummy",
            PYGAME_HIDE_SUPPORT_PROMPT="1",
        )
        environ.update(env or {})
        if launcher is None:
            command = [*RUN, *args]
        else:  # a script of the test's that runs the daemon with a hook of its own
            script = self.dir / "launcher.py"
            script.write_text(launcher)
            command = [sys.executable, str(script), *launcher_args, "run", *args]
        # With a terminal: it is stdin and the controlling terminal, as tty1 is under the
        # unit's StandardInput=tty-force.
        session = {}
        if terminal is not None:
            session = {"stdin": terminal, "start_new_session": True, "preexec_fn": take_terminal}
        with open(self.stderr_path, "wb") as stderr:
            self.proc = subprocess.Popen(
                command, env=environ, stdout=subprocess.DEVNULL, stderr=stderr, **session
            )

    def _read(self) -> None:
        while not self._closing.is_set():
            try:
                self._inbox.put(parse_notification(self.notify.recv(4096)))
            except TimeoutError:
                continue

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def receive(self, timeout: float) -> dict[str, str] | None:
        """The next notification, or None after `timeout` seconds."""
        try:
            message = self._inbox.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return None
        self.messages.append(message)
        return message

    def wait_for(self, key: str, timeout: float, value: str = "1") -> dict[str, str]:
        """The next message with key=value; every message read on the way is kept."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            message = self.receive(min(remaining, 0.5))
            if message is not None and message.get(key) == value:
                return message
            if message is None and self.proc.poll() is not None:
                break
        raise AssertionError(
            f"no {key}={value} within {timeout} s (exit {self.proc.poll()}); "
            f"messages {self.messages[-5:]}; stderr:\n{self.stderr}"
        )

    def drain(self) -> list[dict[str, str]]:
        got = []
        while (message := self.receive(0.0)) is not None:
            got.append(message)
        return got

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._closing.set()
        self._reader.join(5)
        self.notify.close()
        self._dir.cleanup()


def headless_kiosk(tmp_path, port, state_dir, *settings: str, config_text: str = "") -> Kiosk:
    """A headless kiosk on 127.0.0.1:`port` at 160x120 drawing seed-magma-11, its gallery
    in `state_dir`, with `config_text` as its config file and `settings` (--set) after;
    once READY."""
    config = tmp_path / "config.toml"
    config.write_text(config_text)
    args = ["--display", "headless", "--config", str(config)]
    for setting in (
        "web.bind=127.0.0.1",
        f"web.port={port}",
        f"state.dir={state_dir}",
        "display.size=160x120",
        'curves.playlist=["seed-magma-11"]',
        *settings,
    ):
        args += ["--set", setting]
    kiosk = Kiosk(args)
    try:
        kiosk.wait_for("READY", READY_TIMEOUT)
    except BaseException:
        kiosk.close()
        raise
    return kiosk


def stop_kiosk(kiosk: Kiosk) -> None:
    """SIGTERM, as systemd stops it: the kiosk must end cleanly (exit 0)."""
    kiosk.proc.send_signal(signal.SIGTERM)
    try:
        assert kiosk.proc.wait(10) == 0, kiosk.stderr
    finally:
        kiosk.close()


def status_of(port: int) -> dict:
    code, _, body = http_get(port, "/api/status")
    assert code == 200
    return json.loads(body)
