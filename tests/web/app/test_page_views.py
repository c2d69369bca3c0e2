"""Opening the page tells the render loop (through the daemon's Control) that someone has
found the mirror: the address on screen has done its job. Other addresses do not count."""

from spirokiosk.daemon.service.control import Control
from spirokiosk.web.app import create_app


def test_only_the_page_counts_as_found(hub):
    control = Control()
    client = create_app(hub, control, snapshot_timeout=0.1).test_client()
    for path in ("/api/status", "/healthz", "/static/spirokiosk.css", "/nothing"):
        client.get(path).close()
    assert not control.page_viewed
    assert client.get("/").status_code == 200
    assert control.page_viewed
    assert control.take_commands() == []  # a flag, not a command: the queue is for curves


def test_the_stand_in_control_records_views(client, control):
    client.get("/")
    client.get("/")
    assert control.page_views == 2
