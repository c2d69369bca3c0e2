"""Who may change the kiosk: the gate in front of every changing request (web/app/access.py).

Through the Flask test client (with StaticControl recording what reached the daemon),
then over real HTTP against a running Mirror on loopback.
"""

import json
import logging

import pytest
from flask import Blueprint, jsonify
from support import FakeClock, http_request
from support.mirror import Mirror

from spirokiosk.web.app import create_app
from spirokiosk.web.app.access import Access, AccessRules, changes_kiosk

TOKEN = "s3cret-token-0123456789abcdef"
CURVE = {"preset": "gears-96-52"}
WATCHING = ("/", "/api/status", "/api/presets", "/healthz")
CHANGING = (
    ("/api/curve", CURVE),
    ("/api/control/skip", {}),
    ("/api/control/pause", {}),
    ("/api/control/resume", {}),
    ("/api/control/playlist", {"playlist": ["random"]}),
)


def make_client(hub, control, rules, clock=None):
    app = create_app(hub, control, snapshot_timeout=0.3, access=Access(rules, clock=clock))
    return app.test_client()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def error_of(response, status, field):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    doc = response.get_json()
    assert any(e.startswith(f"{field}: ") for e in doc["errors"]), doc
    return doc


# -- open ---------------------------------------------------------------------------------


def test_open_lets_every_change_through_without_a_token(hub, control):
    client = make_client(hub, control, AccessRules(control="open"))
    for path, body in CHANGING:
        assert client.post(path, json=body).status_code == 202, path
    assert len(control.queued) == 1 and len(control.commands) == 4
    assert client.get("/api/status").get_json()["control"] == "open"


# -- token --------------------------------------------------------------------------------


def test_token_mode_refuses_a_change_without_the_token_with_401_and_a_challenge(hub, control):
    client = make_client(hub, control, AccessRules(control="token", token=TOKEN))
    for path, body in CHANGING:
        response = client.post(path, json=body)
        doc = error_of(response, 401, "Authorization")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert doc["control"] == "token"
        assert "no-store" in response.headers["Cache-Control"]
    # Not a bearer token: the same 401.
    response = client.post("/api/curve", json=CURVE, headers={"Authorization": "Basic dTpw"})
    error_of(response, 401, "Authorization")
    assert control.queued == [] and control.commands == []


def test_token_mode_refuses_a_wrong_token_with_403(hub, control):
    client = make_client(hub, control, AccessRules(control="token", token=TOKEN))
    for wrong in (TOKEN[:-1], TOKEN + "x", TOKEN.upper(), "é" * 20):
        response = client.post("/api/curve", json=CURVE, headers=bearer(wrong))
        error_of(response, 403, "Authorization")
        assert "WWW-Authenticate" not in response.headers
    assert control.queued == []


def test_token_mode_takes_the_right_token_any_case_of_bearer(hub, control):
    client = make_client(hub, control, AccessRules(control="token", token=TOKEN))
    for path, body in CHANGING:
        assert client.post(path, json=body, headers=bearer(TOKEN)).status_code == 202, path
    response = client.post("/api/curve", json=CURVE, headers={"Authorization": f"bearer {TOKEN}"})
    assert response.status_code == 202
    assert len(control.queued) == 2 and len(control.commands) == 4


def test_watching_stays_open_whatever_the_control_mode(hub, control):
    for rules in (AccessRules(control="token", token=TOKEN), AccessRules(control="off")):
        client = make_client(hub, control, rules)
        for path in WATCHING:
            assert client.get(path).status_code == 200, (rules.control, path)
        assert client.get("/api/status").get_json()["control"] == rules.control


def test_the_token_is_never_logged_nor_shown(hub, control, caplog):
    caplog.set_level(logging.DEBUG)
    rules = AccessRules(control="token", token=TOKEN)
    client = make_client(hub, control, rules)
    client.post("/api/curve", json=CURVE, headers=bearer(TOKEN))
    client.post("/api/curve", json=CURVE, headers=bearer(TOKEN + "0"))
    client.post("/api/curve", json=CURVE)
    assert "control token refused" in caplog.text
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(rules) and TOKEN not in repr(Access(rules).rules)
    assert TOKEN not in client.get("/api/status").get_data(as_text=True)


# -- off ----------------------------------------------------------------------------------


def test_off_refuses_every_change_with_403_even_with_a_token(hub, control):
    client = make_client(hub, control, AccessRules(control="off"))
    for path, body in CHANGING:
        doc = error_of(client.post(path, json=body, headers=bearer(TOKEN)), 403, "control")
        assert "off" in doc["error"] and doc["control"] == "off"
    assert control.queued == [] and control.commands == []


# -- not from another site ----------------------------------------------------------------


def test_a_change_must_be_json_so_a_form_on_another_site_cannot_post(hub, control):
    client = make_client(hub, control, AccessRules(control="open"))
    for path, _ in CHANGING:
        for kind in ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain"):
            response = client.post(path, data="{}", content_type=kind)
            doc = error_of(response, 415, "Content-Type")
            assert kind in doc["error"] and "application/json" in doc["error"]
        doc = error_of(client.post(path), 415, "Content-Type")  # none at all
        assert "none" in doc["error"]
    assert control.queued == [] and control.commands == []


def test_no_cors_header_even_for_a_preflight_from_another_origin(hub, control):
    client = make_client(hub, control, AccessRules(control="open"))
    asks = {
        "Origin": "http://evil.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization",
    }
    for path, body in CHANGING:
        preflight = client.options(path, headers=asks)
        assert preflight.status_code == 200 and "POST" in preflight.headers["Allow"]
        assert not [
            k for k, _ in preflight.headers.items() if k.lower().startswith("access-control")
        ]
        response = client.post(path, json=body, headers={"Origin": "http://evil.example"})
        assert not [
            k for k, _ in response.headers.items() if k.lower().startswith("access-control")
        ]


# -- rate ---------------------------------------------------------------------------------


def test_one_client_is_rate_limited_with_retry_after_and_others_are_not(hub, control):
    clock = FakeClock()
    client = make_client(hub, control, AccessRules(rate_per_minute=6), clock=clock)
    mallory = {"REMOTE_ADDR": "192.168.1.66"}
    for _ in range(6):  # a burst of up to 10, here the rate's 6
        assert client.post("/api/control/skip", json={}, environ_base=mallory).status_code == 202
    response = client.post("/api/curve", json=CURVE, environ_base=mallory)
    doc = error_of(response, 429, "rate")
    assert response.headers["Retry-After"] == "10"  # 6 a minute: one back every 10 s
    assert "10 s" in doc["error"]
    # Someone else is not held up by that.
    other = {"REMOTE_ADDR": "192.168.1.7"}
    assert client.post("/api/curve", json=CURVE, environ_base=other).status_code == 202
    clock.now += 4.2
    response = client.post("/api/curve", json=CURVE, environ_base=mallory)
    assert response.status_code == 429 and response.headers["Retry-After"] == "6"
    clock.now += 6
    assert client.post("/api/curve", json=CURVE, environ_base=mallory).status_code == 202
    assert len(control.queued) == 2


def test_the_rate_limit_counts_only_changes_and_zero_turns_it_off(hub, control):
    clock = FakeClock()
    client = make_client(hub, control, AccessRules(rate_per_minute=1), clock=clock)
    assert client.post("/api/control/pause", json={}).status_code == 202
    for _ in range(20):
        assert client.get("/api/status").status_code == 200  # watching is never limited
    assert client.post("/api/control/resume", json={}).status_code == 429
    unlimited = make_client(hub, control, AccessRules(rate_per_minute=0), clock=clock)
    for _ in range(100):
        assert unlimited.post("/api/control/pause", json={}).status_code == 202


def test_new_rules_apply_at_once(hub, control):
    access = Access(AccessRules())
    client = create_app(hub, control, access=access).test_client()
    assert client.post("/api/control/skip", json={}).status_code == 202
    access.apply(AccessRules(control="token", token=TOKEN))
    assert client.post("/api/control/skip", json={}).status_code == 401
    assert client.post("/api/control/skip", json={}, headers=bearer(TOKEN)).status_code == 202
    access.apply(AccessRules(control="off"))
    assert client.post("/api/control/skip", json={}, headers=bearer(TOKEN)).status_code == 403


def test_a_new_changing_route_is_gated_with_one_line(hub, control):
    extra = Blueprint("extra", __name__)
    done = []

    @extra.delete("/api/gallery/<int:item>")
    @changes_kiosk
    def delete_favourite(item):
        done.append(item)
        return jsonify(deleted=item)

    app = create_app(hub, control, access=Access(AccessRules(control="token", token=TOKEN)))
    app.register_blueprint(extra)
    client = app.test_client()
    assert client.delete("/api/gallery/3", json={}).status_code == 401
    response = client.delete("/api/gallery/3", json={}, headers=bearer(TOKEN))
    assert response.status_code == 200 and done == [3]


def test_rules_that_cannot_work_are_refused():
    with pytest.raises(ValueError, match="token"):
        AccessRules(control="token")
    with pytest.raises(ValueError, match="control"):
        AccessRules(control="closed")
    with pytest.raises(ValueError, match="rate_per_minute"):
        AccessRules(rate_per_minute=-1)


# -- over real HTTP -----------------------------------------------------------------------


def test_the_gate_over_real_http():
    clock = FakeClock()  # the buckets refill only when the test says so
    access = Access(AccessRules(control="token", token=TOKEN, rate_per_minute=60), clock=clock)
    with Mirror(feed=False, app_options={"access": access}) as mirror:

        def post(path, body, headers):
            status, answer_headers, data = http_request(
                mirror.port, "POST", path, body=json.dumps(body), headers=headers
            )
            return status, answer_headers, json.loads(data)

        as_json = {"Content-Type": "application/json"}
        status, headers, doc = post("/api/curve", CURVE, as_json)
        assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")
        assert doc["errors"][0].startswith("Authorization: ")
        status, _, _ = post("/api/curve", CURVE, {**as_json, **bearer("wrong-token-0123456789")})
        assert status == 403
        status, _, doc = post("/api/curve", CURVE, {**as_json, **bearer(TOKEN)})
        assert status == 202 and doc["queued"] == "gears-96-52"
        status, _, doc = post("/api/curve", CURVE, {"Content-Type": "text/plain", **bearer(TOKEN)})
        assert status == 415 and doc["errors"][0].startswith("Content-Type: ")
        status, headers, _ = http_request(
            mirror.port,
            "OPTIONS",
            "/api/curve",
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert not [h for h in headers if h.lower().startswith("access-control")]
        # 10 at once, then none: a client cannot fill the kiosk's queue in one go. The 401,
        # the 403 and the 202 above took 3 (the 415 none: it is refused before counting).
        statuses = [post("/api/control/skip", {}, {**as_json, **bearer(TOKEN)}) for _ in range(8)]
        assert [s for s, _, _ in statuses] == [202] * 7 + [429]
        status, headers, doc = statuses[-1]
        assert headers["Retry-After"] == "1"  # 60 a minute: one back each second
        assert doc["errors"][0].startswith("rate: ")
        clock.now += 1.0
        assert post("/api/control/skip", {}, {**as_json, **bearer(TOKEN)})[0] == 202
        assert len(mirror.control.queued) == 1 and len(mirror.control.commands) == 8


def test_a_flood_of_refused_requests_is_logged_once(hub, control, caplog):
    client = make_client(hub, control, AccessRules(rate_per_minute=1), clock=FakeClock())
    for _ in range(30):
        client.post("/api/control/skip", json={})
    refusals = [r for r in caplog.records if "rate limit" in r.getMessage()]
    assert len(refusals) == 1 and "more than 1 changes a minute" in refusals[0].getMessage()
