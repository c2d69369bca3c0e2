"""A real Mosquitto broker (Debian's package, installed by scripts/setup-env.sh) on a free
loopback port, and a subscriber that keeps every message it gets, for the MQTT tests."""

from __future__ import annotations

import getpass
import queue
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

from spirokiosk.daemon.mqtt.bridge import new_client
from support import free_port, wait_until

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


class Broker:
    """`mosquitto -c <conf>` listening on 127.0.0.1:<port>, anonymous, no persistence."""

    def __init__(self, directory: Path, port: int | None = None, listener_conf: str = "") -> None:
        self.port = port or free_port()
        self.log = directory / f"mosquitto-{self.port}.log"
        conf = directory / f"mosquitto-{self.port}.conf"
        conf.write_text(
            f"listener {self.port} 127.0.0.1\n{listener_conf}allow_anonymous true\n"
            f"persistence false\nlog_dest file {self.log}\n"
            # Run as root, mosquitto becomes the user "mosquitto", who cannot read the
            # test's files (a TLS key): it stays the test's own user.
            f"user {getpass.getuser()}\n"
        )
        self.proc = subprocess.Popen(
            [MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        if not wait_until(self._accepts, 10.0, 0.02):
            self.stop()
            raise RuntimeError(f"mosquitto did not start on port {self.port}")

    def _accepts(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), 0.2).close()
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)


class Listener:
    """A client subscribed to `topics`; every message lands in `inbox` as (topic, payload,
    retained) and the newest payload per topic in `last`."""

    def __init__(self, port: int, *topics: str) -> None:
        self.inbox: queue.Queue[tuple[str, bytes, bool]] = queue.Queue()
        self.last: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.client = new_client(f"test-listener-{port}-{time.monotonic_ns()}")
        self.client.on_connect = lambda c, *a: c.subscribe([(t, 1) for t in topics])
        self.client.on_subscribe = lambda *a: self._subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port, 30)
        self.client.loop_start()
        if not self._subscribed.wait(10):
            raise RuntimeError("the test's MQTT listener could not subscribe")

    def _on_message(self, client, userdata, message) -> None:
        with self._lock:
            self.last[message.topic] = message.payload
        self.inbox.put((message.topic, message.payload, bool(message.retain)))

    def wait_for(self, topic: str, payload: bytes | None = None, timeout: float = 10.0):
        """The next message on `topic` (with `payload`, if given), or AssertionError."""
        deadline = time.monotonic() + timeout
        seen = []
        while (left := deadline - time.monotonic()) > 0:
            try:
                got = self.inbox.get(timeout=left)
            except queue.Empty:
                break
            seen.append(got[:2])
            if got[0] == topic and (payload is None or got[1] == payload):
                return got
        raise AssertionError(f"no {payload!r} on {topic} within {timeout} s; saw {seen[-8:]}")

    def publish(self, topic: str, payload: bytes | str) -> None:
        self.client.publish(topic, payload, qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
