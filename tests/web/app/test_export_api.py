"""POST /api/export: real worker processes render each format; the files are decoded and
their recipes read back; limits, a full queue, cancel, abandon and the kept files.

Sizes and frame counts are small so each export takes about a second (most of it the
worker's start). MP4s are opened and probed with PyAV (the `video` extra), not ffprobe.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import subprocess
import urllib.error
import urllib.request

import av
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageSequence
from support import wait_until
from support.mirror import Mirror
from test_hostile_requests import json_values, likely_curves, numbers, scalars

from spirokiosk.display.curves import PRESETS, Curve, CurveError, random_curve
from spirokiosk.display.export.loop import FRAMINGS, loop_parts
from spirokiosk.display.export.recipe import RECIPE_KEY, curve_from_recipe
from spirokiosk.display.export.svg import PlotterPage, paper_size, plotter_svg
from spirokiosk.display.export.worker import WORKER_NICE
from spirokiosk.web.app import create_app
from spirokiosk.web.app.export import EXTENSION_KEY
from spirokiosk.web.app.export_jobs import ExportJobs, ExportSettings
from spirokiosk.web.app.export_requests import FORMATS, LIMITS, export_from_request

CURVE = PRESETS["seed-magma-11"]
RENDER_SECONDS = 60  # the longest a small export may take on a busy machine
# An export that takes far longer than any test waits for it: cancelled or killed unfinished.
LONG = {"curve": {"preset": "seed-magma-11"}, "format": "mp4", "size": 1080, "frames": 1800}


@pytest.fixture
def export_settings():
    return ExportSettings()


@pytest.fixture
def exports(export_settings):
    jobs = ExportJobs(export_settings)
    yield jobs
    jobs.close()


@pytest.fixture
def app(hub, control, exports):
    return create_app(hub, control, exports=exports)


def ask(client, body, status=202):
    response = client.post("/api/export", json=body)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def finished(client, answer) -> dict:
    """The export's status once it is over (the test's polling keeps it alive)."""
    seen = {}

    def over() -> bool:
        seen.update(client.get(answer["status_url"]).get_json())
        return seen["state"] not in ("queued", "running")

    wait_until(over, timeout=RENDER_SECONDS, interval=0.05)
    return seen


def exported(client, body) -> tuple[bytes, object]:
    """The file of a finished export, and the response that brought it."""
    status = finished(client, ask(client, body))
    assert status["state"] == "done", status
    assert status["progress"] == 1.0 and status["position"] == 0
    response = client.get(status["url"])
    assert response.status_code == 200
    assert status["bytes"] == len(response.data)
    return response.data, response


def test_png_has_its_size_type_name_and_recipe(client):
    curve = random_curve(seed=5)
    body = {"curve": {"random": True, "seed": 5}, "format": "png", "size": 96}
    data, response = exported(client, body)
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{curve.name}.png"'
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and image.size == (96, 96)
        back = curve_from_recipe(image.text[RECIPE_KEY])
    assert back == curve


def test_png_in_9_16_is_portrait(client):
    data, response = exported(
        client, {"curve": CURVE.to_dict(), "format": "png", "size": 72, "framing": "9:16"}
    )
    assert response.headers["Content-Disposition"].endswith('-9x16.png"')
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (72, 128)
        assert Curve.from_dict(json.loads(image.text[RECIPE_KEY])) == CURVE


def test_gif_loops_seamlessly_with_its_frames_and_recipe(client):
    body = {"curve": {"preset": "seed-magma-11"}, "format": "gif", "size": 64, "frames": 30}
    data, response = exported(client, body)
    assert response.headers["Content-Type"] == "image/gif"
    _, hold, _ = loop_parts(30)
    with Image.open(io.BytesIO(data)) as image:
        # Pillow stores a frame identical to the one before as a longer delay of that one
        # (GifImagePlugin._write_multiple_frames), so the held frames are one frame.
        assert image.size == (64, 64) and image.n_frames == 30 - (hold - 1) - 1
        assert image.info["loop"] == 0  # the NETSCAPE2.0 extension: loop for ever
        assert curve_from_recipe(image.info["comment"]) == CURVE
        shots, delays = [], []
        for frame in ImageSequence.Iterator(image):
            shots.append(np.asarray(frame.convert("RGB"), dtype=int))
            delays.append(frame.info["duration"])
    assert sum(delays) == 30 * 40  # 30 frames at 25 fps, the last not held longer
    steps = [np.abs(a - b).mean() for a, b in itertools.pairwise(shots)]
    wrap = np.abs(shots[-1] - shots[0]).mean()
    assert np.abs(shots[len(shots) * 2 // 3] - shots[0]).mean() > 3 * wrap  # a curve came
    assert wrap <= max(steps) + 0.5


def test_mp4_decodes_in_both_framings_with_its_recipe(client):
    for framing, size in (("square", (64, 64)), ("9:16", (64, 114))):
        body = {
            "curve": {"preset": "seed-magma-11"},
            "format": "mp4",
            "size": 64,
            "frames": 24,
            "fps": 24,
            "framing": framing,
        }
        data, response = exported(client, body)
        assert response.headers["Content-Type"] == "video/mp4"
        with av.open(io.BytesIO(data)) as container:
            stream = container.streams.video[0]
            assert (stream.codec_context.name, stream.width, stream.height) == ("h264", *size)
            assert stream.average_rate == 24
            assert curve_from_recipe(container.metadata["comment"]) == CURVE
            shots = [f.to_ndarray(format="rgb24").astype(int) for f in container.decode(stream)]
        assert len(shots) == 24
        steps = [np.abs(a - b).mean() for a, b in itertools.pairwise(shots)]
        assert np.abs(shots[-1] - shots[0]).mean() <= max(steps) + 1.0


def test_mp4_as_ffprobe_sees_it(client, tmp_path):
    """Debian's ffprobe (scripts/setup-env.sh installs ffmpeg), as a player would: H.264
    in an MP4 a browser plays (yuv420p), its size, frames, rate and the recipe."""
    body = {"curve": {"preset": "seed-magma-11"}, "format": "mp4", "size": 64, "frames": 24}
    body["fps"] = 24
    data, _ = exported(client, body)
    path = tmp_path / "export.mp4"
    path.write_bytes(data)
    probe = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-count_frames",
            "-show_streams",
            "-show_format",
            "-of",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    info = json.loads(probe.stdout)
    (stream,) = info["streams"]
    assert (stream["codec_name"], stream["pix_fmt"]) == ("h264", "yuv420p")
    assert (stream["width"], stream["height"], stream["r_frame_rate"]) == (64, 64, "24/1")
    assert int(stream["nb_read_frames"]) == 24
    assert "mp4" in info["format"]["format_name"]
    assert curve_from_recipe(info["format"]["tags"]["comment"]) == CURVE


def test_svg_is_the_plotter_writer_s_with_paper_and_pens(client):
    body = {"curve": {"preset": "seed-magma-11"}, "format": "svg", "paper": "a3", "pens": 3}
    data, response = exported(client, body)
    assert response.headers["Content-Type"].startswith("image/svg+xml")
    assert response.headers["Content-Disposition"] == 'attachment; filename="seed-magma-11.svg"'
    page = PlotterPage(paper=paper_size("a3"), pens=3)
    assert data.decode("utf-8") == plotter_svg(CURVE, page)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"curve": {"preset": "seed-magma-11"}, "format": "png", "size": 4097}, "size:"),
        ({"curve": {"preset": "seed-magma-11"}, "format": "gif", "size": 721}, "size:"),
        ({"curve": {"preset": "seed-magma-11"}, "format": "gif", "frames": 301}, "frames:"),
        ({"curve": {"preset": "seed-magma-11"}, "format": "mp4", "size": 1082}, "size:"),
        ({"curve": {"preset": "seed-magma-11"}, "format": "mp4", "size": 63}, "size:"),
        ({"curve": {"preset": "seed-magma-11"}, "format": "mp4", "frames": 1801}, "frames:"),
        ({"curve": {"preset": "seed-magma-11"}, "format": "mp4", "fps": 0}, "fps:"),
        ({"curve": {"preset": "seed-magma-11"}, "format": "png", "size": "big"}, "size:"),
        ({"curve": {"preset": "seed-magma-11"}, "format": "png", "frames": 3}, "frames:"),
        ({"curve": {"preset": "seed-magma-11"}, "format": "png", "framing": "4:3"}, "framing:"),
        ({"curve": {"preset": "seed-magma-11"}, "format": "tiff"}, "format:"),
        ({"curve": {"preset": "seed-magma-11"}}, "format:"),
        ({"format": "png"}, "curve:"),
        ({"curve": {"wheels": [{"freq": 0, "width": "1"}]}, "format": "png"}, "curve.wheels[0]"),
        ({"curve": {"preset": "nope"}, "format": "png"}, "curve.preset:"),
        ({"curve": [1, 2], "format": "png"}, "curve.body:"),
        ({"curve": {"preset": "seed-magma-11"}, "format": "svg", "paper": "b5"}, "paper:"),
        ({"curve": {"preset": "seed-magma-11"}, "format": "svg", "pens": 13}, "pens:"),
        ({"curve": {"preset": "seed-magma-11"}, "format": "svg", "size": 100}, "size:"),
        ({"curve": {"preset": "seed-magma-11"}, "format": "png", "colour": 1}, "colour:"),
        ([], "body:"),
    ],
)
def test_bad_requests_are_400_naming_the_field(client, exports, body, field):
    answer = ask(client, body, status=400)
    assert any(error.startswith(field) for error in answer["errors"]), answer
    assert exports.status("nothing") is None


def test_limits_are_said_in_the_refusal(client):
    answer = ask(client, {"curve": {"preset": "seed-magma-11"}, "format": "png", "size": 5000}, 400)
    assert "4096" in answer["error"]
    answer = ask(
        client,
        {"curve": {"preset": "seed-magma-11"}, "format": "mp4", "size": 1200, "framing": "9:16"},
        400,
    )
    assert "1080" in answer["error"] and "1920x1080" in answer["error"]


def test_mp4_without_pyav_is_refused_saying_so(client, monkeypatch):
    from spirokiosk.web.app import export_requests

    monkeypatch.setattr(export_requests, "mp4_available", lambda: False)
    answer = ask(client, {"curve": {"preset": "seed-magma-11"}, "format": "mp4"}, 400)
    assert answer["errors"][0].startswith("format: mp4 needs PyAV")


def test_not_json_is_refused_by_the_gate(client):
    response = client.post("/api/export", data="format=png")
    assert response.status_code == 415
    assert "Content-Type" in response.get_json()["error"]


def test_an_unknown_id_is_404_for_status_file_and_cancel(client):
    for response in (client.get("/api/export/nope"), client.delete("/api/export/nope", json={})):
        assert response.status_code == 404 and response.get_json()["errors"][0].startswith("id:")
    assert client.get("/api/export/nope/file").status_code == 404


@pytest.mark.parametrize("export_settings", [ExportSettings(workers=1, queue=1)])
def test_a_full_queue_is_429_with_retry_after(client, exports):
    running = ask(client, LONG)
    waiting = ask(client, LONG)
    assert client.get(waiting["status_url"]).get_json()["position"] == 1
    response = client.post("/api/export", json=LONG)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.get_json()["errors"][0].startswith("queue:")
    assert client.get(running["status_url"]).get_json()["state"] == "running"
    assert client.get(running["status_url"] + "/file").status_code == 409
    # Cancelling the waiting one frees its place; it never gets a process.
    assert client.delete(waiting["status_url"], json={}).get_json()["state"] == "cancelled"
    assert exports.process_of(waiting["id"]) is None
    ask(client, LONG)


def test_cancel_kills_the_render_at_lower_priority(client, exports):
    answer = ask(client, LONG)
    wait_until(
        lambda: client.get(answer["status_url"]).get_json()["progress"] > 0,
        timeout=RENDER_SECONDS,
    )
    process = exports.process_of(answer["id"])
    assert process.poll() is None
    assert os.getpriority(os.PRIO_PROCESS, process.pid) == os.nice(0) + WORKER_NICE
    assert os.sched_getscheduler(process.pid) == os.SCHED_IDLE
    response = client.delete(answer["status_url"], json={})
    assert response.status_code == 200 and response.get_json()["state"] == "cancelled"
    wait_until(lambda: process.poll() is not None)
    assert process.returncode < 0  # killed, not finished
    assert client.get(answer["status_url"]).get_json()["state"] == "cancelled"
    assert client.get(answer["status_url"] + "/file").status_code == 409


@pytest.mark.parametrize("export_settings", [ExportSettings(abandon_seconds=1.0)])
def test_an_abandoned_export_is_cancelled_and_its_worker_killed(client, exports):
    answer = ask(client, LONG)
    wait_until(lambda: exports.process_of(answer["id"]) is not None)
    process = exports.process_of(answer["id"])
    wait_until(lambda: process.poll() is not None, timeout=10)  # nobody polled
    status = client.get(answer["status_url"]).get_json()
    assert status["state"] == "cancelled" and status["error"].startswith("abandoned")
    assert process.returncode < 0


@pytest.mark.parametrize("export_settings", [ExportSettings(max_seconds=1.0)])
def test_an_export_rendering_too_long_fails_though_watched_and_frees_its_slot(client, exports):
    answer = ask(client, LONG)
    wait_until(lambda: exports.process_of(answer["id"]) is not None)
    process = exports.process_of(answer["id"])
    waiting = ask(client, LONG)  # one worker: this one waits for the slot
    assert client.get(waiting["status_url"]).get_json()["state"] == "queued"

    def failed() -> bool:  # asked all along: it is not abandoned, it is too long
        return client.get(answer["status_url"]).get_json()["state"] == "failed"

    wait_until(failed, timeout=10)
    status = client.get(answer["status_url"]).get_json()
    assert status["error"].startswith("time:") and "export.max_seconds" in status["error"]
    wait_until(lambda: process.poll() is not None)
    assert process.returncode < 0  # killed
    wait_until(lambda: exports.process_of(waiting["id"]) is not None)  # the slot is free


@pytest.mark.parametrize("export_settings", [ExportSettings(keep_bytes=3000)])
def test_a_file_larger_than_what_is_kept_fails_saying_so(client):
    body = {"curve": {"preset": "seed-magma-11"}, "format": "png", "size": 256}
    status = finished(client, ask(client, body))
    assert status["state"] == "failed" and status["error"].startswith("size:")
    assert "export.keep_bytes" in status["error"]


def test_the_oldest_files_are_forgotten_past_keep_bytes(client, exports):
    body = {"curve": {"preset": "seed-magma-11"}, "format": "png", "size": 64}
    first = finished(client, ask(client, body))
    exports.settings = ExportSettings(keep_bytes=first["bytes"] * 3 // 2)
    second = finished(client, ask(client, body))
    assert second["state"] == "done"
    assert client.get(first["status_url"]).status_code == 404
    assert client.get(second["url"]).status_code == 200


@pytest.mark.parametrize("export_settings", [ExportSettings(keep_seconds=0.3, abandon_seconds=1.0)])
def test_finished_files_are_forgotten_after_keep_seconds(client):
    body = {"curve": {"preset": "seed-magma-11"}, "format": "svg", "pens": 1}
    status = finished(client, ask(client, body))
    assert client.get(status["url"]).status_code == 200
    wait_until(lambda: client.get(status["status_url"]).status_code == 404, timeout=5)
    assert client.get(status["url"]).status_code == 404


def test_over_real_http_with_the_mirror():
    jobs = ExportJobs()
    try:
        with Mirror(feed=False, app_options={"exports": jobs}) as mirror:
            body = json.dumps({"curve": {"random": True, "seed": 9}, "format": "png", "size": 80})
            request = urllib.request.Request(
                mirror.url("/api/export"),
                data=body.encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 202
                answer = json.load(response)
                assert response.headers["Location"] == answer["status_url"]
            seen = {}

            def over() -> bool:
                with urllib.request.urlopen(mirror.url(answer["status_url"]), timeout=10) as r:
                    seen.update(json.load(r))
                return seen["state"] == "done"

            wait_until(over, timeout=RENDER_SECONDS, interval=0.05)
            with urllib.request.urlopen(mirror.url(seen["url"]), timeout=10) as response:
                assert response.headers["Content-Type"] == "image/png"
                assert "no-store" in response.headers["Cache-Control"]
                assert response.headers["Content-Disposition"].startswith("attachment;")
                data = response.read()
            with Image.open(io.BytesIO(data)) as image:
                assert image.size == (80, 80)
                assert curve_from_recipe(image.text[RECIPE_KEY]) == random_curve(seed=9)
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(
                    urllib.request.Request(
                        mirror.url("/api/export"),
                        data=b'{"curve": {"preset": "x"}, "format": "png"}',
                        headers={"Content-Type": "application/json"},
                    ),
                    timeout=10,
                )
            assert refused.value.code == 400
            assert json.load(refused.value)["errors"][0].startswith("curve.preset:")
    finally:
        jobs.close()


def test_the_app_has_a_default_queue(hub, control):
    app = create_app(hub, control)
    try:
        assert app.extensions[EXTENSION_KEY].settings == ExportSettings()
    finally:
        app.extensions[EXTENSION_KEY].close()


def test_closing_the_queue_kills_and_reaps_every_worker(client, exports):
    answers = [ask(client, LONG), ask(client, LONG)]
    wait_until(lambda: exports.process_of(answers[0]["id"]) is not None)
    process = exports.process_of(answers[0]["id"])
    exports.close()
    assert process.returncode is not None and process.returncode < 0  # reaped by close
    assert [exports.status(a["id"])["state"] for a in answers] == ["cancelled", "cancelled"]
    assert exports.process_of(answers[1]["id"]) is None  # the waiting one never started
    assert client.post("/api/export", json=LONG).status_code == 429


# -- any body: an export or a refusal naming fields (the function alone: no worker) --------

export_numbers = st.one_of(numbers, st.integers(0, 5000))
export_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "curve": st.one_of(likely_curves, json_values),
            "format": st.one_of(st.sampled_from(FORMATS), scalars),
        },
        optional={
            "size": export_numbers,
            "frames": export_numbers,
            "fps": export_numbers,
            "framing": st.one_of(st.sampled_from(FRAMINGS), scalars),
            "paper": st.one_of(st.sampled_from(["a4", "a3-landscape", "300x300", "1x1"]), scalars),
            "pens": export_numbers,
        },
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=export_bodies)
def test_any_body_is_an_export_within_the_limits_or_a_refusal_naming_fields(body):
    try:
        wanted = export_from_request(body)
    except CurveError as exc:
        assert exc.errors and all(": " in error and len(error) < 1000 for error in exc.errors)
        return
    spec = wanted.spec
    assert spec["format"] in FORMATS and Curve.from_dict(spec["curve"]) == wanted.curve
    if spec["format"] != "svg":
        limits = LIMITS[spec["format"]]
        assert max(spec["size"]) <= limits.long_side and min(spec["size"]) <= limits.short_side
        assert spec.get("frames", 1) <= limits.frames
    json.dumps(spec)  # what the worker reads


def test_export_is_a_viewer_s_action_open_when_control_is_off_but_rate_limited(
    hub, control, exports
):
    from spirokiosk.web.app.access import Access, AccessRules

    rules = AccessRules(control="off", rate_per_minute=1)  # a burst of one
    client = create_app(hub, control, exports=exports, access=Access(rules)).test_client()
    body = {"curve": {"preset": "seed-magma-11"}, "format": "svg", "pens": 1}
    answer = ask(client, body)
    assert finished(client, answer)["state"] == "done"
    response = client.post("/api/export", json=body)
    assert response.status_code == 429 and response.get_json()["errors"][0].startswith("rate:")
    assert client.post("/api/curve", json={"preset": "seed-magma-11"}).status_code == 403
