"""Home Assistant's actions as the service wires them, through a real Mosquitto: the
select plays presets, random curves and, with a gallery, its favourites in turn."""

import contextlib
import json
import socket

from support import wait_until
from support.mosquitto import Broker, Listener

from spirokiosk.daemon.config import load_config
from spirokiosk.daemon.mqtt.entities import node_id_for
from spirokiosk.daemon.service.control import Control, PlayCurve
from spirokiosk.daemon.service.home_assistant import start_mqtt
from spirokiosk.daemon.state.opening import open_gallery
from spirokiosk.display.curves import PRESETS, SHAPES


def test_the_select_plays_presets_and_the_galleries_favourites_in_turn(tmp_path):
    broker = Broker(tmp_path)
    gallery = open_gallery(tmp_path / "state", 100)
    first, second = PRESETS["gears-96-52"], PRESETS["gears-105-63"]
    ids = [gallery.record(c.to_dict(), c.name, "preset", c.name) for c in (first, second)]
    for entry_id in ids:
        gallery.heart(entry_id)
    config = load_config(
        None,
        ["mqtt.enabled=true", "mqtt.host=127.0.0.1", f"mqtt.port={broker.port}"],
        PRESETS,
        SHAPES,
    )
    control = Control()
    base = f"spirokiosk/{node_id_for(socket.gethostname())}"
    listener = Listener(broker.port, "homeassistant/#", f"{base}/#")
    try:
        with contextlib.ExitStack() as stack:
            start_mqtt(config, control, None, "http://kiosk:8000/", stack, gallery)
            node = node_id_for(socket.gethostname())
            topic = f"homeassistant/select/{node}/next_curve/config"
            options = json.loads(listener.wait_for(topic)[1])["options"]
            assert options[-2:] == ["random", "favourites"]
            listener.wait_for(f"{base}/availability", b"online")
            taken: list = []

            def played(count):
                taken.extend(c for c in control.take_commands() if isinstance(c, PlayCurve))
                return len(taken) >= count

            for name in ("favourites", "favourites", "gears-96-30", "favourites"):
                listener.publish(f"{base}/curve/set", name)
            assert wait_until(lambda: played(4), 10)
            assert [(c.curve.name, c.source) for c in taken] == [
                (first.name, "favourites"),
                (second.name, "favourites"),
                ("gears-96-30", "request"),
                (first.name, "favourites"),  # round and round
            ]
    finally:
        listener.close()
        gallery.close()
        broker.stop()
