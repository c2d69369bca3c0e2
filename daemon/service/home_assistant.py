"""Starting the MQTT bridge for Home Assistant: what it may read and ask of the kiosk.

The bridge's actions only queue commands for the render loop (Control), so they may be
called from paho's thread. Started after the web server (its URL goes into the device's
`configuration_url`), stopped before it.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from importlib import metadata
from typing import TYPE_CHECKING

from spirokiosk.daemon.config import Config, ConfigError
from spirokiosk.daemon.mqtt.bridge import Actions, MqttBridge
from spirokiosk.daemon.mqtt.entities import Device, node_id_for
from spirokiosk.daemon.service.control import Control
from spirokiosk.daemon.service.playlist import FAVOURITES, RANDOM, make_random_curve
from spirokiosk.display.curves import PRESETS, Curve

if TYPE_CHECKING:
    from spirokiosk.daemon.state.store import GalleryStore
    from spirokiosk.web.hub import FrameHub

log = logging.getLogger(__name__)

SNAPSHOT_SECONDS = 2.0  # how long the bridge waits for a fresh frame for its camera


def version() -> str:
    try:
        return metadata.version("spirokiosk")
    except metadata.PackageNotFoundError:
        return "unknown"


def start_mqtt(
    config: Config,
    control: Control,
    hub: FrameHub | None,
    page_url: str | None,
    stack: contextlib.ExitStack,
    gallery: GalleryStore | None = None,
) -> MqttBridge | None:
    """The bridge, connecting in the background (a broker that is down is retried; the
    kiosk starts regardless). None when [mqtt] is off. With a gallery, the select offers
    "favourites" too (the next hearted curve, in turn, as the playlist plays them)."""
    if not config.mqtt.enabled:
        return None
    hostname = socket.gethostname()
    device = Device(
        node_id=node_id_for(hostname),
        name=f"spirokiosk on {hostname}",
        version=version(),
        page_url=page_url or "",
    )
    closing = threading.Event()
    shapes = config.curves.random_shapes

    last_favourite = [0]

    def choose_curve(name: str) -> bool:
        if name == FAVOURITES:
            return play_favourite()
        curve = make_random_curve(shapes) if name == RANDOM else PRESETS[name]
        return control.play_curve(curve, "request", "mqtt")

    def play_favourite() -> bool:
        try:
            entry = gallery.next_favourite(last_favourite[0]) if gallery is not None else None
            curve = Curve.from_dict(entry["curve"]) if entry is not None else None
        except Exception as exc:  # a gallery that fails costs the choice, nothing more
            log.warning("mqtt: no favourite to play: %s", exc)
            return False
        if curve is None:
            log.warning("mqtt: no favourites yet (heart a curve in the gallery)")
            return True  # understood; nothing to play
        last_favourite[0] = entry["id"]
        return control.play_curve(curve, FAVOURITES, str(entry["id"]))

    def press(button: str) -> bool:
        if button == "random":
            return control.play_curve(make_random_curve(shapes), "request", "mqtt")
        if button == "next":
            return control.skip()
        return False

    def snapshot() -> bytes | None:
        frame = hub.snapshot(SNAPSHOT_SECONDS, closing) if hub is not None else None
        return frame.jpeg if frame is not None else None

    actions = Actions(
        status=control.status,
        viewers=(lambda: hub.stats().viewers) if hub is not None else (lambda: 0),
        choose_curve=choose_curve,
        press=press,
        set_screen=control.set_screen,
        snapshot=snapshot if hub is not None else None,
    )
    options = [*PRESETS, RANDOM, *([FAVOURITES] if gallery is not None else [])]
    try:
        bridge = MqttBridge(config.mqtt, device, actions, options)
    except ConfigError as exc:  # mqtt.ca_file went since the config was checked
        log.warning("%s; Home Assistant over MQTT is off until a restart", "; ".join(exc.errors))
        return None
    bridge.start()
    stack.callback(bridge.stop)
    stack.callback(closing.set)  # first: a snapshot being waited for ends at once
    return bridge
