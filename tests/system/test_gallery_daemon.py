"""The gallery in a running kiosk: a corrupt database is set aside at start and a fresh
one used; a state directory that cannot be made leaves the kiosk drawing without a
gallery, and the API says so with 503."""

import json
import os
import signal

from support import free_port, http_get, wait_until
from support.daemon import READY_TIMEOUT, Kiosk


def headless_kiosk(tmp_path, port, state_dir) -> Kiosk:
    config = tmp_path / "config.toml"
    config.write_text("")
    args = ["--display", "headless", "--config", str(config)]
    for setting in (
        "web.bind=127.0.0.1",
        f"web.port={port}",
        f"state.dir={state_dir}",
        "display.size=160x120",
        'curves.playlist=["seed-magma-11"]',
    ):
        args += ["--set", setting]
    kiosk = Kiosk(args)
    kiosk.wait_for("READY", READY_TIMEOUT)
    return kiosk


def stop(kiosk: Kiosk) -> None:
    kiosk.proc.send_signal(signal.SIGTERM)
    try:
        assert kiosk.proc.wait(10) == 0, kiosk.stderr
    finally:
        kiosk.close()


def test_a_corrupt_gallery_is_set_aside_and_a_fresh_one_records(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    garbage = os.urandom(10_000)
    (state / "gallery.sqlite").write_bytes(garbage)
    port = free_port()
    kiosk = headless_kiosk(tmp_path, port, state)
    try:

        def recorded():
            code, _, body = http_get(port, "/api/gallery")
            return code == 200 and json.loads(body)["entries"]

        wait_until(recorded, timeout=10)
        aside = list(state.glob("gallery.sqlite.corrupt-*"))
        assert len(aside) == 1 and aside[0].read_bytes() == garbage
        assert "moved aside" in kiosk.stderr
    finally:
        stop(kiosk)


def test_an_unusable_state_directory_leaves_the_kiosk_drawing_without_a_gallery(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    port = free_port()
    kiosk = headless_kiosk(tmp_path, port, blocker / "state")
    try:
        code, _, body = http_get(port, "/api/gallery")
        assert code == 503
        assert json.loads(body)["errors"][0].startswith("gallery: ")
        assert http_get(port, "/healthz")[0] == 200
        assert "gallery off" in kiosk.stderr
    finally:
        stop(kiosk)
