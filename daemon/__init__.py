"""Service lifecycle, configuration, systemd integration and the command line."""
