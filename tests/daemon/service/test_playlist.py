"""The playlist: presets and random curves in order, round and round."""

import pytest

from spirokiosk.daemon.service.playlist import Playlist, make_random_curve
from spirokiosk.display.curves import PRESETS

# -- the playlist -----------------------------------------------------------------------


def test_playlist_cycles_in_order():
    playlist = Playlist(["seed-magma-11", "gears-96-52"])
    names = [playlist().name for _ in range(5)]
    assert names == ["seed-magma-11", "gears-96-52"] * 2 + ["seed-magma-11"]


def test_random_entries_use_the_configured_shapes():
    asked = []

    def fake_random(shapes):
        asked.append(tuple(shapes))
        return PRESETS["gears-96-30"]

    playlist = Playlist(
        ["random", "seed-rhombus-8"], ("square", "rhombus"), make_random=fake_random
    )
    assert [playlist().name for _ in range(3)] == ["gears-96-30", "seed-rhombus-8", "gears-96-30"]
    assert asked == [("square", "rhombus")] * 2


def test_random_circle_curves_are_exactly_symmetric():
    curve = make_random_curve(("circle",))
    assert all(w.shape == "circle" and w.width == w.height for w in curve.wheels)
    other = make_random_curve(("square", "circle"))
    assert {w.shape for w in other.wheels} <= {"square", "circle"}


def test_playlist_update_restarts_a_changed_list_only():
    playlist = Playlist(["seed-magma-11", "gears-96-52", "gears-96-30"])
    playlist()
    playlist.update(["seed-magma-11", "gears-96-52", "gears-96-30"], ("circle",))
    assert playlist().name == "gears-96-52"  # same list: carries on
    playlist.update(["gears-105-63", "seed-magma-11"], ("circle",))
    assert playlist().name == "gears-105-63"  # new list: from its top


@pytest.mark.parametrize(
    ("names", "shapes", "message"),
    [
        ([], ("circle",), "at least one curve"),
        (["nope"], ("circle",), "nope"),
        (["random"], (), "shape"),
    ],
)
def test_playlist_refuses_what_it_cannot_play(names, shapes, message):
    with pytest.raises(ValueError, match=message):
        Playlist(names, shapes)
