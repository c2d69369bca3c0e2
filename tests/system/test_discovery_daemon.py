"""A running kiosk is found on the LAN (loopback here: multicast on the machine's other
interfaces would leave the sandbox): announced over mDNS with its records, renamed on
SIGHUP, withdrawn on SIGTERM; until the page is opened, its snapshot carries a QR code of
its URL that a phone (zxing-cpp here) reads."""

import io
import signal
import uuid

import zxingcpp
from PIL import Image
from support import free_port, http_get, wait_until
from support.daemon import READY_TIMEOUT, Kiosk, status_of
from support.mdns import LoopbackBrowser

CONFIG = """\
[display]
size = "640x480"
[curves]
draw_seconds = 60
[web]
bind = "127.0.0.1"
port = {port}
[discovery]
name = "{name}"
"""


def qr_in_snapshot(port: int) -> list[str]:
    code, _, body = http_get(port, "/snapshot.jpg")
    assert code == 200
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(body)))]


def test_a_running_kiosk_is_found_shows_its_address_and_says_goodbye(tmp_path):
    port = free_port()
    first, second = (f"{word} {uuid.uuid4().hex[:8]}" for word in ("kiosk", "renamed"))
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(port=port, name=first))
    url = f"http://127.0.0.1:{port}/"
    with LoopbackBrowser() as browser:
        kiosk = Kiosk(["--display", "headless", "--config", str(config)])
        try:
            kiosk.wait_for("READY", READY_TIMEOUT)
            browser.wait_added(first)
            info = browser.info(first)
            assert info.port == port and info.parsed_addresses() == ["127.0.0.1"]
            assert info.properties[b"path"] == b"/"
            assert info.properties[b"stream"] == b"/stream.mjpg"

            wait_until(lambda: status_of(port)["address"]["on_screen"], timeout=10)
            assert status_of(port)["address"]["url"] == url
            assert qr_in_snapshot(port) == [url]  # the stream's JPEG, quality 80
            assert http_get(port, "/")[0] == 200  # found: the card has done its job
            wait_until(lambda: not status_of(port)["address"]["on_screen"], timeout=10)
            wait_until(lambda: qr_in_snapshot(port) == [], timeout=10)

            config.write_text(CONFIG.format(port=port, name=second))
            kiosk.proc.send_signal(signal.SIGHUP)
            kiosk.wait_for("READY", 10)
            browser.wait_added(second)
            browser.wait_removed(first)
            wait_until(lambda: status_of(port)["address"]["announced_as"] == second)

            kiosk.proc.send_signal(signal.SIGTERM)
            assert kiosk.proc.wait(10) == 0
            browser.wait_removed(second)  # the goodbye, not a record left to expire
            assert f"discovery: announced as '{first}'" in kiosk.stderr
        finally:
            kiosk.close()
