"""Curves recorded as they start, with where they came from; favourites in the playlist;
the render loop never waits for the disk."""

import threading

import pytest
from support import FakeClock, wait_until
from support.loop import build_loop

from spirokiosk.daemon.config import load_config
from spirokiosk.daemon.service.playlist import Playlist
from spirokiosk.daemon.state.recorder import CurveRecorder, Origin
from spirokiosk.display.curves import PRESETS, SHAPES

MAGMA = PRESETS["seed-magma-11"]
GEARS = PRESETS["gears-96-52"]


@pytest.fixture
def recorder(store):
    r = CurveRecorder(store)
    r.start()
    yield r
    r.stop()


def make_loop(store, recorder, playlist_names):
    config = load_config(
        None,
        [
            "display.mode=headless",
            "display.size=160x120",
            f"curves.playlist={playlist_names}",
            "curves.draw_seconds=1",
            "curves.hold_seconds=0.5",
            "curves.fade_seconds=0",
        ],
        PRESETS,
        SHAPES,
    )
    clock = FakeClock()
    playlist = Playlist(
        config.curves.playlist,
        config.curves.random_shapes,
        favourites=store.next_favourite,
        note=recorder.note,
    )
    loop = build_loop(config, clock=clock, playlist=playlist, recorder=recorder)
    return loop, clock


def run_ticks(loop, clock, count, step=0.02):
    for _ in range(count):
        clock.now += step
        loop.tick()


def sources(store):
    return [(e["name"], e["source"], e["detail"]) for e in reversed(store.entries(limit=100))]


def test_each_curve_is_recorded_once_as_it_starts_with_its_source(store, recorder):
    loop, clock = make_loop(store, recorder, '["seed-magma-11", "gears-96-52"]')
    loop.tick()
    run_ticks(loop, clock, 10)
    wait_until(lambda: store.count() == 1)
    assert loop.control.play_curve(MAGMA, "request", "10.0.0.9")  # the same preset object
    run_ticks(loop, clock, 80)  # past the 1.5 s cycle: the request plays
    assert loop.scene.curve.name == MAGMA.name
    run_ticks(loop, clock, 80)  # then the playlist goes on
    wait_until(lambda: store.count() == 3)
    assert sources(store) == [
        (MAGMA.name, "preset", MAGMA.name),
        (MAGMA.name, "request", "10.0.0.9"),
        (GEARS.name, "preset", GEARS.name),
    ]
    assert store.entries()[0]["curve"] == GEARS.to_dict()


def test_favourites_play_in_turn_and_are_skipped_when_there_are_none(store, recorder):
    loop, clock = make_loop(store, recorder, '["favourites", "gears-96-52"]')
    loop.tick()  # no favourite yet: the playlist's next entry
    assert loop.scene.curve.name == GEARS.name
    first = store.record(MAGMA.to_dict(), MAGMA.name, "preset")
    store.heart(first)
    run_ticks(loop, clock, 80)
    assert loop.scene.curve == MAGMA
    wait_until(lambda: any(e["source"] == "favourites" for e in store.entries()))
    assert ("seed-magma-11", "favourites", str(first)) in sources(store)


def test_a_playlist_of_only_favourites_without_any_still_draws():
    playlist = Playlist(["favourites"], favourites=lambda after: None)
    assert playlist().wheels  # a random curve all the same
    assert Playlist(["favourites"])().wheels  # no gallery at all


def test_a_stuck_disk_never_holds_the_render_loop(store, caplog):
    gate = threading.Event()
    recorder = CurveRecorder(store, max_pending=2)
    real_record = store.record

    def stuck_record(*args):
        gate.wait(10)
        return real_record(*args)

    store.record = stuck_record
    recorder.start()
    try:
        for name in ("gears-96-30", "gears-105-63", "gears-105-84", "gears-96-52", MAGMA.name):
            recorder.started(PRESETS[name])  # returns at once, whatever the disk does
        assert "too slow" in caplog.text
    finally:
        gate.set()
        recorder.stop(timeout=5)
    assert 1 <= store.count() <= 3  # one being written, two waiting; the rest dropped


def test_a_requested_curve_is_queued_as_its_own_copy(store):
    recorder = CurveRecorder(store)
    own = recorder.asked(MAGMA, Origin("gallery", "4"))
    assert own == MAGMA and own is not MAGMA


def test_the_playlist_may_name_favourites_but_the_default_does_not():
    config = load_config(None, ['curves.playlist=["favourites", "random"]'], PRESETS, SHAPES)
    assert config.curves.playlist == ("favourites", "random")
    assert "favourites" not in load_config(None, [], PRESETS, SHAPES).curves.playlist
