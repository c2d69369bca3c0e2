"""The gallery in a running kiosk: a corrupt database is set aside at start and a fresh
one used; a state directory that cannot be made leaves the kiosk drawing without a
gallery, and the API says so with 503; a kiosk killed with SIGKILL while hearts pour in
over HTTP keeps every heart it answered."""

import http.client
import json
import os
import signal
import threading

from support import free_port, http_get, wait_until
from support.daemon import headless_kiosk, stop_kiosk

from spirokiosk.daemon.state.opening import open_gallery


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
        stop_kiosk(kiosk)


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
        stop_kiosk(kiosk)


def test_sigkill_during_a_stream_of_hearts_loses_none_acknowledged(tmp_path):
    state = tmp_path / "state"
    port = free_port()
    kiosk = headless_kiosk(tmp_path, port, state, "web.rate_limit=0")  # a flood on purpose
    acknowledged = []
    try:
        wait_until(lambda: json.loads(http_get(port, "/api/gallery")[2])["entries"], timeout=10)
        entry_id = json.loads(http_get(port, "/api/gallery")[2])["entries"][0]["id"]

        def hearts():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                while True:
                    headers = {"Content-Type": "application/json"}
                    conn.request("POST", f"/api/gallery/{entry_id}/heart", "{}", headers)
                    response = conn.getresponse()
                    body = response.read()
                    assert response.status == 200, body
                    acknowledged.append(json.loads(body)["hearts"])
            except (OSError, http.client.HTTPException):
                return  # the kiosk is gone
            finally:
                conn.close()

        thread = threading.Thread(target=hearts, name="test-hearts")
        thread.start()
        wait_until(lambda: len(acknowledged) >= 40, timeout=20)
        kiosk.proc.send_signal(signal.SIGKILL)  # while hearts keep coming
        assert kiosk.proc.wait(10) == -signal.SIGKILL
        thread.join(10)
    finally:
        kiosk.close()
    store = open_gallery(state, 1000)
    try:
        assert store is not None and not list(state.glob("*.corrupt-*"))
        kept = store.entry(entry_id)["hearts"]
        assert acknowledged == list(range(1, len(acknowledged) + 1))
        assert len(acknowledged) <= kept <= len(acknowledged) + 1  # + one in flight
    finally:
        store.close()
