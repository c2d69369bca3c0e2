"""Exports in a running kiosk: the [export] settings reach the web (a full queue is 429),
a PNG comes back with its recipe, and stopping the kiosk kills a worker mid-render."""

import io
import json
import os
from pathlib import Path

from PIL import Image
from support import free_port, http_get, http_request, wait_until
from support.daemon import headless_kiosk, stop_kiosk

from spirokiosk.display.curves import PRESETS
from spirokiosk.display.export.recipe import RECIPE_KEY, curve_from_recipe

JSON = {"Content-Type": "application/json"}
LONG = {"curve": {"preset": "seed-magma-11"}, "format": "mp4", "size": 1080, "frames": 1800}


def post(port: int, body: dict) -> tuple[int, dict, dict]:
    status, headers, data = http_request(
        port, "POST", "/api/export", body=json.dumps(body), headers=JSON
    )
    return status, headers, json.loads(data)


def children(pid: int) -> set[int]:
    """The processes `pid` started (any of its threads), from /proc."""
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found.update(int(p) for p in text.split())
    return found


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_exports_in_a_kiosk_follow_its_config_and_stop_with_it(tmp_path):
    port = free_port()
    kiosk = headless_kiosk(tmp_path, port, tmp_path / "state", "export.queue=0")
    try:
        body = {"curve": {"preset": "seed-magma-11"}, "format": "png", "size": 64}
        status, _, answer = post(port, body)
        assert status == 202

        def done() -> bool:
            _, _, data = http_get(port, answer["status_url"])
            answer.update(json.loads(data))
            return answer["state"] == "done"

        wait_until(done, timeout=60, interval=0.05)
        code, headers, data = http_get(port, answer["url"])
        assert code == 200 and headers["Content-Type"] == "image/png"
        with Image.open(io.BytesIO(data)) as image:
            assert curve_from_recipe(image.text[RECIPE_KEY]) == PRESETS["seed-magma-11"]

        before = children(kiosk.proc.pid)
        status, _, running = post(port, LONG)
        assert status == 202
        status, headers, refused = post(port, LONG)  # export.queue = 0: no waiting room
        assert status == 429 and "export.queue = 0" in refused["error"]
        assert int(headers["Retry-After"]) > 0
        wait_until(lambda: children(kiosk.proc.pid) - before, timeout=10)
        (worker,) = children(kiosk.proc.pid) - before
        wait_until(
            lambda: json.loads(http_get(port, running["status_url"])[2])["progress"] > 0,
            timeout=60,
        )
    finally:
        stop_kiosk(kiosk)
    assert gone(worker)
