"""The keys of being found: discovery.enabled, discovery.name, display.show_address;
their defaults and their errors as `section.key: message`."""

import pytest

from spirokiosk.daemon.config import ConfigError, load_config
from spirokiosk.display.curves import PRESETS, SHAPES


def load(text: str, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, [], PRESETS, SHAPES)


def only_error(text: str, tmp_path) -> str:
    with pytest.raises(ConfigError) as caught:
        load(text, tmp_path)
    assert len(caught.value.errors) == 1, caught.value.errors
    return caught.value.errors[0]


def test_defaults():
    config = load_config(None, [], PRESETS, SHAPES)
    assert config.discovery.enabled is True
    assert config.discovery.name == "spirokiosk on {hostname}"
    assert config.display.show_address == "auto"


def test_values_taken(tmp_path):
    config = load(
        '[discovery]\nenabled = false\nname = "Hall kiosk ({hostname}) é"\n'
        '[display]\nshow_address = "always"\n',
        tmp_path,
    )
    assert (config.discovery.enabled, config.discovery.name) == (False, "Hall kiosk ({hostname}) é")
    assert config.display.show_address == "always"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[discovery]\nenabled = 1\n", "discovery.enabled: must be true or false, not integer 1"),
        ('[discovery]\nname = ""\n', "discovery.name: must not be empty"),
        ('[discovery]\nname = "   "\n', "discovery.name: must not be empty"),
        ("[discovery]\nname = 7\n", "discovery.name: must be a string, not integer 7"),
        (
            '[discovery]\nname = "a\\tb"\n',
            'discovery.name: must be printable text on one line, not "a\\tb"',
        ),
        (
            f'[discovery]\nname = "{"x" * 64}"\n',
            "discovery.name: must be at most 63 bytes of UTF-8 (one DNS label), not 64",
        ),
        (
            f'[discovery]\nname = "{"é" * 32}"\n',  # 64 bytes in 32 characters
            "discovery.name: must be at most 63 bytes of UTF-8 (one DNS label), not 64",
        ),
        (
            '[display]\nshow_address = "alwas"\n',
            'display.show_address: must be one of auto, always, never; not "alwas" '
            "(did you mean 'always'?)",
        ),
        (
            "[display]\nshow_address = true\n",
            "display.show_address: must be one of auto, always, never; not boolean true",
        ),
        ("[discovery]\nnmae = 'x'\n", "discovery.nmae: unknown key (did you mean 'name'?)"),
    ],
)
def test_errors_name_the_key(tmp_path, text, expected):
    assert only_error(text, tmp_path) == expected


def test_the_host_name_does_not_count_against_the_limit(tmp_path):
    name = "x" * 53 + " {hostname}"  # 54 bytes and the name: cut to 63 when announced
    assert load(f'[discovery]\nname = "{name}"\n', tmp_path).discovery.name == name
