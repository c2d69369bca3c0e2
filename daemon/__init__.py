"""The service: command line, configuration, the kiosk's lifecycle, systemd and logs.

Sub-packages: `config` (the typed schema, loading, errors as `section.key: message`),
`commands` (one module per subcommand, under `cli`), `mqtt` (Home Assistant over MQTT),
`service` (`run()`: start in order, the render loop, control queue, playlist, signals,
notify, logs).

May import: display and web (the parts it starts). Nothing imports the daemon.
"""
