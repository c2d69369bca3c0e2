"""The gallery's SQLite store: history, hearts, favourites, trimming, bad files."""

import logging
import os
import sqlite3

import pytest

from spirokiosk.daemon.state.opening import FILENAME, open_gallery, state_directory
from spirokiosk.daemon.state.store import FAVOURITES, GalleryError, GalleryStore
from spirokiosk.display.curves import PRESETS

CURVE = PRESETS["seed-magma-11"].to_dict()


@pytest.fixture
def store(tmp_path):
    s = open_gallery(tmp_path, history_limit=5)
    yield s
    s.close()


def test_a_fresh_gallery_is_wal_full_and_versioned(store):
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    db.close()


def test_recorded_entries_come_back_newest_first(store):
    first = store.record(CURVE, "one", "preset", "seed-magma-11")
    second = store.record(CURVE, "two", "random", "seed 7")
    entries = store.entries()
    assert [e["id"] for e in entries] == [second, first]
    assert entries[0]["name"] == "two" and entries[0]["source"] == "random"
    assert entries[1]["curve"] == CURVE
    assert entries[1]["detail"] == "seed-magma-11"
    assert entries[0]["hearts"] == 0 and entries[0]["favourite"] is False
    assert entries[0]["drawn_at"].endswith("+00:00")
    assert [e["id"] for e in store.entries(before=second)] == [first]


def test_hearts_make_favourites_and_count(store):
    entry_id = store.record(CURVE, "one", "preset")
    store.record(CURVE, "two", "preset")
    assert store.heart(entry_id)["hearts"] == 1
    assert store.heart(entry_id)["hearts"] == 2
    favourites = store.entries(FAVOURITES)
    assert [e["id"] for e in favourites] == [entry_id]
    assert favourites[0]["favourite"] is True
    assert store.heart(9999) is None
    assert store.unfavourite(entry_id)["hearts"] == 0
    assert store.entries(FAVOURITES) == []


def test_history_is_bounded_but_favourites_stay(store):
    kept = store.record(CURVE, "hearted", "preset")
    store.heart(kept)
    ids = [store.record(CURVE, f"c{i}", "random") for i in range(8)]
    history = [e["id"] for e in store.entries(limit=100)]
    assert history == [*reversed(ids[-5:]), kept]  # 5 without hearts, and the favourite
    assert store.count() == 6


def test_ids_are_never_reused_after_trimming(store):
    ids = [store.record(CURVE, f"c{i}", "random") for i in range(8)]
    assert store.entry(ids[0]) is None
    assert store.record(CURVE, "new", "random") == ids[-1] + 1


def test_next_favourite_goes_round(store):
    a = store.record(CURVE, "a", "preset")
    store.record(CURVE, "b", "preset")
    c = store.record(CURVE, "c", "preset")
    assert store.next_favourite(0) is None
    store.heart(a)
    store.heart(c)
    assert store.next_favourite(0)["id"] == a
    assert store.next_favourite(a)["id"] == c
    assert store.next_favourite(c)["id"] == a


def test_the_gallery_survives_closing_and_opening(tmp_path):
    store = open_gallery(tmp_path, 10)
    entry_id = store.record(CURVE, "one", "request", "127.0.0.1")
    store.heart(entry_id)
    store.close()
    again = open_gallery(tmp_path, 10)
    assert again.entry(entry_id)["hearts"] == 1
    again.close()


def test_a_garbage_file_is_set_aside_and_a_fresh_gallery_starts(tmp_path, caplog):
    garbage = os.urandom(4096)
    (tmp_path / FILENAME).write_bytes(garbage)
    with caplog.at_level(logging.WARNING):
        store = open_gallery(tmp_path, 10)
    assert store is not None and store.entries() == []
    aside = list(tmp_path.glob(f"{FILENAME}.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == garbage
    assert "moved aside" in caplog.text
    store.close()


def test_a_damaged_page_is_caught_by_quick_check(tmp_path):
    store = open_gallery(tmp_path, 1000)
    for i in range(300):
        store.record(CURVE, f"c{i}", "random")
    store.close()
    path = tmp_path / FILENAME
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    data[2 * page : 4 * page] = b"\xff" * (2 * page)  # table pages overwritten
    path.write_bytes(bytes(data))
    store = open_gallery(tmp_path, 1000)
    assert store is not None and store.count() == 0
    assert list(tmp_path.glob(f"{FILENAME}.corrupt-*"))
    store.close()


def test_an_unwritable_directory_means_no_gallery_not_a_crash(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with caplog.at_level(logging.WARNING):
        assert open_gallery(blocker / "state", 10) is None
    assert "gallery off" in caplog.text


def test_a_newer_schema_is_left_alone(tmp_path):
    db = sqlite3.connect(tmp_path / FILENAME)
    db.execute("PRAGMA user_version = 7")
    db.close()
    assert open_gallery(tmp_path, 10) is None
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_a_full_disk_is_a_gallery_error_logged_once(tmp_path, caplog):
    store = GalleryStore(tmp_path / FILENAME, 10)
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")  # SQLITE_FULL past this size
    big = {"wheels": [], "pad": "x" * 20000}
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            with pytest.raises(GalleryError, match="full"):
                store.record(big, "big", "random")
    assert caplog.text.count("disk full") == 1
    assert store.entries() == []  # reads still work
    store._db.execute("PRAGMA max_page_count = 100000")  # room again: writes go on
    entry_id = store.record(big, "big", "random")
    assert store.heart(entry_id)["hearts"] == 1
    store.close()


def test_state_directory_auto():
    assert str(state_directory("auto", {"STATE_DIRECTORY": "/var/lib/spirokiosk"})) == (
        "/var/lib/spirokiosk"
    )
    assert str(state_directory("auto", {"XDG_STATE_HOME": "/x/state", "HOME": "/h"})) == (
        "/x/state/spirokiosk"
    )
    assert str(state_directory("auto", {"XDG_STATE_HOME": "rel", "HOME": "/h"})) == (
        "/h/.local/state/spirokiosk"
    )
    assert str(state_directory("/srv/kiosk", {})) == "/srv/kiosk"
