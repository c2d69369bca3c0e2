"""Home Assistant's actions as the service wires them, through a real Mosquitto: the
select plays presets, random curves and, with a gallery, its favourites in turn; a
screen command the render loop's full queue refuses is said in the log; a CA file gone
since the config was checked leaves the bridge off, said in the log."""

import contextlib
import json
import logging
import socket
import subprocess
import threading

from support import wait_until
from support.mosquitto import Broker, Listener

from spirokiosk.daemon.config import load_config
from spirokiosk.daemon.mqtt.entities import node_id_for
from spirokiosk.daemon.service.control import Control, PlayCurve, SetScreen, Skip
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


def mqtt_config(port: int, *settings: str):
    return load_config(
        None,
        ["mqtt.enabled=true", "mqtt.host=127.0.0.1", f"mqtt.port={port}", *settings],
        PRESETS,
        SHAPES,
    )


def test_a_screen_command_the_full_queue_refuses_is_logged(tmp_path, caplog):
    broker = Broker(tmp_path)
    control = Control(max_queued=1)
    base = f"spirokiosk/{node_id_for(socket.gethostname())}"
    listener = Listener(broker.port, f"{base}/availability")
    try:
        with contextlib.ExitStack() as stack, caplog.at_level(logging.WARNING):
            start_mqtt(mqtt_config(broker.port), control, None, None, stack)
            listener.wait_for(f"{base}/availability", b"online")  # subscribed by now
            assert control.skip()  # the one place in the queue taken
            listener.publish(f"{base}/screen/set", "OFF")
            refused = "mqtt: screen OFF refused (the queue is full)"
            assert wait_until(lambda: refused in caplog.messages, 10)
            assert control.take_commands() == [Skip()]  # the refused command is not queued
            listener.publish(f"{base}/screen/set", "OFF")  # room again: taken
            taken: list = []

            def arrived() -> bool:
                taken.extend(control.take_commands())
                return bool(taken)

            assert wait_until(arrived, 10)
            assert taken == [SetScreen("off")]
        assert caplog.messages.count(refused) == 1
    finally:
        listener.close()
        broker.stop()


def test_a_ca_file_gone_since_the_config_was_checked_leaves_mqtt_off(tmp_path, caplog):
    ca = tmp_path / "ca.pem"
    make_ca = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
    subprocess.run(
        [*make_ca.split(), "-subj", "/CN=test CA", "-keyout", tmp_path / "ca.key", "-out", ca],
        check=True,
        capture_output=True,
    )
    config = mqtt_config(1883, "mqtt.tls=true", f"mqtt.ca_file={ca}")  # checked: it is there
    ca.unlink()  # gone before the service starts the bridge
    before = set(threading.enumerate())
    with contextlib.ExitStack() as stack, caplog.at_level(logging.WARNING):
        assert start_mqtt(config, Control(), None, None, stack) is None
    assert set(threading.enumerate()) <= before  # no bridge, no paho thread started
    assert caplog.messages == [
        "mqtt.ca_file: no such file; Home Assistant over MQTT is off until a restart"
    ]
