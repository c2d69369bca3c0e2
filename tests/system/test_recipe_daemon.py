"""Recipes in a running kiosk: its own snapshot, dropped back on its studio, opens the
curve that was on screen; the upload limit is the config's, for POST /api/recipe only."""

import io
import json

from PIL import Image
from support import free_port, http_get, http_request
from support.daemon import headless_kiosk, stop_kiosk
from support.recipe_files import padded_png, png_with_recipe

from spirokiosk.display.curves import PRESETS, Curve
from spirokiosk.display.export.recipe import curve_from_recipe

ON_SCREEN = PRESETS["seed-magma-11"]


def post(port: int, path: str, body: bytes, content_type: str) -> tuple[int, dict]:
    status, _, answer = http_request(
        port, "POST", path, body=body, headers={"Content-Type": content_type}, timeout=20
    )
    return status, json.loads(answer)


def test_a_snapshot_dropped_back_opens_the_curve_on_screen(tmp_path):
    port = free_port()
    upload_limit = "[web]\nmax_upload_bytes = 2097152\n"  # 2 MiB
    kiosk = headless_kiosk(tmp_path, port, tmp_path / "state", config_text=upload_limit)
    try:
        status, _, jpeg = http_get(port, "/snapshot.jpg")
        assert status == 200
        with Image.open(io.BytesIO(jpeg)) as image:
            assert curve_from_recipe(image.info["comment"]) == ON_SCREEN
        code, answer = post(port, "/api/recipe?name=snap.jpg", jpeg, "image/jpeg")
        assert code == 200 and Curve.from_dict(answer["curve"]) == ON_SCREEN

        # A file past web.max_body_bytes and within web.max_upload_bytes is read here...
        other = PRESETS["gears-96-52"]
        code, answer = post(
            port, "/api/recipe", padded_png(png_with_recipe(other), 1 << 20), "image/png"
        )
        assert code == 200 and Curve.from_dict(answer["curve"]) == other
        # ... and one past web.max_upload_bytes is refused, naming the limit.
        too_big = padded_png(png_with_recipe(other), 3 << 20)
        status, _, answer = http_request(
            port,
            "POST",
            "/api/recipe",
            body=too_big[:100],  # the head says 3 MiB: answered before the rest is sent
            headers={"Content-Type": "image/png", "Content-Length": str(len(too_big))},
        )
        assert status == 413
        assert json.loads(answer)["errors"] == ["file: larger than 2 MiB"]
    except BaseException:
        kiosk.close()
        raise
    stop_kiosk(kiosk)
