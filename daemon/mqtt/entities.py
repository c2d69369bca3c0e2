"""The kiosk's entities as Home Assistant's MQTT discovery defines them.

One device, several entities, each announced by a retained JSON document on
`<discovery_prefix>/<component>/<node_id>/<object_id>/config` (Home Assistant's MQTT
discovery docs: node_id and object_id are [a-zA-Z0-9_-]; `~` abbreviates the base topic
in the other topic options; a device groups the entities). Every entity shares the
availability topic, whose "offline" is also the connection's last will.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

ONLINE = "online"
OFFLINE = "offline"
PRESS = "PRESS"  # Home Assistant's default payload_press for an MQTT button
SCREEN_ON, SCREEN_OFF = "ON", "OFF"  # an MQTT switch's default payloads


def node_id_for(hostname: str) -> str:
    """A discovery node id from a host name: only the characters discovery allows."""
    cleaned = re.sub(r"[^a-zA-Z0-9_-]+", "_", hostname).strip("_")
    return cleaned or "kiosk"


@dataclass(frozen=True)
class Topics:
    """The kiosk's own topics, all under `base` (`<mqtt.base_topic>/<node id>`)."""

    base: str

    @property
    def availability(self) -> str:
        return f"{self.base}/availability"

    @property
    def state(self) -> str:
        return f"{self.base}/state"

    @property
    def attributes(self) -> str:
        return f"{self.base}/attributes"

    @property
    def snapshot(self) -> str:
        return f"{self.base}/snapshot"

    @property
    def choose_curve(self) -> str:
        return f"{self.base}/curve/set"

    @property
    def screen(self) -> str:
        return f"{self.base}/screen/set"

    def button(self, name: str) -> str:
        return f"{self.base}/button/{name}"


@dataclass(frozen=True)
class Device:
    """What Home Assistant shows about the kiosk itself."""

    node_id: str
    name: str
    version: str
    page_url: str


BUTTONS = {"next": "Next curve", "random": "Random curve"}
# sensor object id -> (name, value in the state document, unit, state class)
SENSORS = {
    "fps": ("Render fps", "fps", "fps", "measurement"),
    "viewers": ("Stream viewers", "viewers", None, "measurement"),
    "curve": ("Curve", "curve", None, None),
    "camera": ("Camera", "camera", None, None),
}


def discovery_documents(
    prefix: str,
    topics: Topics,
    device: Device,
    curve_options: Sequence[str],
    *,
    with_camera: bool,
) -> dict[str, str]:
    """topic -> JSON payload of every entity's discovery document (publish retained)."""
    shared = {
        "~": topics.base,
        "availability_topic": "~/availability",
        "device": {
            "identifiers": [f"spirokiosk_{device.node_id}"],
            "name": device.name,
            "manufacturer": "spirokiosk",
            "model": "spirograph kiosk",
            "sw_version": device.version,
            "configuration_url": device.page_url,
        },
    }

    def entity(component: str, object_id: str, name: str, **options: object) -> tuple[str, str]:
        document = {
            **shared,
            "name": name,
            "unique_id": f"spirokiosk_{device.node_id}_{object_id}",
            **options,
        }
        topic = f"{prefix}/{component}/{device.node_id}/{object_id}/config"
        return topic, json.dumps(document, sort_keys=True)

    documents = dict(
        [
            entity(
                "select",
                "next_curve",
                "Next curve to draw",
                command_topic="~/curve/set",
                options=list(curve_options),
                icon="mdi:draw",
            ),
            *(
                entity("button", object_id, name, command_topic=f"~/button/{object_id}")
                for object_id, name in BUTTONS.items()
            ),
            entity(  # the screen schedule's override: on or off until its next change
                "switch",
                "screen",
                "Screen",
                command_topic="~/screen/set",
                state_topic="~/state",
                value_template="{{ value_json.screen }}",
                payload_on=SCREEN_ON,
                payload_off=SCREEN_OFF,
                icon="mdi:monitor",
            ),
            *(
                entity(
                    "sensor",
                    object_id,
                    name,
                    state_topic="~/state",
                    value_template=f"{{{{ value_json.{field} }}}}",
                    **({"unit_of_measurement": unit} if unit else {}),
                    **({"state_class": state_class} if state_class else {}),
                )
                for object_id, (name, field, unit, state_class) in SENSORS.items()
            ),
        ]
    )
    if with_camera:
        topic, payload = entity(
            "camera",
            "mirror",
            "Screen picture",
            topic="~/snapshot",
            json_attributes_topic="~/attributes",
        )
        documents[topic] = payload
    return documents


def state_document(status: dict, viewers: int) -> str:
    """The sensors' shared state from the render loop's status."""
    camera = status.get("camera") or {}
    curve = status.get("curve") or {}
    schedule = status.get("schedule") or {}
    return json.dumps(
        {
            "fps": status.get("fps", 0.0),
            "viewers": viewers,
            "curve": curve.get("name") or status.get("curve_summary") or "unnamed curve",
            "camera": camera.get("state", "off"),
            "screen": SCREEN_OFF if schedule.get("state", "on") != "on" else SCREEN_ON,
        },
        sort_keys=True,
    )
