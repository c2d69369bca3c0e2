"""The sections of the configuration, each a frozen dataclass whose fields are its keys
(declared with keys.key()), grouped by what they configure: `display` (the screen and
the curves played on it), `camera`, `web` (the mirror's server and the exports it
renders), `integrations` (MQTT for Home Assistant, the mDNS announcement) and `service`
(the screen schedule, the state directory, logging). Their order, and the Config that
holds them, are schema's.

May import: daemon/config's keys and value_types, display's sizes, and the names
display's light packages declare (display modes, rotations, camera sources and modes);
nothing else of the project.
"""
