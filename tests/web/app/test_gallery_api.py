"""The gallery over the web: GET /api/gallery, hearts, removing a favourite, POST
/api/curve {"gallery": id}, the /gallery page; with a real SQLite store in tmp_path,
through the Flask client and once over real HTTP."""

import http.client
import json

import pytest
from support.mirror import Mirror

from spirokiosk.display.curves import PRESETS, Curve, random_curve
from spirokiosk.web.app import create_app
from spirokiosk.web.app.access import Access, AccessRules

MAGMA = PRESETS["seed-magma-11"]


@pytest.fixture
def app(hub, control, store):
    return create_app(hub, control, gallery=store)


@pytest.fixture
def entries(store):
    """Three entries, oldest first."""
    return [
        store.record(MAGMA.to_dict(), MAGMA.name, "preset", MAGMA.name),
        store.record(PRESETS["gears-96-30"].to_dict(), "gears-96-30", "request", "10.0.0.7"),
        store.record(PRESETS["gears-105-63"].to_dict(), "gears-105-63", "random"),
    ]


def error_of(response, status, field):
    assert response.status_code == status, response.get_data(as_text=True)
    doc = response.get_json()
    assert any(e.startswith(f"{field}: ") for e in doc["errors"]), doc
    return doc


def test_history_lists_entries_newest_first(client, entries):
    doc = client.get("/api/gallery?kind=history").get_json()
    assert [e["id"] for e in doc["entries"]] == entries[::-1]
    first = doc["entries"][-1]
    assert first["name"] == MAGMA.name and first["source"] == "preset"
    assert Curve.from_dict(first["curve"]) == MAGMA
    assert set(first) >= {"id", "curve", "drawn_at", "source", "hearts", "favourite"}
    assert doc["more"] is False


def test_paging_with_limit_and_before(client, entries):
    doc = client.get("/api/gallery?limit=2").get_json()
    assert [e["id"] for e in doc["entries"]] == [entries[2], entries[1]]
    assert doc["more"] is True and doc["before"] == entries[1]
    rest = client.get(f"/api/gallery?limit=2&before={doc['before']}").get_json()
    assert [e["id"] for e in rest["entries"]] == [entries[0]] and rest["more"] is False


def test_a_heart_makes_a_favourite(client, entries):
    response = client.post(f"/api/gallery/{entries[1]}/heart", json={})
    assert response.status_code == 200
    assert response.get_json()["hearts"] == 1 and response.get_json()["favourite"] is True
    client.post(f"/api/gallery/{entries[1]}/heart", json={})
    favourites = client.get("/api/gallery?kind=favourites").get_json()["entries"]
    assert [(e["id"], e["hearts"]) for e in favourites] == [(entries[1], 2)]


def test_removing_a_favourite(client, entries):
    client.post(f"/api/gallery/{entries[0]}/heart", json={})
    response = client.delete(f"/api/gallery/{entries[0]}/favourite", json={})
    assert response.status_code == 200 and response.get_json()["favourite"] is False
    assert client.get("/api/gallery?kind=favourites").get_json()["entries"] == []


TOKEN = "gallery-test-token-0123456789"


def test_removing_a_favourite_is_control_and_a_heart_is_any_viewers(hub, control, store, entries):
    app = create_app(
        hub, control, gallery=store, access=Access(AccessRules(control="token", token=TOKEN))
    )
    client = app.test_client()
    assert client.post(f"/api/gallery/{entries[0]}/heart", json={}).status_code == 200
    refused = client.delete(f"/api/gallery/{entries[0]}/favourite", json={})
    assert refused.status_code == 401 and "control token" in refused.get_json()["error"]
    allowed = client.delete(
        f"/api/gallery/{entries[0]}/favourite",
        json={},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert allowed.status_code == 200


def test_a_heart_must_be_json_so_no_other_sites_form_can_send_it(client, entries):
    response = client.post(f"/api/gallery/{entries[0]}/heart", data="x=1")
    assert response.status_code == 415
    assert "Content-Type" in response.get_json()["error"]
    assert client.get("/api/gallery").get_json()["entries"][-1]["hearts"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=everything", "kind"),
        ("kind=", "kind"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("before=-1", "before"),
        ("before=1.5", "before"),
        ("before=99999999999999999999999", "before"),
    ],
)
def test_bad_queries_are_400_naming_the_field(client, query, field):
    error_of(client.get(f"/api/gallery?{query}"), 400, field)


@pytest.mark.parametrize("raw", ["abc", "-3", "0", "1.0", "%C3%A9", "99999999999999999999"])
def test_a_heart_for_a_bad_id_is_400(client, raw):
    error_of(client.post(f"/api/gallery/{raw}/heart", json={}), 400, "id")
    error_of(client.delete(f"/api/gallery/{raw}/favourite", json={}), 400, "id")


def test_unknown_ids_are_404(client, entries):
    error_of(client.post("/api/gallery/9999/heart", json={}), 404, "id")
    error_of(client.delete("/api/gallery/9999/favourite", json={}), 404, "id")


def test_a_heart_takes_no_fields(client, entries):
    response = client.post(f"/api/gallery/{entries[0]}/heart", json={"hearts": 100})
    error_of(response, 400, "body")
    assert client.get("/api/gallery").get_json()["entries"][-1]["hearts"] == 0


def test_drawing_a_gallery_entry_queues_its_curve(client, control, entries):
    response = client.post("/api/curve", json={"gallery": entries[1]})
    assert response.status_code == 202, response.get_data(as_text=True)
    assert control.queued == [PRESETS["gears-96-30"]]
    assert control.sources == [("gallery", str(entries[1]))]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"gallery": "one"}, 400, "gallery"),
        ({"gallery": True}, 400, "gallery"),
        ({"gallery": 1.5}, 400, "gallery"),
        ({"gallery": None}, 400, "gallery"),
        ({"gallery": 9999}, 404, "gallery"),
        ({"gallery": 1, "preset": "gears-96-30"}, 400, "body"),
        ({"gallery": 1, "colour": "red"}, 400, "colour"),
    ],
)
def test_bad_gallery_requests(client, control, entries, body, status, field):
    error_of(client.post("/api/curve", json=body), status, field)
    assert control.queued == []


def test_a_gallery_request_needs_json(client, entries):
    response = client.post("/api/curve", data=json.dumps({"gallery": entries[0]}))
    error_of(response, 415, "Content-Type")


def test_without_a_gallery_the_api_says_503(hub, control):
    client = create_app(hub, control).test_client()
    for response in (
        client.get("/api/gallery"),
        client.post("/api/gallery/1/heart", json={}),
        client.delete("/api/gallery/1/favourite", json={}),
        client.post("/api/curve", json={"gallery": 1}),
    ):
        doc = error_of(response, 503, "gallery")
        assert "without a gallery" in doc["error"]
    page = client.get("/gallery")
    assert page.status_code == 503 and b"without a gallery" in page.data


def test_a_failing_store_is_503_not_500(client, store, entries):
    store.close()  # every call fails now
    error_of(client.get("/api/gallery"), 503, "gallery")
    error_of(client.post(f"/api/gallery/{entries[0]}/heart", json={}), 503, "gallery")


def test_the_page_shows_thumbnails_and_buttons(client, store, entries):
    store.heart(entries[0])
    html = client.get("/gallery").get_data(as_text=True)
    assert html.count('class="entry"') == 3
    assert html.count("data:image/svg+xml;base64,") == 3
    assert "/studio#curve=%7B" in html
    assert html.count('data-action="unfavourite"') == 1
    # Its buttons ask for the control token as the main page does (control.js, first).
    assert 'id="token-form"' in html and 'id="token-input"' in html
    assert html.index("control.js") < html.index("gallery.js")
    favourites = client.get("/gallery?kind=favourites").get_data(as_text=True)
    assert favourites.count('class="entry"') == 1 and MAGMA.name in favourites
    bad = client.get("/gallery?kind=nope")
    assert bad.status_code == 400 and b"kind: must be" in bad.data


def test_the_home_page_links_to_the_gallery(client):
    assert b'href="/gallery"' in client.get("/").data


def test_hearts_over_real_http(store, entries):
    with Mirror(feed=False, app_options={"gallery": store}) as mirror:
        conn = http.client.HTTPConnection("127.0.0.1", mirror.port, timeout=5)
        headers = {"Content-Type": "application/json"}
        conn.request("POST", f"/api/gallery/{entries[2]}/heart", "{}", headers)
        response = conn.getresponse()
        assert response.status == 200 and json.loads(response.read())["hearts"] == 1
        conn.request("GET", "/api/gallery?kind=favourites")
        response = conn.getresponse()
        assert [e["id"] for e in json.loads(response.read())["entries"]] == [entries[2]]
        conn.close()


def test_a_thumbnail_is_the_studio_preview_small_and_capped():
    import base64
    import re

    from spirokiosk.web.app.thumbnail import COLOUR_PIECES, MAX_POINTS, thumbnail_data_uri

    dense = random_curve(5, wheels=(12, 12))
    svg = base64.b64decode(thumbnail_data_uri(dense).split(",", 1)[1]).decode()
    assert 'width="160" height="160"' in svg
    assert svg.count("<polyline") == COLOUR_PIECES
    points = sum(len(p.split()) for p in re.findall(r'points="([^"]*)"', svg)) // 2
    assert points <= MAX_POINTS + COLOUR_PIECES  # each piece repeats its first point
