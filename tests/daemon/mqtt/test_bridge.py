"""The bridge against a real Mosquitto: discovery, state, commands, goodbye, a broker that
is down at the start and one that goes away."""

import json
import logging
import threading

import pytest
from support import wait_until
from support.mosquitto import Broker, Listener

from spirokiosk.daemon.config.schema import MqttSection
from spirokiosk.daemon.mqtt.bridge import Actions, MqttBridge
from spirokiosk.daemon.mqtt.entities import Device

DEVICE = Device(node_id="testpi", name="spirokiosk on testpi", version="0", page_url="http://x/")
BASE = "spirokiosk/testpi"


class Kiosk:
    """What the bridge may read and ask, recording what it asked."""

    def __init__(self) -> None:
        self.chosen: list[str] = []
        self.pressed: list[str] = []
        self.screen: list[str] = []
        self.asked = threading.Event()
        self.curve = "first"

    def actions(self, snapshot=True) -> Actions:
        return Actions(
            status=lambda: {"fps": 60.0, "curve": {"name": self.curve}, "camera": {"state": "off"}},
            viewers=lambda: 2,
            choose_curve=self._choose,
            press=self._press,
            set_screen=lambda state: self.screen.append(state) or True,
            snapshot=(lambda: b"\xff\xd8jpeg\xff\xd9") if snapshot else None,
        )

    def _choose(self, name: str) -> bool:
        self.chosen.append(name)
        self.asked.set()
        return True

    def _press(self, name: str) -> bool:
        self.pressed.append(name)
        self.asked.set()
        return name in ("next", "random")


@pytest.fixture
def broker(tmp_path):
    b = Broker(tmp_path)
    yield b
    b.stop()


@pytest.fixture
def bridges():
    made = []

    def make(port, kiosk, **settings):
        bridge = MqttBridge(
            MqttSection(enabled=True, host="127.0.0.1", port=port, **settings),
            DEVICE,
            kiosk.actions(),
            ["first", "second", "random"],
        )
        bridge.start()
        made.append(bridge)
        return bridge

    yield make
    for bridge in made:
        bridge.stop()


@pytest.fixture
def listen(broker):
    made = []

    def make(*topics):
        listener = Listener(broker.port, *topics)
        made.append(listener)
        return listener

    yield make
    for listener in made:
        listener.close()


def test_discovery_state_and_availability_are_published_retained(broker, bridges, listen):
    kiosk = Kiosk()
    live = listen("homeassistant/#", f"{BASE}/#")
    bridges(broker.port, kiosk)
    live.wait_for(f"{BASE}/availability", b"online")  # announced: documents went first
    state = json.loads(live.wait_for(f"{BASE}/state")[1])
    assert state == {
        "fps": 60.0,
        "viewers": 2,
        "curve": "first",
        "camera": "off",
        "screen": "ON",
    }
    assert live.wait_for(f"{BASE}/snapshot")[1] == b"\xff\xd8jpeg\xff\xd9"
    kiosk.curve = "second"  # a new curve: the state follows within a second or so
    assert json.loads(live.wait_for(f"{BASE}/state")[1])["curve"] == "second"

    later = listen("homeassistant/#", f"{BASE}/#")  # Home Assistant starting after the kiosk
    _, payload, retained = later.wait_for("homeassistant/select/testpi/next_curve/config")
    assert retained and json.loads(payload)["options"] == ["first", "second", "random"]
    assert later.wait_for(f"{BASE}/availability", b"online")[2]
    assert json.loads(later.wait_for(f"{BASE}/state")[1])["curve"] == "second"


def test_commands_become_the_kiosks_actions_and_bad_ones_are_ignored(
    broker, bridges, listen, caplog
):
    kiosk = Kiosk()
    bridge = bridges(broker.port, kiosk)
    assert bridge.connected.wait(10)
    sender = listen(f"{BASE}/availability")
    sender.wait_for(f"{BASE}/availability", b"online")  # subscribed by now
    with caplog.at_level(logging.WARNING, "spirokiosk.daemon.mqtt"):
        sender.publish(f"{BASE}/curve/set", "no-such-curve\nfake log line")
        sender.publish(f"{BASE}/curve/set", b"\xff\xfe")
        sender.publish(f"{BASE}/button/next", "not PRESS")
        sender.publish(f"{BASE}/curve/set", "second")
        assert kiosk.asked.wait(10)
        sender.publish(f"{BASE}/button/random", "PRESS")
        assert wait_until(lambda: kiosk.pressed == ["random"], 10)
        sender.publish(f"{BASE}/screen/set", "dim")
        sender.publish(f"{BASE}/screen/set", "OFF")
        assert wait_until(lambda: kiosk.screen == ["off"], 10)
    assert kiosk.chosen == ["second"]
    text = caplog.text
    assert "no curve 'no-such-curve\\nfake log line' to choose; ignored" in text
    assert "payload that is not UTF-8" in text
    assert "payload 'not PRESS' is not PRESS; ignored" in text
    assert "screen: payload 'dim' is not ON or OFF; ignored" in text


def test_home_assistant_coming_back_gets_every_document_again(broker, bridges, listen):
    bridge = bridges(broker.port, Kiosk())
    assert bridge.connected.wait(10)
    listener = listen("homeassistant/+/testpi/+/config")
    listener.wait_for("homeassistant/button/testpi/random/config")  # the retained copy
    listener.publish("homeassistant/status", "online")  # Home Assistant's birth message
    _, _, retained = listener.wait_for("homeassistant/button/testpi/random/config")
    assert not retained  # sent again, live


def test_a_stop_says_offline_and_a_lost_kiosk_is_offline_by_its_will(broker, bridges, listen):
    bridge = bridges(broker.port, Kiosk())
    assert bridge.connected.wait(10)
    listener = listen(f"{BASE}/availability")
    listener.wait_for(f"{BASE}/availability", b"online")
    bridge.stop()
    listener.wait_for(f"{BASE}/availability", b"offline")


def test_a_broker_that_is_down_at_the_start_is_found_when_it_comes(tmp_path, bridges, caplog):
    from support import free_port

    port = free_port()
    bridge = bridges(port, Kiosk())  # start() returns although nothing listens
    assert not bridge.connected.is_set()
    broker = Broker(tmp_path, port)
    try:
        assert bridge.connected.wait(20)  # paho retries with back-off from 1 s
        broker.stop()
        assert wait_until(lambda: not bridge.connected.is_set(), 10)
        assert "mqtt: lost 127.0.0.1" in caplog.text  # said before `connected` cleared
        broker = Broker(tmp_path, port)
        assert bridge.connected.wait(30)
    finally:
        broker.stop()
