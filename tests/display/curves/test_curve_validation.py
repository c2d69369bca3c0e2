"""Curve.from_dict: every validation error names its field."""

import math

import pytest

from spirokiosk.display.curves import Curve, CurveError


def good(**changes) -> dict:
    data = {
        "name": "t",
        "wheels": [
            {"freq": 1, "width": "1", "height": "1", "shape": "circle"},
            {"freq": -3, "width": "0.5j", "height": "0.5j", "shape": "circle"},
        ],
        "colour_map": "magma",
        "background_map": "bone",
        "line_width": 4,
    }
    data.update(changes)
    return data


def wheel_change(index: int, **changes) -> dict:
    data = good()
    data["wheels"][index].update(changes)
    return data


def error_of(data) -> CurveError:
    with pytest.raises(CurveError) as caught:
        Curve.from_dict(data)
    assert isinstance(caught.value, ValueError)
    return caught.value


def test_good_data_builds_a_curve():
    curve = Curve.from_dict(good())
    assert [w.freq for w in curve.wheels] == [1, -3]
    assert curve.wheels[1].width == 0.5j


@pytest.mark.parametrize("freq", [0, 2.5, "3", True, None])
def test_bad_frequency(freq):
    err = error_of(wheel_change(1, freq=freq))
    assert str(err).startswith("wheels[1].freq: must be a non-zero integer")


def test_frequency_out_of_range():
    assert "wheels[0].freq: must be between" in str(error_of(wheel_change(0, freq=10**6)))


@pytest.mark.parametrize("value", ["abc", "1+", [1], {"re": 1}, None, True])
def test_non_numeric_size(value):
    err = error_of(wheel_change(0, width=value))
    assert str(err).startswith("wheels[0].width: ")
    assert "number" in str(err)


@pytest.mark.parametrize("value", [math.inf, -math.nan, "inf", "nanj", "1+infj"])
def test_non_finite_size(value):
    assert str(error_of(wheel_change(1, height=value))) == (
        f"wheels[1].height: must be finite, not {value!r}"
    )


def test_unknown_shape_with_suggestion():
    err = str(error_of(wheel_change(0, shape="sqaure")))
    assert err.startswith("wheels[0].shape: unknown shape 'sqaure' (did you mean 'square'?)")
    assert "circle, ellipse, square, rhombus, tetracuspid" in err


def test_too_many_wheels():
    wheels = [{"freq": i + 1, "width": 1} for i in range(33)]
    assert str(error_of(good(wheels=wheels))) == "wheels: too many wheels (33); at most 32"


def test_no_wheels():
    assert str(error_of(good(wheels=[]))).startswith("wheels: must be a non-empty list")
    data = good()
    del data["wheels"]
    assert str(error_of(data)).startswith("wheels: must be a non-empty list")


def test_zero_size_curve():
    data = good(wheels=[{"freq": 1, "width": 0}, {"freq": 2, "width": "0j"}])
    assert "the curve has no size" in str(error_of(data))


@pytest.mark.parametrize("key", ["colour_map", "background_map"])
def test_unknown_colour_map(key):
    err = str(error_of(good(**{key: "magmaa"})))
    assert err.startswith(f"{key}: unknown colour map 'magmaa' (did you mean 'magma'")


@pytest.mark.parametrize("width", [0, -1, 100, "4", math.nan])
def test_bad_line_width(width):
    assert str(error_of(good(line_width=width))).startswith("line_width: must be a number from")


def test_unknown_fields_with_suggestions():
    err = error_of(wheel_change(0, hieght="1") | {"colour": "magma"})
    assert "colour: unknown field (did you mean 'colour_map'?)" in err.errors
    data = wheel_change(0, hieght="1")
    assert "wheels[0].hieght: unknown field (did you mean 'height'?)" in error_of(data).errors


def test_every_error_is_reported_at_once():
    data = good(colour_map="nope", line_width=0)
    data["wheels"][0].update(freq=0, shape="blob")
    data["wheels"][1].update(width="x")
    fields = [e.split(":")[0] for e in error_of(data).errors]
    assert fields == [
        "wheels[0].freq",
        "wheels[0].shape",
        "wheels[1].width",
        "colour_map",
        "line_width",
    ]


def test_not_a_table():
    assert str(error_of([1, 2])).startswith("curve: must be a table")


def test_compact_form_as_in_the_seed_file():
    curve = Curve.from_dict(
        {"shape": "rhombus", "freqs": [3, -7], "widths": ["1", "0.5j"], "colour_map": "YlGnBu"}
    )
    assert [(w.freq, w.width, w.height, w.shape) for w in curve.wheels] == [
        (3, 1, 1, "rhombus"),
        (-7, 0.5j, 0.5j, "rhombus"),
    ]


def test_compact_form_with_no_wheels_is_an_error_not_a_crash():  # hypothesis found it
    assert "freqs: must list at least one wheel's frequency" in str(
        error_of({"freqs": [], "widths": []})
    )


def test_compact_form_length_mismatch():
    err = error_of({"freqs": [1, 2], "widths": ["1"]})
    assert "freqs, widths and heights must have the same length" in str(err)


def seed_tables() -> dict:
    import tomllib

    from support import SEED_CURVES

    return tomllib.loads(SEED_CURVES.read_text())


def test_the_seed_curves_file_loads_as_it_is():
    from spirokiosk.display.curves import PRESETS

    for name, table in seed_tables().items():
        curve = Curve.from_dict(table)
        assert curve.wheels == PRESETS[name].wheels
        assert curve.colour_map == PRESETS[name].colour_map


def test_k_fold_and_congruency_must_describe_the_frequencies():
    table = seed_tables()["seed-ellipse-6"]  # k_fold 3, congruency 2
    err = error_of({**table, "congruency": 1})
    assert err.errors == [
        "k_fold: wheels[0].freq = 2 is not 1 mod 3, so the curve is not 3-fold symmetric "
        "as k_fold and congruency say"
    ]
    assert str(error_of({**table, "k_fold": 1})).startswith("k_fold: must be an integer of at")
    assert str(error_of({**table, "congruency": "2"})).startswith("congruency: must be an int")


def test_the_published_figures_must_be_numbers():
    table = seed_tables()["seed-circle-9b"]
    assert str(error_of({**table, "points": "many"})) == "points: must be a number, not 'many'"
    # ...and they are the full form's unknown fields
    full = {**Curve.from_dict(table).to_dict(), "k_fold": 4}
    assert "k_fold: unknown field" in str(error_of(full))


@pytest.mark.parametrize(
    "wheels",
    [
        [{"freq": 1, "width": 1e-300}],  # once accepted and drawn as a dot
        [{"freq": 3, "width": "1e-200"}, {"freq": -2, "width": "1e-200j"}],
        [{"freq": 1, "width": 1}, {"freq": 1, "width": -1}],  # wheels that cancel out
    ],
)
def test_a_curve_that_is_a_dot_is_refused_naming_its_sizes(wheels):
    error = error_of({"wheels": wheels})
    assert error.errors[0].startswith("wheels: the curve is a dot: it spans ")


def test_a_small_curve_and_a_straight_line_are_fine():
    assert Curve.from_dict({"wheels": [{"freq": 1, "width": 1e-6}]}).extent() > 1e-6
    line = Curve.from_dict({"wheels": [{"freq": 1, "width": 1, "height": 0}]})
    assert line.extent() == pytest.approx(2.0, rel=1e-3)
