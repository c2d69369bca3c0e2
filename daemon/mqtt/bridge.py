"""The connection to the broker: discovery, availability, state, snapshots, commands.

paho-mqtt runs the socket in its own thread (`loop_start`): it connects in the
background, retries the first connection too, and reconnects with back-off
(`reconnect_delay_set`); `publish` only queues. A thread of ours ("mqtt") publishes the
state and snapshots. Commands arrive on paho's thread and become calls of `Actions`,
which only put commands on the render loop's queue. So the render loop never waits for
the broker, whatever the broker does.

Debian Bookworm ships paho-mqtt 1.6.1 and Trixie 2.1.0. 2.x warns (DeprecationWarning)
about the version-1 callbacks unless the client is made with CallbackAPIVersion.VERSION2
(paho.mqtt.python src/paho/mqtt/client.py, Client.__init__), and 1.6.1 has no such
argument; the callbacks below take both signatures (on_connect gets `properties` only
in version 2, and its reason code compares equal to the plain int of 1.6.1:
src/paho/mqtt/reasoncodes.py, ReasonCode.__eq__).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import paho.mqtt.client as mqtt

from spirokiosk.daemon.config.mqtt_tls import tls_context
from spirokiosk.daemon.config.schema import MqttSection
from spirokiosk.daemon.mqtt.entities import (
    OFFLINE,
    ONLINE,
    PRESS,
    SCREEN_OFF,
    SCREEN_ON,
    Device,
    Topics,
    discovery_documents,
    state_document,
)
from spirokiosk.display.messages import shown

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 30  # the broker publishes the last will this long after a silent loss
STATE_SECONDS = 5.0  # the sensors' state at most this often (sooner on a curve change)
RECONNECT_DELAYS = (1, 60)  # paho's back-off between reconnection attempts, seconds
STOP_SECONDS = 0.3  # each of the stop's waits: "offline" sent, paho's thread, ours


@dataclass(frozen=True)
class Actions:
    """What the bridge reads of the kiosk and what it may ask of it (each call returns
    at once: asking only queues a command for the render loop)."""

    status: Callable[[], dict]  # the newest status the render loop published
    viewers: Callable[[], int]
    choose_curve: Callable[[str], bool]  # a select option; False when it was refused
    press: Callable[[str], bool]  # a button's object id ("next", "random")
    set_screen: Callable[[str], bool]  # "on" or "off" until the schedule's next change
    snapshot: Callable[[], bytes | None] | None  # a JPEG of the screen; None: no camera


def new_client(client_id: str) -> mqtt.Client:
    """A paho client on either major version (see the module docstring)."""
    version = getattr(mqtt, "CallbackAPIVersion", None)
    if version is not None:
        return mqtt.Client(version.VERSION2, client_id=client_id)
    return mqtt.Client(client_id=client_id)


class MqttBridge:
    """One kiosk as one Home Assistant device. `start()` returns at once; `stop()` says
    goodbye (availability offline) and disconnects within about a second."""

    def __init__(
        self,
        settings: MqttSection,
        device: Device,
        actions: Actions,
        curve_options: Sequence[str],
    ) -> None:
        self.settings = settings
        self.device = device
        self.actions = actions
        self.topics = Topics(f"{settings.base_topic}/{device.node_id}")
        self.documents = discovery_documents(
            settings.discovery_prefix,
            self.topics,
            device,
            curve_options,
            with_camera=actions.snapshot is not None,
        )
        self.curve_options = frozenset(curve_options)
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._kick = threading.Event()  # (re)connected: publish everything now
        self._client = self._make_client(f"spirokiosk-{device.node_id}")
        self._thread = threading.Thread(target=self._publish_loop, name="mqtt", daemon=True)
        self._warned_down = False

    def _make_client(self, client_id: str) -> mqtt.Client:
        client = new_client(client_id)
        settings = self.settings
        if settings.username:
            client.username_pw_set(settings.username, settings.password or None)
        if settings.tls:  # (the config's load checked mqtt.ca_file already)
            client.tls_set_context(tls_context(settings))
        client.will_set(self.topics.availability, OFFLINE, qos=1, retain=True)
        client.reconnect_delay_set(*RECONNECT_DELAYS)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        return client

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def start(self) -> None:
        log.info("mqtt: connecting to %s as %s", self.where, self.topics.base)
        self._client.connect_async(self.settings.host, self.settings.port, KEEPALIVE_SECONDS)
        self._client.loop_start()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._kick.set()
        if self.connected.is_set():
            info = self._client.publish(self.topics.availability, OFFLINE, qos=1, retain=True)
            with contextlib.suppress(RuntimeError, ValueError):  # lost: the will says it
                info.wait_for_publish(STOP_SECONDS)
        self._client.disconnect()
        # paho's loop_stop() joins its thread without a timeout, and a connection attempt
        # to a silent host can take its whole timeout: join it from a helper thread.
        stopper = threading.Thread(target=self._client.loop_stop, name="mqtt-stop", daemon=True)
        stopper.start()
        stopper.join(STOP_SECONDS)
        self._thread.join(STOP_SECONDS)

    # -- paho's thread -----------------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason, properties=None) -> None:
        if reason != 0:
            log.warning("mqtt: %s refused the connection: %s", self.where, reason)
            return
        log.info("mqtt: connected to %s", self.where)
        self._warned_down = False
        prefix = self.settings.discovery_prefix
        client.subscribe(
            [
                (self.topics.choose_curve, 1),
                (self.topics.button("+"), 1),
                (self.topics.screen, 1),
                (f"{prefix}/status", 1),  # Home Assistant's birth message: announce again
            ]
        )
        self.connected.set()
        self._kick.set()

    def _on_disconnect(self, client, userdata, *rest) -> None:
        # 1.6.1: (rc); 2.x: (disconnect_flags, reason_code, properties)
        if self._stop.is_set():
            return
        if not self._warned_down:  # said before `connected` clears: whoever sees it clear
            log.warning("mqtt: lost %s; reconnecting with back-off", self.where)  # sees this
            self._warned_down = True
        self.connected.clear()

    def _on_message(self, client, userdata, message) -> None:
        try:
            text = message.payload.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("mqtt: %s: ignored a payload that is not UTF-8", shown(message.topic))
            return
        topic = message.topic
        if topic == f"{self.settings.discovery_prefix}/status":
            if text == ONLINE:
                self._kick.set()
        elif topic == self.topics.choose_curve:
            if text not in self.curve_options:
                log.warning("mqtt: no curve %s to choose; ignored", shown(text))
            elif not self.actions.choose_curve(text):
                log.warning("mqtt: curve %s refused (the queue is full)", shown(text))
        elif topic == self.topics.screen:
            if text not in (SCREEN_ON, SCREEN_OFF):
                log.warning("mqtt: screen: payload %s is not ON or OFF; ignored", shown(text))
            elif not self.actions.set_screen("on" if text == SCREEN_ON else "off"):
                log.warning("mqtt: screen %s refused (the queue is full)", text)
        elif topic.startswith(self.topics.button("")):
            name = topic.removeprefix(self.topics.button(""))
            if text != PRESS:
                log.warning("mqtt: %s: payload %s is not PRESS; ignored", shown(topic), shown(text))
            elif not self.actions.press(name):
                log.warning("mqtt: button %s refused or unknown", shown(name))

    # -- our thread ----------------------------------------------------------------

    def _publish_loop(self) -> None:
        last_state = last_curve = None
        state_at = snapshot_at = -float("inf")
        while not self._stop.is_set():
            kicked = self._kick.wait(1.0)
            self._kick.clear()
            if self._stop.is_set():
                break
            if not self.connected.is_set():
                continue
            now = time.monotonic()
            if kicked:  # (re)connected, or Home Assistant came back: everything again
                self._announce()
                last_state, snapshot_at = None, -float("inf")
            status = self.actions.status()
            curve = (status.get("curve") or {}).get("name")
            due = last_state is None or curve != last_curve or now - state_at >= STATE_SECONDS
            if status and due:  # (nothing before the render loop's first status)
                state = state_document(status, self.actions.viewers())
                if state != last_state:
                    self._client.publish(self.topics.state, state, qos=0, retain=True)
                last_state, last_curve, state_at = state, curve, now
            every = self.settings.snapshot_seconds
            if self.actions.snapshot is not None and every > 0 and now - snapshot_at >= every:
                snapshot_at = now
                jpeg = self.actions.snapshot()
                if jpeg is not None:
                    self._client.publish(self.topics.snapshot, jpeg, qos=0, retain=False)

    def _announce(self) -> None:
        """Discovery documents, availability and attributes, all retained."""
        for topic, payload in self.documents.items():
            self._client.publish(topic, payload, qos=1, retain=True)
        self._client.publish(self.topics.attributes, self._attributes(), qos=1, retain=True)
        self._client.publish(self.topics.availability, ONLINE, qos=1, retain=True)

    def _attributes(self) -> str:
        page = self.device.page_url
        return json.dumps(
            {
                "page_url": page,
                "stream_url": page + "stream.mjpg",
                "snapshot_url": page + "snapshot.jpg",
            },
            sort_keys=True,
        )
