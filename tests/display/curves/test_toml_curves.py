"""TOML curve documents (display/curves/toml_curves.py): parsed once with every parser
failure a TomlError in a few words, and the curve picked by the rule `spirokiosk render
--curve` and the studio's file drop share."""

import pytest

from spirokiosk.display.curves.toml_curves import (
    CurveTableError,
    TomlError,
    parse_toml,
    pick_curve_table,
)

DEEP = 3000  # past the interpreter's recursion limit (1000) whatever calls the parser
CURVE = {"freqs": [1, 5], "widths": ["1", "0.5"]}


def test_text_and_utf8_bytes_parse_alike():
    text = 'name = "été"\nfreqs = [1, 5]\n'
    assert parse_toml(text) == parse_toml(text.encode()) == {"name": "été", "freqs": [1, 5]}


@pytest.mark.parametrize(
    ("data", "message", "syntax"),
    [
        (b"freqs = = 1\n", "Invalid value (at line 1, column 9)", True),
        (b"name = '\xff'\n", "not UTF-8 text (byte 8: invalid start byte)", True),
        ("freqs = " + "[" * DEEP + "]" * DEEP, "arrays or tables nested too deeply", False),
        ("a = " + "{b = " * DEEP + "1" + "}" * DEEP, "arrays or tables nested too deeply", False),
        ("[a]\nfreqs = " + "[" * DEEP + "]" * DEEP, "arrays or tables nested too deeply", False),
        ("freqs = [1, " + "9" * 5000 + "]", "a number with too many digits", False),
    ],
    ids=["syntax", "not-utf8", "deep-arrays", "deep-inline-tables", "deep-in-a-table", "digits"],
)
def test_every_parser_failure_is_a_toml_error(data, message, syntax):
    with pytest.raises(TomlError) as caught:
        parse_toml(data)
    assert str(caught.value) == message
    assert caught.value.syntax is syntax


def test_a_document_with_the_wheels_at_its_top_is_the_curve():
    assert pick_curve_table(CURVE) == ("", CURVE)
    with_table = {**CURVE, "notes": {"by": "me"}}  # a table beside them changes nothing
    assert pick_curve_table(with_table) == ("", with_table)
    assert pick_curve_table({"name": "x"}) == ("", {"name": "x"})  # no table: its own errors


def test_a_lone_table_is_the_curve_and_names_it():
    assert pick_curve_table({"gold": CURVE}) == ("gold", CURVE)


def test_a_table_asked_for_by_name():
    document = {"a": CURVE, "b": {"freqs": [1, 4]}}
    assert pick_curve_table(document, "b") == ("b", {"freqs": [1, 4]})
    with pytest.raises(CurveTableError) as caught:
        pick_curve_table(document, "c")
    assert (caught.value.wanted, caught.value.tables) == ("c", ["a", "b"])
    assert str(caught.value) == "no table [c] (a, b)"


def test_several_curves_are_listed_not_guessed():
    for document in ({"a": CURVE, "b": CURVE}, {"a": CURVE, "scale": 2}):
        with pytest.raises(CurveTableError) as caught:
            pick_curve_table(document)
        assert caught.value.wanted == ""
    many = {f"t{i}": CURVE for i in range(7)}
    many["x" * 70 + "\n"] = CURVE
    with pytest.raises(CurveTableError) as caught:
        pick_curve_table(many)
    assert str(caught.value) == "8 curves (t0, t1, t2, t3, t4, ...)"
    assert len(caught.value.tables) == 8
    cut = CurveTableError("", ["x" * 70 + "\n"]).listed(40)
    assert cut == "x" * 37 + "..."  # escaped and cut: one line, bounded
