"""POST /api/schedule/override: the screen by hand, every bad body a 4xx naming the field."""

import pytest


def test_an_override_is_queued_for_the_render_loop(client, control):
    for state in ("off", "quiet", "on", None):
        response = client.post("/api/schedule/override", json={"state": state})
        assert response.status_code == 202
        assert response.get_json() == {"requested": state}
    assert control.commands == [("screen", s) for s in ("off", "quiet", "on", None)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "state: missing"),
        ({"state": "asleep"}, 'state: must be "on", "off", "quiet" or null, not \'asleep\''),
        ({"state": 1}, "state: must be"),
        ({"state": "on", "until": "07:00"}, "'until': unknown field"),
        (["off"], "body: must be a JSON object"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(client, control, body, message):
    response = client.post("/api/schedule/override", json=body)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert control.commands == []


def test_not_json_is_415_and_a_full_queue_429(client, control):
    response = client.post("/api/schedule/override", data="state=off")
    assert response.status_code == 415
    assert "Content-Type: must be application/json" in response.get_json()["error"]
    control.accepting = False
    assert client.post("/api/schedule/override", json={"state": "off"}).status_code == 429
    assert client.get("/api/schedule/override").status_code == 405
