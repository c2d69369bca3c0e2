"""Whatever a config file or a curve file holds, loading it gives a config (or a curve) or
errors naming what is wrong, one line each: never another exception, never a traceback.

Property-based (hypothesis): TOML documents built from the real section and key names
with values of every TOML type, and raw text that is mostly not TOML at all.
"""

import math

import tomli_w
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from spirokiosk.daemon.commands.curve_spec import UsageError, curve_from_file
from spirokiosk.daemon.config import ConfigError, load_config
from spirokiosk.daemon.config.schema import SECTIONS, all_keys
from spirokiosk.display.curves import PRESETS, SHAPES

KEYS = {
    section: [spec.name for spec in all_keys() if spec.section == section] for section in SECTIONS
}
CURVE_KEYS = ["name", "wheels", "freqs", "widths", "heights", "shape", "colour_map",
              "background_map", "line_width", "k_fold", "congruency", "description"]  # fmt: skip

toml_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-(10**300), max_value=10**300),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["fullscreen", "auto", "1920x1080", "0.0.0.0", "random", "\x00", "x" * 300]),
    st.sampled_from(list(PRESETS) + list(SHAPES)),
    st.datetimes(),
    st.dates(),
    st.times(),
)
toml_values = st.recursive(
    toml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)


@st.composite
def config_documents(draw):
    document = {}
    for section in draw(st.lists(st.sampled_from([*SECTIONS, "extra"]), max_size=5, unique=True)):
        names = KEYS.get(section, ["key"])
        keys = draw(st.lists(st.one_of(st.sampled_from(names), st.text(max_size=8)), max_size=5))
        document[section] = {key: draw(toml_values) for key in keys}
    if draw(st.booleans()):
        document[draw(st.text(max_size=8))] = draw(toml_values)  # not a table at all
    return document


def toml_text(document) -> str:
    return tomli_w.dumps(document)


def check_config(tmp_path, data: bytes, overrides=()):
    path = tmp_path / "config.toml"
    path.write_bytes(data)
    try:
        load_config(path, list(overrides), PRESETS, SHAPES)
    except ConfigError as exc:
        assert exc.errors
        for line in exc.errors:
            assert "\n" not in line and len(line) < 2000, line


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(document=config_documents())
def test_any_toml_config_loads_or_lists_its_errors(tmp_path_factory, document):
    check_config(tmp_path_factory.mktemp("c"), toml_text(document).encode())


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
def test_any_bytes_as_a_config_give_errors_not_exceptions(tmp_path_factory, data):
    check_config(tmp_path_factory.mktemp("c"), data)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    overrides=st.lists(
        st.builds(
            lambda key, value: f"{key}={value}",
            st.one_of(st.sampled_from([spec.dotted for spec in all_keys()]), st.text(max_size=10)),
            st.text(max_size=30),
        ),
        max_size=4,
    )
)
def test_any_set_override_loads_or_lists_its_errors(tmp_path_factory, overrides):
    check_config(tmp_path_factory.mktemp("c"), b"", overrides)


@st.composite
def curve_documents(draw):
    keys = draw(st.lists(st.sampled_from(CURVE_KEYS), max_size=6, unique=True))
    document = {key: draw(toml_values) for key in keys}
    if draw(st.booleans()):
        document = {draw(st.text(min_size=1, max_size=6)): document}
    return document


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(document=curve_documents())
@example(document={"name": {"\n": False}})  # an unknown key with a newline: once two lines
def test_any_curve_file_gives_a_curve_or_one_usage_error(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("c") / "curve.toml"
    path.write_text(toml_text(document), encoding="utf-8")
    try:
        curve = curve_from_file(str(path))
    except UsageError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 2000
    else:
        assert all(math.isfinite(abs(w.width)) for w in curve.wheels)
