"""mqtt.tls and mqtt.ca_file: the certificates the broker is checked against, loaded when
the config is (so `check-config` says what `run` would) and again when the bridge starts.
"""

from __future__ import annotations

import ssl
from typing import Protocol

from spirokiosk.daemon.config.errors import ConfigError
from spirokiosk.daemon.config.files import FileError, read_small_file

MAX_CA_FILE_BYTES = 1024 * 1024  # a bundle of every public CA is about 200 KiB


class MqttTls(Protocol):
    tls: bool
    ca_file: str


def tls_context(mqtt: MqttTls) -> ssl.SSLContext:
    """A client context that checks the broker's certificate and name: against the
    system's CAs, or only those of mqtt.ca_file. ConfigError naming the key otherwise."""
    if not mqtt.ca_file:
        return ssl.create_default_context()
    try:
        pem = read_small_file(mqtt.ca_file, MAX_CA_FILE_BYTES).decode("ascii")
        return ssl.create_default_context(cadata=pem)
    except FileError as exc:
        raise ConfigError([f"mqtt.ca_file: {exc}"]) from None
    except (UnicodeDecodeError, ssl.SSLError, ValueError) as exc:
        reason = exc.reason if isinstance(exc, ssl.SSLError) and exc.reason else exc
        raise ConfigError([f"mqtt.ca_file: not PEM certificates ({reason})"]) from None


def mqtt_problems(mqtt: MqttTls) -> list[str]:
    """Every problem with the TLS keys, each as 'mqtt.key: message'."""
    if mqtt.ca_file and not mqtt.tls:
        return ["mqtt.ca_file: used only with mqtt.tls = true"]
    if not mqtt.tls:
        return []
    try:
        tls_context(mqtt)
    except ConfigError as exc:
        return list(exc.errors)
    return []
