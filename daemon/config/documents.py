"""The config written back: the effective config (`spirokiosk config`, secrets masked),
the shipped deploy/config.toml and the README's table, all generated from the schema so
they cannot disagree with it."""

from __future__ import annotations

import textwrap
from typing import Any

import tomli_w

from spirokiosk.daemon.config.schema import SECTIONS, Config, KeySpec, all_keys, section_keys
from spirokiosk.daemon.config.value_types import Bool

SECRET_MASK = "********"


def _toml_data(config: Config, mask_secrets: bool = True) -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = {}
    for section in SECTIONS:
        values = getattr(config, section)
        data[section] = {
            spec.name: SECRET_MASK
            if spec.secret and mask_secrets and getattr(values, spec.name)  # "" is "none"
            else spec.kind.to_toml(getattr(values, spec.name))
            for spec in section_keys(section)
        }
    return data


def dump_config(config: Config) -> str:
    """The effective configuration as TOML, secrets that are set masked; loading it gives
    `config` back (but for those secrets)."""
    where = "no file" if config.path is None else config.path
    header = f"# spirokiosk effective configuration: defaults < {where} < --set\n\n"
    return header + tomli_w.dumps(_toml_data(config))


def _default_toml(spec: KeySpec) -> str:
    """'name = default' as tomli-w writes it (may span lines for arrays)."""
    return tomli_w.dumps({spec.name: spec.kind.to_toml(spec.default)}).rstrip("\n")


_HEADER = """\
# spirokiosk configuration: /etc/spirokiosk/config.toml (or the file $SPIROKIOSK_CONFIG
# or --config names).
#
# Every key is listed below, commented out at its built-in default. To change one,
# remove the '#' in front of it (and of its continuation lines) and edit the value.
# A missing key, or a missing /etc/spirokiosk/config.toml, means the built-in default.
#
# Precedence: built-in defaults < this file < `--set section.key=value` on the
# command line (repeatable; e.g. `spirokiosk run --set web.port=8080`).
#
# Check after editing:    spirokiosk check-config
#   (prints 'config OK', or every problem as 'section.key: message')
# See the effective values: spirokiosk config
# Apply:                  sudo systemctl reload spirokiosk
#   A config with errors is refused on reload: the running one is kept and every
#   error goes to the journal (journalctl -u spirokiosk). A service that is not
#   running refuses to start with a bad config and lists the errors the same way.
"""


def render_default_config_toml() -> str:
    """The text of deploy/config.toml: every key at its default, commented, with its doc."""
    parts = [_HEADER]
    for section in SECTIONS:
        parts.append(f"\n[{section}]\n")
        for spec in section_keys(section):
            commented = "\n".join("#" + line for line in _default_toml(spec).splitlines())
            values = "" if isinstance(spec.kind, Bool) else f" ({spec.kind.describe()})"
            about = textwrap.wrap(spec.doc + values, 86)
            comments = "".join(f"# {line}\n" for line in about)
            parts.append(f"\n{comments}{commented}\n")
    return "".join(parts)


def _markdown_default(spec: KeySpec) -> str:
    value = spec.kind.to_toml(spec.default)
    if isinstance(value, list):
        inline = "[" + ", ".join(_inline_scalar(item) for item in value) + "]"
    else:
        inline = _inline_scalar(value)
    return f"`{inline}`"


def _inline_scalar(value: Any) -> str:
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")


def config_reference_markdown() -> str:
    """A Markdown table of every key (key, default, values, meaning) for the README."""
    rows = ["| key | default | values | meaning |", "| --- | --- | --- | --- |"]
    for spec in all_keys():
        cells = [f"`{spec.dotted}`", _markdown_default(spec), spec.kind.describe(), spec.doc]
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"
