"""Shared test set-up: pygame runs headless, quietly; tests under tests/system/ are
marked `system` (the slow end-to-end ones: `scripts/test -m "not system"` skips them)."""

import os
import tempfile
from pathlib import Path

import pytest

# Before anything imports pygame: no window, no sound card, no greeting.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


SYSTEM_TESTS = Path(__file__).resolve().parent / "system"


def pytest_configure(config):
    """Kiosks the tests start (they inherit this environment) keep their gallery
    (state.dir = auto: $XDG_STATE_HOME/spirokiosk) in a directory of this run, never in
    the home of whoever runs the tests. A test that needs its own passes state.dir."""
    if "XDG_STATE_HOME" not in os.environ and "STATE_DIRECTORY" not in os.environ:
        state = tempfile.TemporaryDirectory(prefix="spirokiosk-test-state-")
        config.add_cleanup(state.cleanup)
        os.environ["XDG_STATE_HOME"] = state.name
        config.add_cleanup(lambda: os.environ.pop("XDG_STATE_HOME", None))


def pytest_collection_modifyitems(items):
    for item in items:
        if SYSTEM_TESTS in item.path.parents:
            item.add_marker(pytest.mark.system)


# The Flask app and its test client, as in Flask's tutorial. Imported inside the
# fixtures so that tests which never touch the web do not load Flask.


@pytest.fixture
def stream_settings():
    """The settings of `hub`; a test module may override this fixture."""
    from spirokiosk.web.hub import StreamSettings

    return StreamSettings(max_viewers=2)


@pytest.fixture
def hub(stream_settings):
    """A started frame hub."""
    from spirokiosk.web.hub import FrameHub

    h = FrameHub(stream_settings)
    h.start()
    yield h
    h.stop()


@pytest.fixture
def control():
    """A stand-in for the daemon's Control, showing seed-magma-11."""
    from support.mirror import StaticControl

    from spirokiosk.display.curves import PRESETS

    c = StaticControl()
    c.data["curve"] = PRESETS["seed-magma-11"].to_dict()
    return c


@pytest.fixture
def app(hub, control):
    from spirokiosk.web.app import create_app

    return create_app(hub, control, snapshot_timeout=0.3)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def store(tmp_path):
    """A gallery (SQLite in tmp_path) keeping 100 curves of history; closed after."""
    from spirokiosk.daemon.state.opening import open_gallery

    gallery = open_gallery(tmp_path, 100)
    yield gallery
    gallery.close()
