"""The [mqtt] section: errors name their key, the password never shows."""

import tomllib

import pytest

from spirokiosk.daemon.config import ConfigError, dump_config, load_config
from spirokiosk.display.curves import PRESETS, SHAPES


def load(*overrides):
    return load_config(None, list(overrides), PRESETS, SHAPES)


def errors_of(*overrides):
    with pytest.raises(ConfigError) as caught:
        load(*overrides)
    return caught.value.errors


def test_mqtt_is_off_by_default_and_takes_a_broker():
    assert not load().mqtt.enabled
    mqtt = load("mqtt.enabled=true", "mqtt.host=broker.lan", "mqtt.port=8883").mqtt
    assert (mqtt.host, mqtt.port, mqtt.username, mqtt.password) == ("broker.lan", 8883, "", "")


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ('mqtt.base_topic="kiosk/#"', "mqtt.base_topic: must not hold the wildcards + or #"),
        ('mqtt.discovery_prefix="/ha"', "mqtt.discovery_prefix: must not have empty levels"),
        ('mqtt.discovery_prefix=""', "mqtt.discovery_prefix: must be 1 to 200 printable"),
        ("mqtt.port=0", "mqtt.port:"),
        ('mqtt.host="999.1.1.1"', "mqtt.host: not an IPv4 address"),
        ('mqtt.password="a\\nb"', "mqtt.password: must be printable text on one line"),
        ("mqtt.snapshot_seconds=-1", "mqtt.snapshot_seconds:"),
    ],
)
def test_bad_values_name_their_key(override, expected):
    assert any(error.startswith(expected) for error in errors_of(override)), errors_of(override)


def test_the_password_is_masked_in_the_effective_config():
    text = dump_config(load("mqtt.username=kiosk", "mqtt.password=hunter2"))
    assert tomllib.loads(text)["mqtt"]["password"] == "********"
    assert "hunter2" not in text
