"""Shared test set-up: pygame runs headless, quietly."""

import os

import pytest

# Before anything imports pygame: no window, no sound card, no greeting.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


# The Flask app and its test client, as in Flask's tutorial. Imported inside the
# fixtures so that tests which never touch the web do not load Flask.


@pytest.fixture
def hub_settings():
    """The mirror's settings for `hub`; a test module may override this fixture."""
    from spirokiosk.web.settings import WebSettings

    return WebSettings(max_viewers=2)


@pytest.fixture
def hub(hub_settings):
    """A started frame hub."""
    from spirokiosk.web.hub import FrameHub

    h = FrameHub(hub_settings)
    h.start()
    yield h
    h.stop()


@pytest.fixture
def control():
    """A stand-in for the daemon's Control, showing seed-magma-11."""
    from spirokiosk.display.curves import PRESETS
    from spirokiosk.web.testing import StaticControl

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
