"""The configuration: one typed schema, loading with precedence, errors as `section.key: message`.

`schema` declares every key once (type, limits, default, doc, whether a reload applies it):
the section dataclasses live in `sections`, each key a `keys.key()` field, and `schema`
holds their order and the `Config`; `value_types` are the key types; `load` reads a file
and `--set` overrides into a frozen `Config`; `documents` writes it back (the effective
config, deploy/config.toml, the README table). Importing it is cheap: no numpy, no pygame.

May import: display's light helpers (messages, sizes) and the names display's light
packages declare (display modes, camera sources, curve shapes); never web.
"""

from spirokiosk.daemon.config.documents import (
    config_reference_markdown,
    dump_config,
    render_default_config_toml,
)
from spirokiosk.daemon.config.errors import ConfigError, report_config_errors
from spirokiosk.daemon.config.load import (
    DEFAULT_PATH,
    ENV_VAR,
    describe_source,
    load_config,
    load_from_options,
    resolve_config_path,
)
from spirokiosk.daemon.config.schema import Config, changed_keys, restart_keys

__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "Config",
    "ConfigError",
    "changed_keys",
    "config_reference_markdown",
    "describe_source",
    "dump_config",
    "load_config",
    "load_from_options",
    "render_default_config_toml",
    "report_config_errors",
    "resolve_config_path",
    "restart_keys",
]
