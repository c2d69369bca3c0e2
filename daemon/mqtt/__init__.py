"""Home Assistant over MQTT: the kiosk as one device found through MQTT discovery.

`entities` builds the discovery documents (pure data); `bridge` keeps the connection
to the broker (paho-mqtt's own thread, reconnecting with back-off), publishes state and
snapshots from a thread of its own, and turns command messages into the kiosk's actions.
Nothing here runs on the render thread: a broker that is down or slow costs the kiosk
nothing but the feature.

May import: daemon.config (the [mqtt] section) and display's helper modules.
"""
