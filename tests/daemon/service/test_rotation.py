"""display.rotation and camera.rotation as the service applies them: the picture is laid
out for the turned screen and shown upright to the mirror and the status; the camera's
picture is turned to match."""

import pytest

from spirokiosk.daemon.config import ConfigError, load_config
from spirokiosk.daemon.service.parts import camera_settings
from spirokiosk.display.curves import PRESETS, SHAPES
from spirokiosk.display.screen.output import open_output


def config(*overrides):
    return load_config(None, list(overrides), PRESETS, SHAPES)


@pytest.mark.parametrize(
    ("rotation", "size"), [(0, (1920, 1080)), (90, (1080, 1920)), (180, (1920, 1080))]
)
def test_the_picture_is_laid_out_for_the_turned_screen(rotation, size):
    output = open_output("headless", (1920, 1080), rotation=rotation)
    assert output.size == size  # what the scene draws, the mirror streams, status shows


def test_the_camera_turns_with_the_screen_unless_told_otherwise():
    assert camera_settings(config("display.rotation=90")).turn == 270
    assert camera_settings(config("display.rotation=90", "camera.rotation=90")).turn == 0
    assert camera_settings(config("camera.rotation=180")).turn == 180
    assert camera_settings(config()).turn == 0


@pytest.mark.parametrize("key", ["display.rotation", "camera.rotation"])
def test_a_rotation_is_a_quarter_turn(key):
    with pytest.raises(ConfigError) as caught:
        config(f"{key}=45")
    assert caught.value.errors[0].startswith(
        f"{key}: must be one of 0, 90, 180, 270; not integer 45"
    )
    with pytest.raises(ConfigError):
        config(f'{key}="90"')
