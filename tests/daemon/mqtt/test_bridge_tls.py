"""MQTT over TLS against a real Mosquitto with a private certificate authority (made by
openssl for the test): the bridge connects when mqtt.ca_file names that CA, and not when
the broker's certificate is checked against the system's CAs; a bad ca_file is a config
error naming the key."""

import gc
import subprocess
import threading

import pytest
from support import wait_until
from support.mosquitto import Broker

from spirokiosk.daemon.config import ConfigError, load_config
from spirokiosk.daemon.mqtt.bridge import Actions, MqttBridge
from spirokiosk.daemon.mqtt.entities import Device
from spirokiosk.display.curves import PRESETS, SHAPES

DEVICE = Device(node_id="tlspi", name="spirokiosk on tlspi", version="0", page_url="http://x/")
ACTIONS = Actions(
    status=dict,
    viewers=lambda: 0,
    choose_curve=lambda name: True,
    press=lambda name: True,
    set_screen=lambda state: True,
    snapshot=None,
)


def paho_threads():
    """paho-mqtt's network threads (2.x names them paho-mqtt-client-<id>)."""
    return [t for t in threading.enumerate() if t.name.startswith("paho-mqtt-client")]


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def tls_broker(tmp_path):
    """A broker whose certificate (for 127.0.0.1) is signed by a CA of the test's own."""
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=spirokiosk test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        cwd=tmp_path,
    )
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "broker.key",
        "-out",
        "broker.csr",
        cwd=tmp_path,
    )
    (tmp_path / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl(
        "x509",
        "-req",
        "-in",
        "broker.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "broker.pem",
        cwd=tmp_path,
    )
    conf = (
        f"cafile {tmp_path / 'ca.pem'}\ncertfile {tmp_path / 'broker.pem'}\n"
        f"keyfile {tmp_path / 'broker.key'}\n"
    )
    broker = Broker(tmp_path, listener_conf=conf)
    yield broker, tmp_path / "ca.pem"
    broker.stop()


def mqtt_config(port, *overrides):
    settings = [
        "mqtt.enabled=true",
        "mqtt.host=127.0.0.1",
        f"mqtt.port={port}",
        "mqtt.tls=true",
        *overrides,
    ]
    return load_config(None, settings, PRESETS, SHAPES).mqtt


def test_tls_with_the_brokers_ca_connects(tls_broker):
    broker, ca = tls_broker
    bridge = MqttBridge(mqtt_config(broker.port, f"mqtt.ca_file={ca}"), DEVICE, ACTIONS, ["random"])
    bridge.start()
    try:
        assert bridge.connected.wait(15)
    finally:
        bridge.stop()


# paho-mqtt leaves the socket of a failed handshake to the garbage collector (2.1.0,
# src/paho/mqtt/client.py, _ssl_wrap_socket: do_handshake() raises, ssl_sock is not
# closed): Python's ResourceWarning for it is paho's, not ours. Collected before the
# test ends, or it would fail whichever test the garbage collector happens to run in.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_tls_checks_the_brokers_certificate(tls_broker):
    broker, _ = tls_broker
    bridge = MqttBridge(mqtt_config(broker.port), DEVICE, ACTIONS, ["random"])
    bridge.start()
    try:  # the system's CAs do not know the test's: the bridge refuses the broker
        assert wait_until(lambda: "alert unknown ca" in broker.log.read_text(), 15)
        assert not bridge.connected.is_set()
    finally:
        bridge.stop()
        # paho's thread may be in one more attempt: once it has ended, its unclosed sockets
        # are collected now, under this test's filter, not in a later test.
        assert wait_until(lambda: not any(paho_threads()), 10)
        gc.collect()


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "mqtt.ca_file: no such file"), ("not a certificate", "mqtt.ca_file: not PEM")],
)
def test_a_bad_ca_file_is_a_config_error_naming_the_key(tmp_path, content, message):
    path = tmp_path / "ca.pem"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        mqtt_config(1883, f"mqtt.ca_file={path}")
    assert caught.value.errors[0].startswith(message)
    with pytest.raises(ConfigError) as caught:
        load_config(None, [f"mqtt.ca_file={path}"], PRESETS, SHAPES)
    assert caught.value.errors[0] == "mqtt.ca_file: used only with mqtt.tls = true"
