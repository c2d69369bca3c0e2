"""The control API (web/app/control_api.py): skip, pause, resume, the playlist for this run.

Through the Flask test client; StaticControl records the commands that reached the daemon.
The render loop applying them is in tests/daemon/service/test_loop.py.
"""

import pytest

from spirokiosk.display.curves import PRESETS


def error_of(response, status, field):
    assert response.status_code == status, response.get_data(as_text=True)
    doc = response.get_json()
    assert any(e.startswith(f"{field}: ") for e in doc["errors"]), doc
    return doc


@pytest.mark.parametrize(
    ("path", "command", "answer"),
    [
        ("/api/control/skip", ("skip",), {"skipped": True}),
        ("/api/control/pause", ("pause",), {"paused": True}),
        ("/api/control/resume", ("resume",), {"paused": False}),
    ],
)
def test_a_command_is_queued_with_an_empty_object_or_no_body(
    client, control, path, command, answer
):
    response = client.post(path, json={})
    assert response.status_code == 202 and response.get_json() == answer
    assert "no-store" in response.headers["Cache-Control"]
    response = client.post(path, data=b"", content_type="application/json")
    assert response.status_code == 202
    assert control.commands == [command, command]


def test_a_command_with_fields_or_not_an_object_is_a_400(client, control):
    error_of(client.post("/api/control/skip", json={"now": True}), 400, "now")
    error_of(client.post("/api/control/pause", json=[1]), 400, "body")
    error_of(
        client.post("/api/control/resume", data="{", content_type="application/json"), 400, "body"
    )
    assert control.commands == []


def test_the_wrong_method_is_a_json_405(client):
    response = client.get("/api/control/skip")
    assert response.status_code == 405 and response.get_json()["errors"]


def test_a_full_command_queue_is_a_503_with_retry_after(client, control):
    control.accepting = False
    response = client.post("/api/control/skip", json={})
    error_of(response, 503, "queue")
    assert response.headers["Retry-After"] == "1"


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_a_playlist_of_presets_and_random_replaces_the_runs(client, control, method):
    names = ["gears-96-52", "random", "seed-magma-11", "favourites"]
    response = client.open("/api/control/playlist", method=method, json={"playlist": names})
    assert response.status_code == 202, response.get_json()
    assert response.get_json() == {"playlist": names}
    assert control.commands == [("playlist", tuple(names))]


def test_an_unknown_name_is_a_400_naming_its_place(client, control):
    body = {"playlist": ["gears-96-52", "random", "gears-96-25", 7]}
    doc = error_of(client.put("/api/control/playlist", json=body), 400, "playlist[2]")
    assert "gears-96-25" in doc["error"] and "did you mean" in doc["error"]
    assert any(e.startswith("playlist[3]: ") for e in doc["errors"])
    assert control.commands == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "playlist"),
        ({"playlist": []}, "playlist"),
        ({"playlist": "random"}, "playlist"),
        ({"playlist": ["random"] * 201}, "playlist"),
        ({"playlist": ["random"], "shuffle": True}, "shuffle"),
        ({"playlists": ["random"]}, "playlists"),
        (["random"], "body"),
        (b"null", "body"),
        (b"", "body"),
    ],
)
def test_a_bad_playlist_request_is_a_400_naming_the_field(client, control, body, field):
    if isinstance(body, bytes):
        sent = {"data": body, "content_type": "application/json"}
    else:
        sent = {"json": body}
    error_of(client.put("/api/control/playlist", **sent), 400, field)
    assert control.commands == []


def test_every_preset_name_is_a_valid_playlist_entry(client, control):
    response = client.put("/api/control/playlist", json={"playlist": list(PRESETS)})
    assert response.status_code == 202
