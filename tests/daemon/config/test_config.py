"""The config schema, loader, dumper and the shipped file (the commands that show it are
tested in tests/daemon/commands/test_config_commands.py)."""

import dataclasses
import os
import re
import tomllib
from pathlib import Path

import pytest
from support import REPO

from spirokiosk.daemon.config import (
    DEFAULT_PATH,
    Config,
    ConfigError,
    changed_keys,
    config_reference_markdown,
    documents,
    dump_config,
    load_config,
    render_default_config_toml,
    resolve_config_path,
)
from spirokiosk.daemon.config.schema import SECTIONS, all_keys
from spirokiosk.display.sizes import Size

SHIPPED = REPO / "deploy" / "config.toml"
CURVES = ("seed-magma-11", "seed-rhombus-8", "gears-96-52")
SHAPES = ("circle", "ellipse", "square", "rhombus", "tetracuspid")


def load(path=None, overrides=(), **kwargs):
    shapes = kwargs.pop("known_shapes", SHAPES)
    return load_config(path, list(overrides), CURVES, shapes, **kwargs)


def write(tmp_path, text, name="config.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(*args, **kwargs):
    with pytest.raises(ConfigError) as caught:
        load(*args, **kwargs)
    return caught.value.errors


def only_error(*args, **kwargs):
    errors = errors_of(*args, **kwargs)
    assert len(errors) == 1, errors
    return errors[0]


# Defaults and where the config comes from


def test_built_in_defaults_are_the_documented_ones():
    config = load()
    assert config.path is None
    assert config.source == "built-in defaults"
    assert config.display.mode == "fullscreen"
    assert config.display.size == "auto"
    assert config.display.fps == 60
    assert config.display.fallback_headless is True
    assert config.camera.source == "none"
    assert config.camera.mode == "overlay"
    assert (config.web.enabled, config.web.bind, config.web.port) == (True, "0.0.0.0", 8000)
    assert config.web.max_viewers == 10
    assert (config.web.stream_fps, config.web.stream_quality) == (30, 80)
    assert config.web.stream_size == "auto"
    assert config.curves.random_shapes == ("circle",)


def test_empty_playlist_means_every_preset_then_random_in_order():
    assert load().curves.playlist == (*CURVES, "random")
    names = ("b", "a")
    assert load_config(None, [], names, SHAPES).curves.playlist == ("b", "a", "random")


def test_explicit_playlist_is_kept_as_written_with_repeats():
    config = load(overrides=['curves.playlist=["random", "gears-96-52", "random"]'])
    assert config.curves.playlist == ("random", "gears-96-52", "random")


def test_missing_default_file_means_defaults(tmp_path):
    config = load(tmp_path / "absent.toml", missing_ok=True)
    assert config.path is None
    assert config.source == "built-in defaults"
    assert config == load()


def test_missing_explicit_file_is_an_error(tmp_path):
    missing = tmp_path / "absent.toml"
    assert only_error(missing) == f"{missing}: no such file"


def test_config_file_path_is_recorded(tmp_path):
    path = write(tmp_path, "[web]\nport = 9000\n")
    config = load(path)
    assert config.path == path
    assert config.source == str(path)


def test_resolve_config_path_order():
    assert resolve_config_path("/x.toml", {}) == (Path("/x.toml"), True)
    assert resolve_config_path(None, {"SPIROKIOSK_CONFIG": "/y.toml"}) == (Path("/y.toml"), True)
    assert resolve_config_path("/x.toml", {"SPIROKIOSK_CONFIG": "/y.toml"})[0] == Path("/x.toml")
    assert resolve_config_path(None, {}) == (DEFAULT_PATH, False)
    assert resolve_config_path(None, {"SPIROKIOSK_CONFIG": ""}) == (DEFAULT_PATH, False)
    assert Path("/etc/spirokiosk/config.toml") == DEFAULT_PATH


def test_config_is_immutable_and_comparable():
    config = load()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.web.port = 1
    assert hash(config) == hash(load())
    assert load(overrides=["web.port=1"]) != config


# Precedence and --set values


def test_precedence_defaults_then_file_then_set(tmp_path):
    path = write(tmp_path, '[web]\nport = 9000\nbind = "127.0.0.1"\n[display]\nmode = "window"\n')
    config = load(path, ["web.port=8080", "web.port=8081"])
    assert config.web.port == 8081  # the last --set wins over the file
    assert config.web.bind == "127.0.0.1"  # the file wins over the default
    assert config.display.mode == "window"
    assert config.web.max_viewers == 10  # untouched: the default


@pytest.mark.parametrize(
    ("override", "section", "key", "expected"),
    [
        ("web.port=8080", "web", "port", 8080),
        ("web.enabled=false", "web", "enabled", False),
        ("display.mode=window", "display", "mode", "window"),
        ('display.mode="headless"', "display", "mode", "headless"),
        ("web.bind=0.0.0.0", "web", "bind", "0.0.0.0"),
        ("web.bind=::", "web", "bind", "::"),
        ("display.size=1920x1080", "display", "size", Size(1920, 1080)),
        ("web.stream_size=640X360", "web", "stream_size", Size(640, 360)),
        ('curves.playlist=["random"]', "curves", "playlist", ("random",)),
        ("curves.hold_seconds=3", "curves", "hold_seconds", 3.0),
        ("camera.overlay_opacity=0.5", "camera", "overlay_opacity", 0.5),
        ("camera.device=/dev/video2", "camera", "device", "/dev/video2"),
        ("camera.device=0", "camera", "device", "0"),  # a string key takes the text as is
        (" web.port = 8080 ", "web", "port", 8080),
    ],
)
def test_set_values_are_toml_or_bare_strings(override, section, key, expected):
    value = getattr(getattr(load(overrides=[override]), section), key)
    assert value == expected
    assert type(value) is type(expected)


def test_sizes_are_typed():
    size = load(overrides=["display.size=800x600"]).display.size
    assert (size.width, size.height) == (800, 600)
    assert str(size) == "800x600"


# Errors, one kind at a time


def test_toml_syntax_error_names_the_file_and_line(tmp_path):
    path = write(tmp_path, "[web]\nport = 80\n[display\n")
    error = only_error(path)
    assert error.startswith(f"{path}: TOML syntax error")
    assert "line 3" in error


def test_file_that_is_not_utf8_is_an_error(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"[web]\nbind = '\xff'\n")
    assert "not UTF-8" in only_error(path)


def test_a_path_that_is_no_regular_file_is_one_error(tmp_path):
    assert only_error(tmp_path) == f"{tmp_path}: a directory, not a regular file"
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)  # nobody writes to it: reading would wait forever
    assert only_error(fifo) == f"{fifo}: a named pipe, not a regular file"
    assert only_error(Path("/dev/zero")) == "/dev/zero: a character device, not a regular file"


def test_a_file_over_a_mebibyte_is_refused_unread(tmp_path):
    path = write(tmp_path, "# " + "x" * (1 << 20) + "\n")
    assert only_error(path) == f"{path}: larger than 1024 KiB; is it the right file?"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[web]\nport = " + "9" * 5000 + "\n", "a number with too many digits"),
        ("[web]\nport = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
        ("[web]\nport = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n", "nested too deeply"),
    ],
)
def test_numbers_and_nesting_the_parser_cannot_take_are_one_error(tmp_path, text, problem):
    path = write(tmp_path, text)
    assert only_error(path).startswith(f"{path}: ") and problem in only_error(path)


def test_a_long_integer_is_shown_short(tmp_path):
    error = only_error(write(tmp_path, "[web]\nport = " + "9" * 4000 + "\n"))
    assert error.startswith("web.port: must be between 1 and 65535, not ") and len(error) < 200


@pytest.mark.parametrize(
    "override", ["web.port=" + "9" * 5000, "web.port=" + "[" * 3000 + "]" * 3000]
)
def test_overrides_the_parser_cannot_take_are_one_error(override):
    assert only_error(overrides=[override]).startswith("web.port: must be")


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[dispaly]\nmode = 'window'\n", "dispaly: unknown section (did you mean 'display'?)"),
        (
            "[frobnicate]\n",
            "frobnicate: unknown section; the sections are display, curves, camera, web, "
            "export, mqtt, schedule, state, discovery, logging",
        ),
        ("[web]\nprot = 8080\n", "web.prot: unknown key (did you mean 'port'?)"),
        ("[web.extra]\nx = 1\n", "web.extra: unknown key"),
        ("display = 3\n", "display: must be a table ([display]), not integer"),
        ("[display]\nfullscreen = true\n", "display.fullscreen: unknown key"),
    ],
)
def test_unknown_sections_and_keys(tmp_path, toml, expected):
    assert only_error(write(tmp_path, toml)).startswith(expected)


def test_unknown_key_without_a_close_match_lists_the_section_keys(tmp_path):
    error = only_error(write(tmp_path, "[logging]\nzzz = 1\n"))
    assert error == "logging.zzz: unknown key; [logging] has level, verbose"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("web.enabled = 'yes'", 'web.enabled: must be true or false, not string "yes"'),
        ("web.port = '8080'", 'web.port: must be an integer, not string "8080"'),
        ("web.port = 80.5", "web.port: must be an integer, not float 80.5"),
        ("web.port = true", "web.port: must be an integer, not boolean true"),
        ("web.port = 0", "web.port: must be between 1 and 65535, not 0"),
        ("web.port = 65536", "web.port: must be between 1 and 65535, not 65536"),
        ("web.stream_quality = 101", "web.stream_quality: must be between 1 and 100, not 101"),
        (
            "camera.overlay_opacity = 1.5",
            "camera.overlay_opacity: must be between 0 and 1, not 1.5",
        ),
        ("camera.overlay_opacity = -0.1", "camera.overlay_opacity: must be between 0 and 1"),
        ("curves.draw_seconds = nan", "curves.draw_seconds: must be a number, not float"),
        ("curves.draw_seconds = inf", "curves.draw_seconds: must be between 0.5 and 3600, not inf"),
        (
            "curves.hold_seconds = 'long'",
            'curves.hold_seconds: must be a number, not string "long"',
        ),
        ("web.bind = 80", "web.bind: must be an address such as 0.0.0.0, not integer 80"),
        ("web.bind = ' '", "web.bind: must be an IPv4 or IPv6 address or a host name"),
        ("web.bind = '999.1.1.1'", "web.bind: not an IPv4 address: Octet 999 (> 255)"),
        ("web.bind = '::12345'", "web.bind: not an IPv6 address"),
        ("web.bind = 'a\\u0000b'", "web.bind: must be an IPv4 or IPv6 address or a host name"),
        ("web.bind = 'my_host'", "web.bind: must be an IPv4 or IPv6 address or a host name"),
        ('camera.device = "/dev/video0\\n"', "camera.device: must be printable text on one line"),
        (
            "display.mode = 'fulscreen'",
            'display.mode: must be one of fullscreen, window, headless; not "fulscreen"'
            " (did you mean 'fullscreen'?)",
        ),
        (
            "logging.level = 'verbose'",
            'logging.level: must be one of debug, info, warning, error; not "verbose"',
        ),
        ("camera.source = 3", "camera.source: must be one of none, picamera2, v4l2, synthetic"),
        (
            "display.size = '1920'",
            'display.size: must be auto or WxH such as 1920x1080; not "1920"',
        ),
        ("display.size = '1920x'", "display.size: must be auto or WxH"),
        ("display.size = 'atuo'", "display.size: must be auto or WxH such as 1920x1080; not"),
        ("display.size = [640, 480]", "display.size: must be auto or WxH"),
        (
            "web.stream_size = '8x8'",
            "web.stream_size: width and height must be between 16 and 8192 pixels, not 8x8",
        ),
        ("web.stream_size = 'big'", "web.stream_size: must be auto, display or WxH"),
        ("curves.playlist = 'random'", "curves.playlist: must be an array of strings, not string"),
        ("curves.playlist = ['random', 3]", "curves.playlist: must be an array of strings"),
        (
            "curves.playlist = ['seed-magma-12']",
            "curves.playlist: unknown preset \"seed-magma-12\" (did you mean 'seed-magma-11'?)",
        ),
        ("curves.random_shapes = []", "curves.random_shapes: must name at least 1 shape"),
        (
            "curves.random_shapes = ['sqare']",
            "curves.random_shapes: unknown shape \"sqare\" (did you mean 'square'?)",
        ),
    ],
)
def test_bad_values(tmp_path, line, expected):
    dotted, _, value = line.partition(" = ")
    section, _, key = dotted.partition(".")
    path = write(tmp_path, f"[{section}]\n{key} = {value}\n")
    assert only_error(path).startswith(expected)


def test_did_you_mean_is_absent_when_nothing_is_close(tmp_path):
    error = only_error(write(tmp_path, "[display]\nsize = 'qqqq'\n"))
    assert "did you mean" not in error


def test_each_unknown_playlist_entry_is_its_own_error(tmp_path):
    path = write(tmp_path, "[curves]\nplaylist = ['gears-96-5', 'random', 'nothing-like-it']\n")
    errors = errors_of(path)
    assert errors == [
        "curves.playlist: unknown preset \"gears-96-5\" (did you mean 'gears-96-52'?)",
        'curves.playlist: unknown preset "nothing-like-it"',
    ]


def test_shapes_are_checked_against_the_given_names():
    assert load(overrides=['curves.random_shapes=["blob"]'], known_shapes=["blob"])
    with pytest.raises(ConfigError):
        load(overrides=['curves.random_shapes=["blob"]'])


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("web.port", "--set 'web.port': missing '=' (expected section.key=value)"),
        (
            "port=8080",
            "--set 'port=8080': expected section.key=value (did you mean "
            + "'web.port' or 'mqtt.port'?)",
        ),
        (
            "mode=window",
            "--set 'mode=window': expected section.key=value"
            " (did you mean 'display.mode', 'camera.mode' or 'schedule.mode'?)",
        ),
        ("web.port.x=1", "--set 'web.port.x=1': expected section.key=value"),
        ("web.=1", "--set 'web.=1': expected section.key=value"),
        ("=1", "--set '=1': expected section.key=value"),
        ("wbe.port=1", "wbe: unknown section (did you mean 'web'?) [--set wbe.port=1]"),
        ("web.prot=1", "web.prot: unknown key (did you mean 'port'?) [--set web.prot=1]"),
        ("web.port=0", "web.port: must be between 1 and 65535, not 0 [--set web.port=0]"),
        (
            "web.bind=",
            'web.bind: must be an IPv4 or IPv6 address or a host name, not "" [--set web.bind=]',
        ),
        ("curves.playlist=[random]", "curves.playlist: must be an array of strings, not string"),
    ],
)
def test_bad_overrides(override, expected):
    assert only_error(overrides=[override]).startswith(expected)


def test_every_error_is_listed_at_once(tmp_path):
    path = write(
        tmp_path,
        "[web]\nport = 0\nprot = 1\nstream_quality = 'high'\n"
        "[display]\nmode = 'kiosk'\n[extra]\n[curves]\nplaylist = ['nope']\n",
    )
    with pytest.raises(ConfigError) as caught:
        load(path, ["camera.source=usb", "oops", "logging.level=loud"])
    errors = caught.value.errors
    prefixes = [
        "web.prot: unknown key",
        "extra: unknown section",
        "--set 'oops': missing '='",
        "display.mode: must be one of",
        "curves.playlist: unknown preset",
        "camera.source: must be one of",
        "web.port: must be between",
        "web.stream_quality: must be an integer",
        "logging.level: must be one of",
    ]
    assert len(errors) == len(prefixes), errors
    for prefix in prefixes:
        assert sum(error.startswith(prefix) for error in errors) == 1, (prefix, errors)
    assert str(caught.value).splitlines() == errors


def test_a_syntax_error_does_not_hide_bad_overrides(tmp_path):
    errors = errors_of(write(tmp_path, "[web\n"), ["web.port=x"])
    assert len(errors) == 2
    assert "TOML syntax error" in errors[0]
    assert errors[1].startswith("web.port: must be an integer")


def test_loading_twice_gives_equal_configs_and_no_shared_state(tmp_path):
    path = write(tmp_path, "[web]\nport = 9000\n")
    first = load(path)
    path.write_text("[web]\nport = 9001\n")
    second = load(path)
    assert (first.web.port, second.web.port) == (9000, 9001)
    assert changed_keys(first, second) == ["web.port"]
    assert changed_keys(first, first) == []


# Dumping


def test_dump_is_toml_with_every_key():
    data = tomllib.loads(dump_config(load()))
    assert set(data) == set(SECTIONS)
    for spec in all_keys():
        assert spec.name in data[spec.section], spec.dotted


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        [
            "display.size=1280x720",
            "web.stream_size=640x360",
            'curves.playlist=["random", "seed-rhombus-8"]',
            'curves.random_shapes=["square", "circle"]',
            "curves.fade_seconds=0",
            "camera.overlay_opacity=0.3",
            "web.port=9",
            "logging.verbose=true",
        ],
    ],
)
def test_dump_round_trips(tmp_path, overrides):
    config = load(overrides=overrides)
    path = write(tmp_path, dump_config(config))
    again = load(path)
    assert again == config
    assert dump_config(again).splitlines()[1:] == dump_config(config).splitlines()[1:]


def test_dump_masks_secrets(monkeypatch):
    real = documents.section_keys

    def with_secret_bind(section):
        return [dataclasses.replace(s, secret=s.dotted == "web.bind") for s in real(section)]

    monkeypatch.setattr(documents, "section_keys", with_secret_bind)
    text = dump_config(load(overrides=["web.bind=10.0.0.1"]))
    assert tomllib.loads(text)["web"]["bind"] == "********"
    assert "10.0.0.1" not in text


# The shipped deploy/config.toml and the README table


def test_shipped_config_is_the_generated_one():
    assert SHIPPED.read_text(encoding="utf-8") == render_default_config_toml()


def _uncommented(text):
    """The shipped file with every commented-out key (and array continuation) enabled."""
    return re.sub(r"^#(?=[a-z_]+ = |    \S|\])", "", text, flags=re.MULTILINE)


def test_shipped_config_uncommented_gives_exactly_the_defaults(tmp_path):
    text = _uncommented(SHIPPED.read_text(encoding="utf-8"))
    data = tomllib.loads(text)
    assert {section: set(keys) for section, keys in data.items()} == {
        section: {spec.name for spec in all_keys() if spec.section == section}
        for section in SECTIONS
    }
    assert load(write(tmp_path, text)) == load()


def test_shipped_config_as_is_loads_to_the_defaults():
    config = load(SHIPPED)
    assert config == load()
    assert config.path == SHIPPED


def test_shipped_config_documents_every_key():
    text = SHIPPED.read_text(encoding="utf-8")
    for spec in all_keys():
        assert f"#{spec.name} = " in text
    assert "check-config" in text
    assert "systemctl reload" in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_reference_markdown_has_a_row_per_key():
    rows = config_reference_markdown().splitlines()[2:]
    assert [row.split(" | ")[0] for row in rows] == [f"| `{s.dotted}`" for s in all_keys()]
    assert "| `web.port` | `8000` | integer 1 to 65535 |" in config_reference_markdown()
    assert '| `curves.random_shapes` | `["circle"]` |' in config_reference_markdown()


def test_every_key_has_a_description():
    for spec in all_keys():
        assert spec.doc and "\n" not in spec.doc, spec.dotted


def test_config_object_defaults_match_schema_defaults():
    config = Config()
    for spec in all_keys():
        assert getattr(getattr(config, spec.section), spec.name) == spec.default


def test_the_names_a_key_takes_are_the_parts_own():
    from spirokiosk.daemon.commands import run as run_command
    from spirokiosk.display import camera, draw, screen

    kinds = {spec.dotted: spec.kind for spec in all_keys()}
    assert kinds["display.mode"].options == screen.MODES
    assert kinds["camera.source"].options == ("none", *camera.SOURCES)
    assert kinds["camera.mode"].options == draw.CAMERA_MODES
    assert run_command.DISPLAY_MODES is screen.MODES


def test_restart_keys_are_declared_in_the_schema():
    from spirokiosk.daemon.config import restart_keys

    assert restart_keys() == {
        "display.mode",
        "display.size",
        "display.rotation",
        "display.fallback_headless",
        "web.enabled",
        "web.bind",
        "web.port",
        "web.write_timeout_seconds",
        "web.request_timeout_seconds",
        "web.max_header_bytes",
        "web.max_body_bytes",
        "web.max_upload_bytes",
        "web.max_connections_per_address",
        "web.spare_workers",
        *(spec.dotted for spec in all_keys() if spec.section == "mqtt"),
        *(spec.dotted for spec in all_keys() if spec.section == "export"),
        "state.dir",
        "state.history_limit",
    }
    assert {spec.dotted for spec in all_keys() if spec.restart} == restart_keys()


@pytest.mark.parametrize("bind", ["0.0.0.0", "127.0.0.1", "::", "::1", "kiosk", "kiosk.local."])
def test_addresses_and_host_names_are_fine(bind):
    assert load(overrides=[f"web.bind={bind}"]).web.bind == bind
