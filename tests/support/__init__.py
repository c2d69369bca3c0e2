"""Small helpers shared by the tests (imported as `support`: pytest puts tests/, where the
root conftest.py is, on the path). The mirror and the MJPEG client are in `support.mirror`
and `support.mjpeg`."""

import http.client
import socket
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]  # the checkout
DATA = REPO / "tests" / "data"  # files the tests read (a copy of shared/seed-curves.toml)
SEED_CURVES = DATA / "seed-curves.toml"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float = 5.0, interval: float = 0.005) -> bool:
    """Poll `predicate` until it is true (returns True) or fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
    return True


def http_request(
    port: int, method: str, path: str, timeout: float = 5.0, **kwargs
) -> tuple[int, dict, bytes]:
    """`method` http://127.0.0.1:port/path: (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, **kwargs)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def http_get(port: int, path: str, timeout: float = 5.0) -> tuple[int, dict, bytes]:
    """GET http://127.0.0.1:port/path: (status, headers, body)."""
    return http_request(port, "GET", path, timeout)


class FakeClock:
    """A clock the test moves by hand: `clock.now += 0.5`."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


CAMERA_CHILD_PATH = Path(__file__).resolve().parent / "camera_child"


def plan_camera(monkeypatch, tmp_path, plans: list) -> Path:
    """Camera children started from now on run the synthetic camera as `plans` say (see
    support/camera_child/camera_plan_runner.py); returns the plan file, whose
    `.events` file the children write."""
    import json
    import os

    plan = tmp_path / "camera-plan.json"
    plan.write_text(json.dumps(plans))
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv(
        "PYTHONPATH", f"{CAMERA_CHILD_PATH}{os.pathsep}{path}" if path else str(CAMERA_CHILD_PATH)
    )
    monkeypatch.setenv("SPIROKIOSK_TEST_CAMERA_PLAN", str(plan))
    return plan


def camera_events(plan: Path) -> list[str]:
    events = plan.with_name(plan.name + ".events")
    return events.read_text().split("\n")[:-1] if events.exists() else []
