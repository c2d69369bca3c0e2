"""The running kiosk as Home Assistant sees it through a real Mosquitto: its device is
discovered, a command on the select topic changes the curve, and when the kiosk is
killed its availability goes offline (the broker publishes the last will)."""

import json
import signal
import socket

from support import free_port
from support.daemon import READY_TIMEOUT, Kiosk, status_of
from support.mosquitto import Broker, Listener

from spirokiosk.daemon.mqtt.entities import node_id_for


def test_home_assistant_discovers_commands_and_loses_the_kiosk(tmp_path):
    broker = Broker(tmp_path)
    node = node_id_for(socket.gethostname())
    base = f"spirokiosk/{node}"
    listener = Listener(broker.port, "homeassistant/#", f"{base}/#")
    port = free_port()
    kiosk = Kiosk(
        ["--display", "headless"]
        + [
            f"--set={setting}"
            for setting in (
                f"web.port={port}",
                "web.bind=127.0.0.1",
                'curves.playlist=["seed-magma-11"]',
                "curves.draw_seconds=2",
                "curves.hold_seconds=0.5",
                "curves.fade_seconds=0.2",
                "mqtt.enabled=true",
                "mqtt.host=127.0.0.1",
                f"mqtt.port={broker.port}",
                "mqtt.snapshot_seconds=1",
            )
        ]
    )
    try:
        kiosk.wait_for("READY", READY_TIMEOUT)
        _, payload, _ = listener.wait_for(f"homeassistant/select/{node}/next_curve/config")
        select = json.loads(payload)
        assert "gears-96-52" in select["options"] and "random" in select["options"]
        assert select["device"]["configuration_url"].endswith(f":{port}/")
        listener.wait_for(f"{base}/availability", b"online")
        state = json.loads(listener.wait_for(f"{base}/state")[1])
        assert state["curve"] == "seed-magma-11"
        jpeg = listener.wait_for(f"{base}/snapshot")[1]
        assert jpeg[:2] == b"\xff\xd8"  # the screen, as /snapshot.jpg gives it

        assert status_of(port)["curve"]["name"] == "seed-magma-11"  # all it plays by itself
        listener.publish(f"{base}/curve/set", "gears-96-52")
        state = {}
        while state.get("curve") != "gears-96-52":  # after the fade, the sensor says so
            state = json.loads(listener.wait_for(f"{base}/state", timeout=60)[1])

        frames = status_of(port)["frames_rendered"]
        listener.publish(f"{base}/button/next", "PRESS")  # skips to the playlist's next
        state = {}
        while state.get("curve") != "seed-magma-11":
            state = json.loads(listener.wait_for(f"{base}/state", timeout=30)[1])
        assert status_of(port)["frames_rendered"] > frames

        listener.publish(f"{base}/screen/set", "OFF")  # Home Assistant's switch
        while json.loads(listener.wait_for(f"{base}/state", timeout=30)[1])["screen"] != "OFF":
            pass
        assert status_of(port)["schedule"]["state"] == "off"

        kiosk.proc.send_signal(signal.SIGKILL)
        kiosk.proc.wait(10)
        listener.wait_for(f"{base}/availability", b"offline")
    finally:
        listener.close()
        kiosk.close()
        broker.stop()
