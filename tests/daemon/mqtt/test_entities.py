"""The discovery documents, as Home Assistant's MQTT discovery docs define them."""

import json
import re

from spirokiosk.daemon.mqtt.entities import (
    Device,
    Topics,
    discovery_documents,
    node_id_for,
    state_document,
)

DEVICE = Device(
    node_id="pi-den", name="spirokiosk on pi-den", version="1.2", page_url="http://pi:8000/"
)
TOPICS = Topics("spirokiosk/pi-den")


def documents(with_camera=True):
    docs = discovery_documents(
        "homeassistant", TOPICS, DEVICE, ["a", "random"], with_camera=with_camera
    )
    return {topic: json.loads(payload) for topic, payload in docs.items()}


def expand(doc: dict, option: str) -> str:
    """A topic option with the `~` abbreviation expanded, as Home Assistant does."""
    value = doc[option]
    return value.replace("~", doc["~"], 1) if value.startswith("~") else value


def test_node_ids_keep_only_what_discovery_allows():
    assert node_id_for("pi-den") == "pi-den"
    assert node_id_for("kiosk.local") == "kiosk_local"
    assert node_id_for("...") == "kiosk"


def test_every_entity_has_a_config_topic_unique_id_device_and_availability():
    docs = documents()
    pattern = re.compile(r"homeassistant/(\w+)/pi-den/([a-zA-Z0-9_-]+)/config")
    components = sorted(pattern.fullmatch(topic)[1] for topic in docs)
    assert components == ["button", "button", "camera", "select"] + ["sensor"] * 4 + ["switch"]
    unique_ids = [doc["unique_id"] for doc in docs.values()]
    assert len(set(unique_ids)) == len(unique_ids)
    for doc in docs.values():
        assert expand(doc, "availability_topic") == "spirokiosk/pi-den/availability"
        assert doc["device"]["identifiers"] == ["spirokiosk_pi-den"]
        assert doc["device"]["configuration_url"] == "http://pi:8000/"


def test_the_select_offers_the_curves_and_commands_the_kiosk():
    select = documents()["homeassistant/select/pi-den/next_curve/config"]
    assert select["options"] == ["a", "random"]
    assert expand(select, "command_topic") == TOPICS.choose_curve


def test_sensors_read_the_shared_state_document():
    docs = documents()
    state = json.loads(
        state_document({"fps": 59.8, "curve": {"name": "seed"}, "camera": {"state": "ok"}}, 3)
    )
    assert state == {"fps": 59.8, "viewers": 3, "curve": "seed", "camera": "ok", "screen": "ON"}
    for name in ("fps", "viewers", "curve", "camera"):
        sensor = docs[f"homeassistant/sensor/pi-den/{name}/config"]
        assert expand(sensor, "state_topic") == TOPICS.state
        assert sensor["value_template"] == f"{{{{ value_json.{name} }}}}"
    assert docs["homeassistant/sensor/pi-den/fps/config"]["unit_of_measurement"] == "fps"


def test_the_camera_takes_snapshots_only_with_a_mirror():
    camera = documents()["homeassistant/camera/pi-den/mirror/config"]
    assert expand(camera, "topic") == TOPICS.snapshot
    assert not any(t.startswith("homeassistant/camera/") for t in documents(with_camera=False))


def test_the_screen_switch_is_the_schedules_override():
    switch = documents()["homeassistant/switch/pi-den/screen/config"]
    assert expand(switch, "command_topic") == TOPICS.screen
    assert expand(switch, "state_topic") == TOPICS.state
    assert (switch["payload_on"], switch["payload_off"]) == ("ON", "OFF")
    off = json.loads(state_document({"schedule": {"state": "quiet"}}, 0))
    assert off["screen"] == "OFF"
