"""Reading the configuration: a TOML file and `--set` overrides into one frozen Config.

Precedence: built-in defaults < the TOML file < `--set section.key=value` overrides.
Loading is a pure function of its arguments (no globals, no caching), so a SIGHUP
reload simply calls it again and keeps the old Config when it raises ConfigError.
Every problem is collected and reported at once, each as 'section.key: message'.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from spirokiosk.daemon.config.control_token import control_problems
from spirokiosk.daemon.config.errors import ConfigError
from spirokiosk.daemon.config.files import FileError, read_small_file
from spirokiosk.daemon.config.mqtt_tls import mqtt_problems
from spirokiosk.daemon.config.schema import SECTIONS, Config, all_keys, section_keys
from spirokiosk.daemon.config.value_types import (
    BadValueError,
    Choice,
    OptionalText,
    SizeOr,
    Text,
    toml_type_name,
)
from spirokiosk.display.messages import did_you_mean, escaped, shown, suggestion
from spirokiosk.display.toml_text import TomlError, parse_toml

DEFAULT_PATH = Path("/etc/spirokiosk/config.toml")
ENV_VAR = "SPIROKIOSK_CONFIG"


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """$SPIROKIOSK_CONFIG when set (and not empty), else /etc/spirokiosk/config.toml."""
    value = (os.environ if environ is None else environ).get(ENV_VAR, "")
    return Path(value) if value else DEFAULT_PATH


def resolve_config_path(
    given: str | Path | None, environ: Mapping[str, str] | None = None
) -> tuple[Path, bool]:
    """The file to read and whether it was asked for explicitly.

    `--config` and $SPIROKIOSK_CONFIG are explicit: a missing file is then an error. Only
    the default /etc path may be absent, meaning 'run on the built-in defaults'.
    """
    if given is not None and str(given) != "":
        return Path(given), True
    path = default_config_path(environ)
    return path, path != DEFAULT_PATH


def load_config(
    path: Path | None,
    overrides: Iterable[str] | None,
    known_curves: Iterable[str],
    known_shapes: Iterable[str],
    *,
    missing_ok: bool = False,
) -> Config:
    """Read, merge and check the configuration; raise ConfigError listing every problem.

    path: the TOML file, or None for built-in defaults only. A missing file is an error
    unless `missing_ok` (used for the default location). overrides: 'section.key=value'
    strings, the value parsed as TOML where it parses, else taken as a bare string.
    known_curves / known_shapes: the names curves.playlist / curves.random_shapes may use.
    """
    errors: list[str] = []
    raw: dict[str, dict[str, tuple[Any, str]]] = {name: {} for name in SECTIONS}
    if path is not None:
        document = _read_toml(path, errors, missing_ok)
        if document is None and not errors:
            path = None  # the default file is absent: built-in defaults
        _merge_document(document or {}, raw, errors)
    for text in overrides or ():
        _merge_override(text, raw, errors)
    names = {"curves": tuple(known_curves), "shapes": tuple(known_shapes)}
    sections = {name: _build_section(name, raw[name], names, errors) for name in SECTIONS}
    errors.extend(control_problems(sections["web"]))  # keys that depend on each other
    errors.extend(mqtt_problems(sections["mqtt"]))
    if errors:
        raise ConfigError(errors)
    return Config(**sections, path=path)


def _read_toml(path: Path, errors: list[str], missing_ok: bool) -> dict[str, Any] | None:
    try:
        data = read_small_file(path)
    except FileError as exc:
        if not (exc.missing and missing_ok):
            errors.append(f"{escaped(path, 200)}: {exc}")
        return None
    try:
        return parse_toml(data)
    except TomlError as exc:
        said = f"TOML syntax error: {exc}" if exc.kind == "syntax" else str(exc)
        errors.append(f"{escaped(path, 200)}: {said}")
    return None


def _merge_document(
    document: dict[str, Any], raw: dict[str, dict[str, tuple[Any, str]]], errors: list[str]
) -> None:
    for section, table in document.items():
        if section not in SECTIONS:
            errors.append(_unknown_section(section))
        elif not isinstance(table, dict):
            name = escaped(section)
            errors.append(f"{name}: must be a table ([{name}]), not {toml_type_name(table)}")
        else:
            for name, value in table.items():
                _set_raw(raw, section, name, value, "", errors)


def _merge_override(
    text: str, raw: dict[str, dict[str, tuple[Any, str]]], errors: list[str]
) -> None:
    origin = f" [--set {escaped(text)}]"
    dotted, equals, value_text = text.partition("=")
    section, dot, name = dotted.strip().partition(".")
    if section in SECTIONS and any(
        spec.secret and spec.name == name.strip() for spec in section_keys(section)
    ):
        origin = f" [--set {escaped(dotted)}=...]"  # a secret is never shown
    if not equals:
        errors.append(f"--set {shown(text)}: missing '=' (expected section.key=value)")
    elif not dot or not section or not name or "." in name:
        suggestion = _suggest_dotted(dotted.strip())
        errors.append(f"--set {shown(text)}: expected section.key=value{suggestion}")
    elif section not in SECTIONS:
        errors.append(_unknown_section(section) + origin)
    else:
        kinds = {spec.name: spec.kind for spec in section_keys(section)}
        value = _parse_override_value(value_text, isinstance(kinds.get(name), _TEXT_KINDS))
        _set_raw(raw, section, name, value, origin, errors)


_TEXT_KINDS = (Text, OptionalText, Choice, SizeOr)


def _parse_override_value(text: str, wants_text: bool) -> Any:
    """The value of `--set key=text`: TOML when the text is a TOML value ('8080', 'true',
    '["random"]', '"quoted"'), else the bare text ('window', '0.0.0.0', '1920x1080').

    A key whose value is a string takes unquoted text as is even when it reads as another
    TOML type, so `--set camera.device=0` means the string "0".
    """
    if "\n" in text or "\r" in text:
        return text
    try:
        value = parse_toml(f"value = {text}".encode())["value"]
    except TomlError:
        return text.strip()
    return text.strip() if wants_text and not isinstance(value, str) else value


def _set_raw(
    raw: dict[str, dict[str, tuple[Any, str]]],
    section: str,
    name: str,
    value: Any,
    origin: str,
    errors: list[str],
) -> None:
    names = [spec.name for spec in section_keys(section)]
    if name in names:
        raw[section][name] = (value, origin)
        return
    hint = did_you_mean(name, names)
    if not hint:
        hint = f"; [{section}] has " + ", ".join(names)
    errors.append(f"{section}.{escaped(name)}: unknown key{hint}{origin}")


def _unknown_section(section: str) -> str:
    hint = did_you_mean(section, SECTIONS) or "; the sections are " + ", ".join(SECTIONS)
    return f"{escaped(section)}: unknown section{hint}"


def _suggest_dotted(name: str) -> str:
    """For a key given without its section ('port'), the dotted names it may mean."""
    dotted = [spec.dotted for spec in all_keys()]
    exact = [d for d in dotted if d.endswith("." + name)]
    return suggestion(exact) if exact else did_you_mean(name, dotted)


def _build_section(
    section: str,
    given: dict[str, tuple[Any, str]],
    names: Mapping[str, Collection[str]],
    errors: list[str],
) -> Any:
    values: dict[str, Any] = {}
    for spec in section_keys(section):
        # Defaults take the same path as given values, so a playlist default of [] is
        # expanded the same way and a default that breaks its own type is caught.
        value, origin = given.get(spec.name, (spec.kind.to_toml(spec.default), " [default]"))
        try:
            values[spec.name] = spec.kind.parse(value, names)
        except BadValueError as exc:
            errors.extend(f"{spec.dotted}: {message}{origin}" for message in exc.messages)
    return SECTIONS[section](**values)


def curve_vocabulary() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The preset and shape names the playlist and random_shapes may use."""
    from spirokiosk.display.curves import PRESETS, SHAPES  # numpy, only when needed

    return tuple(PRESETS), tuple(SHAPES)


def load_from_options(
    config: str | Path | None,
    overrides: Sequence[str] = (),
    vocabulary: tuple[Iterable[str], Iterable[str]] | None = None,
) -> Config:
    """The config named by --config / $SPIROKIOSK_CONFIG / the default path, with --set.

    What every command (and a reload) reads. Raises ConfigError listing every problem.
    The default path may be absent (built-in defaults, `config.path` is None); a path
    given explicitly must exist.
    """
    path, explicit = resolve_config_path(config)
    presets, shapes = vocabulary if vocabulary is not None else curve_vocabulary()
    return load_config(path, overrides, presets, shapes, missing_ok=not explicit)


def describe_source(config_option: str | Path | None, config: Config) -> str:
    """'/etc/spirokiosk/config.toml', or 'built-in defaults: no /etc/...' when absent."""
    if config.path is not None:
        return config.source
    path, _ = resolve_config_path(config_option)
    return f"{config.source}: no {path}"
