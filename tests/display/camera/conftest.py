"""What the camera process tests share: cameras on the synthetic source, stopped after."""

import pytest

from spirokiosk.display.camera.process.supervisor import CameraProcess, ChildSpec

SIZE = (64, 48)


@pytest.fixture
def cameras():
    """make(timeout=, backoff=, size=) -> a started CameraProcess on the synthetic camera;
    each is stopped (and must stop) at the end."""
    made = []

    def make(*, timeout=5.0, backoff=(0.01, 0.04), size=SIZE):
        camera = CameraProcess(
            ChildSpec("synthetic", size, "BGRX"), timeout=timeout, backoff=backoff
        )
        made.append(camera)
        camera.start()
        return camera

    yield make
    for camera in made:
        assert camera.stop(timeout=5.0)
