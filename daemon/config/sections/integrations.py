"""The sections that tie the kiosk into the LAN: [mqtt] (a broker for Home Assistant:
discovery, commands, snapshots) and [discovery] (announcing the mirror over
mDNS/DNS-SD)."""

from __future__ import annotations

from dataclasses import dataclass

from spirokiosk.daemon.config.keys import key
from spirokiosk.daemon.config.value_types import (
    Address,
    Bool,
    Float,
    Int,
    OptionalText,
    ServiceName,
    Topic,
)


@dataclass(frozen=True)
class MqttSection:
    enabled: bool = key(
        Bool(),
        False,
        "publish to an MQTT broker for Home Assistant (discovery, commands)",
        restart=True,
    )
    host: str = key(Address(), "localhost", "the broker's address or host name", restart=True)
    port: int = key(Int(1, 65535), 1883, "the broker's port (8883 is usual with TLS)", restart=True)
    tls: bool = key(
        Bool(), False, "connect with TLS, checking the broker's certificate", restart=True
    )
    ca_file: str = key(
        OptionalText(),
        "",
        "with tls: a PEM file of the certificate authorities to check the broker against "
        '(a private CA); "" for the system\'s',
        restart=True,
    )
    username: str = key(OptionalText(), "", "user name at the broker", restart=True)
    password: str = key(
        OptionalText(secret=True),
        "",
        "password at the broker",
        secret=True,
        restart=True,
    )
    discovery_prefix: str = key(
        Topic(),
        "homeassistant",
        "Home Assistant's discovery prefix (its MQTT settings)",
        restart=True,
    )
    base_topic: str = key(
        Topic(),
        "spirokiosk",
        "the kiosk's own topics (state, commands, availability) start with this, then its "
        "host name",
        restart=True,
    )
    snapshot_seconds: float = key(
        Float(0, 3600),
        10.0,
        "publish a JPEG of the screen for Home Assistant's camera this often; 0: never",
        restart=True,
    )


@dataclass(frozen=True)
class DiscoverySection:
    enabled: bool = key(
        Bool(),
        True,
        "announce the mirror on the LAN over mDNS/DNS-SD (_http._tcp), for phones, browsers "
        "and Home Assistant",
    )
    name: str = key(
        ServiceName(),
        "spirokiosk on {hostname}",
        "the name the kiosk is announced under; {hostname} is this machine's name",
    )
