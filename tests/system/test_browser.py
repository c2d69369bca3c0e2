"""A real browser on the live mirror: Debian's headless Chromium, driven by Selenium, opens `/`
of a running `spirokiosk run --display headless` and sees what a LAN viewer would see.

Nothing here downloads a browser or a driver: Selenium gets /usr/bin/chromedriver and
/usr/bin/chromium explicitly, so Selenium Manager is never consulted.
"""

import base64
import contextlib
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from support import free_port, http_get
from support.browser import chromium
from support.daemon import Kiosk, headless_kiosk, stop_kiosk
from support.mirror import Mirror
from support.mjpeg import MjpegReader, open_stream

CURVE = "seed-magma-11"
ASKED = "gears-96-52"  # a preset the playlist does not hold: it plays only when asked for
QUEUED_START_TIMEOUT = 10.0  # a queued curve starts within draw + hold (3.5 s) on a calm machine
SIZE = (640, 480)
START_TIMEOUT = 30.0  # the daemon imports numpy, pygame and flask: slow on a busy machine

# The stream <img> drawn into a same-origin canvas: its current frame as a PNG data URL,
# or null until the first frame has arrived.
GRAB_STREAM_FRAME = """
const img = document.getElementById("stream");
if (!img || !img.naturalWidth) return null;
const canvas = document.createElement("canvas");
canvas.width = img.naturalWidth;
canvas.height = img.naturalHeight;
canvas.getContext("2d").drawImage(img, 0, 0);
return canvas.toDataURL("image/png");
"""


def healthz(port: int) -> int | None:
    """The status code of /healthz, or None while nothing answers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


def wait_until_healthy(proc: subprocess.Popen, port: int, stderr: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"kiosk exited with {proc.returncode}:\n{stderr.read_text()}")
        if healthz(port) == 200:
            return
        time.sleep(0.1)
    raise AssertionError(f"kiosk not healthy within {START_TIMEOUT} s:\n{stderr.read_text()}")


@pytest.fixture
def kiosk_port(tmp_path):
    """A headless kiosk on a free loopback port, always drawing; yields the port."""
    with running_kiosk(tmp_path) as port:
        yield port


@contextlib.contextmanager
def running_kiosk(tmp_path, **extra):
    """`spirokiosk run --display headless` with the settings above and `extra` (key=value)."""
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text("")  # built-in defaults, whatever /etc holds
    settings = {
        "display.size": "{}x{}".format(*SIZE),
        "web.bind": "127.0.0.1",
        "web.port": port,
        "curves.playlist": f'["{CURVE}"]',
        "curves.draw_seconds": 3,
        "curves.hold_seconds": 0.5,  # never still for long: the picture keeps changing
        "curves.fade_seconds": 0.5,
        **extra,
    }
    command = [sys.executable, "-m", "spirokiosk.daemon.cli", "run", "--display", "headless"]
    command += ["--config", str(config)]
    for key, value in settings.items():
        command += ["--set", f"{key}={value}"]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NOTIFY_SOCKET", "WATCHDOG_", "JOURNAL_", "SPIROKIOSK_"))
    }
    env.update(SDL_VIDEODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    stderr_path = tmp_path / "kiosk.log"
    with open(stderr_path, "wb") as stderr:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        wait_until_healthy(proc, port, stderr_path)
        yield port
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


@pytest.fixture
def browser(tmp_path):
    with chromium(tmp_path) as driver:
        yield driver


def stream_frame(driver) -> np.ndarray | None:
    """The stream <img>'s current picture as an RGB array, or None before the first frame."""
    url = driver.execute_script(GRAB_STREAM_FRAME)
    if url is None:
        return None
    png = base64.b64decode(url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)


def changed_pixels(a: np.ndarray, b: np.ndarray) -> int:
    """Pixels that differ by more than JPEG noise in any channel."""
    return int((np.abs(a - b).max(axis=2) > 24).sum())


def text_of(driver, element_id: str) -> str:
    return driver.find_element("id", element_id).text.strip()


def number_in(driver, element_id: str) -> float | None:
    with contextlib.suppress(ValueError):
        return float(text_of(driver, element_id))
    return None


def status_curve_name(port: int) -> str | None:
    """The curve name in /api/status, fetched by the test itself (not through the page)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/api/status")
        return (json.loads(conn.getresponse().read()).get("curve") or {}).get("name")
    finally:
        conn.close()


def test_the_page_plays_the_live_picture_and_keeps_its_figures_fresh(kiosk_port, browser, tmp_path):
    browser.get(f"http://127.0.0.1:{kiosk_port}/")
    browser.execute_script("window.notReloaded = true;")

    frames = []
    WebDriverWait(browser, 10).until(
        lambda d: frames.append(stream_frame(d)) or frames[-1] is not None,
        "the stream showed no frame",
    )
    first = frames[-1]
    assert first.shape[:2] == (SIZE[1], SIZE[0])
    assert first.std() > 5, "the first frame is a flat colour, not a picture"

    # The picture moves: a later frame differs from the first in many pixels.
    seen = []

    def moved(driver):
        frame = stream_frame(driver)
        seen.append(-1 if frame is None else changed_pixels(first, frame))
        return seen[-1] > 200

    try:
        WebDriverWait(browser, 8, poll_frequency=0.5).until(moved)
    except TimeoutException:
        pytest.fail(f"the picture did not change; changed pixels per sample: {seen}")

    # The curve's details, from the page's status JSON and then its polling.
    assert text_of(browser, "curve-name") == CURVE
    assert text_of(browser, "curve-summary")
    assert browser.find_elements("css selector", "#wheels tr"), "no wheel rows"

    # The figures refresh without a reload: this viewer is counted, frames keep coming.
    frames_before = number_in(browser, "frames-rendered")
    WebDriverWait(browser, 8).until(
        lambda d: (number_in(d, "viewers") or 0) >= 1,
        "the viewers figure never counted this page",
    )
    WebDriverWait(browser, 8).until(
        lambda d: number_in(d, "frames-rendered") not in (None, frames_before),
        "the frames figure did not update",
    )
    assert (number_in(browser, "fps") or 0) > 0
    assert (number_in(browser, "max-viewers") or 0) >= 1
    assert browser.execute_script("return window.notReloaded === true;"), "the page reloaded"

    # "Draw next": choose a preset, click; the page says it is queued and the kiosk plays it.
    WebDriverWait(browser, 8).until(
        lambda d: d.find_elements("css selector", f'#ask-curve option[value="preset:{ASKED}"]'),
        "the presets never reached the Draw next list",
    )
    Select(browser.find_element("id", "ask-curve")).select_by_value(f"preset:{ASKED}")
    browser.find_element("id", "ask-button").click()
    WebDriverWait(browser, 5).until(
        lambda d: f"queued: {ASKED}" in text_of(d, "ask-result"),
        "no 'queued' answer on the page",
    )
    names = []
    try:
        WebDriverWait(browser, QUEUED_START_TIMEOUT, poll_frequency=0.25).until(
            lambda d: names.append(status_curve_name(kiosk_port)) or names[-1] == ASKED
        )
    except TimeoutException:
        pytest.fail(f"{ASKED} did not start; /api/status curve names seen: {sorted(set(names))}")
    WebDriverWait(browser, 5).until(
        lambda d: text_of(d, "curve-name") == ASKED, "the page did not show the asked-for curve"
    )
    assert browser.execute_script("return window.notReloaded === true;"), "the page reloaded"

    browser.save_screenshot(str(tmp_path / "page.png"))


class Holder(threading.Thread):
    """A stream viewer that keeps reading until told to stop (it holds a viewer slot)."""

    def __init__(self, port: int) -> None:
        super().__init__(name="test-holder", daemon=True)
        self.conn, response = open_stream("127.0.0.1", port)
        assert response.status == 200
        self.reader = MjpegReader(response)
        self.reader.read_part()  # the slot is taken
        self.stop = threading.Event()

    def run(self) -> None:
        with contextlib.suppress(OSError, EOFError, ValueError):
            while not self.stop.is_set():
                self.reader.read_part()

    def release(self) -> None:
        self.stop.set()
        self.conn.sock.shutdown(socket.SHUT_RDWR)
        self.join(5)
        self.conn.close()


def test_a_full_mirror_says_so_and_shows_the_picture_once_a_place_is_free(browser):
    # The page once missed the picture's error (a full mirror answers 503 at once, before
    # its script listened): no note, and no retry even after places came free.
    with Mirror(max_viewers=1, frame_size=(320, 240)) as mirror:
        holder = Holder(mirror.port)
        holder.start()
        try:
            browser.get(mirror.url("/"))
            WebDriverWait(browser, 10).until(
                lambda d: "The mirror is full" in text_of(d, "stream-note"),
                "the page did not say the mirror is full",
            )
            assert stream_frame(browser) is None
        finally:
            holder.release()
        WebDriverWait(browser, 15, poll_frequency=0.25).until(
            lambda d: stream_frame(d) is not None, "the picture did not come once a place was free"
        )
        assert not browser.find_element("id", "stream-note").is_displayed()


TOKEN = "browser-test-token-0123456789"


def answer_wrong_token(driver) -> None:
    """Wait for the page's token prompt (the kiosk answered 401), give a wrong token and
    wait for the prompt again (the kiosk answered 403)."""
    form = driver.find_element("id", "token-form")
    WebDriverWait(driver, 5).until(lambda d: form.is_displayed(), "no token prompt")
    answer_token(driver, "not-the-token-0123456789")
    WebDriverWait(driver, 5).until(lambda d: form.is_displayed(), "no second prompt")


def answer_token(driver, token: str) -> None:
    driver.find_element("id", "token-input").send_keys(token)
    driver.find_element("id", "token-button").click()


def test_a_kiosk_with_a_token_asks_for_it_once_and_the_right_one_queues_the_curve(
    browser, tmp_path
):
    token_file = tmp_path / "control-token"
    token_file.write_text(TOKEN + "\n")
    with running_kiosk(
        tmp_path, **{"web.control": "token", "web.control_token_file": str(token_file)}
    ) as port:
        browser.get(f"http://127.0.0.1:{port}/")
        WebDriverWait(browser, 8).until(
            lambda d: d.find_elements("css selector", f'#ask-curve option[value="preset:{ASKED}"]'),
        )
        form = browser.find_element("id", "token-form")
        assert not form.is_displayed()
        Select(browser.find_element("id", "ask-curve")).select_by_value(f"preset:{ASKED}")
        browser.find_element("id", "ask-button").click()
        answer_wrong_token(browser)  # the kiosk answered 401, then 403: asked twice
        assert status_of(port)["queued"] == 0 and status_of(port)["curve"]["name"] == CURVE
        answer_token(browser, TOKEN)
        WebDriverWait(browser, 5).until(
            lambda d: f"queued: {ASKED}" in text_of(d, "ask-result"),
            "the curve was not queued with the right token",
        )
        assert not form.is_displayed()
        WebDriverWait(browser, QUEUED_START_TIMEOUT, poll_frequency=0.25).until(
            lambda d: status_curve_name(port) == ASKED, "the asked-for curve never started"
        )
        stored = browser.execute_script("return localStorage.getItem('spirokiosk.controlToken')")
        assert stored == TOKEN
        # Kept in the browser: after a reload, a change goes through without asking.
        browser.get(f"http://127.0.0.1:{port}/")
        WebDriverWait(browser, 8).until(
            lambda d: d.find_element("id", "pause-button").is_displayed()
        )
        browser.find_element("id", "pause-button").click()
        WebDriverWait(browser, 5).until(lambda d: text_of(d, "ask-result") == "paused")
        assert not browser.find_element("id", "token-form").is_displayed()
        WebDriverWait(browser, 5, poll_frequency=0.1).until(
            lambda d: status_of(port)["paused"] is True, "the kiosk did not pause"
        )
        browser.find_element("id", "skip-button").click()
        WebDriverWait(browser, 5, poll_frequency=0.1).until(
            lambda d: status_of(port)["paused"] is False, "a skip did not move the pen again"
        )
        # The playlist for this run, over HTTP with the token, applied by the real loop.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
            body = json.dumps({"playlist": ["gears-96-30", "random"]})
            conn.request("PUT", "/api/control/playlist", body, headers)
            assert conn.getresponse().status == 202
        finally:
            conn.close()
        WebDriverWait(browser, 5, poll_frequency=0.1).until(
            lambda d: status_of(port)["playlist"] == ["gears-96-30", "random"]
        )


def status_of(port: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/api/status")
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


# -- the gallery: a heart outlives a restart ---------------------------------------------


def gallery_kiosk(tmp_path: Path, port: int, state: Path) -> Kiosk:
    """A headless kiosk keeping its gallery in `state`, its config in `tmp_path`; READY
    when returned."""
    return headless_kiosk(
        tmp_path,
        port,
        state,
        "display.size={}x{}".format(*SIZE),
        f'curves.playlist=["{CURVE}", "{ASKED}"]',
        "curves.draw_seconds=1",
        "curves.hold_seconds=0.5",
        "curves.fade_seconds=0",
    )


def gallery_entries(port: int, kind: str) -> list[dict]:
    code, _, body = http_get(port, f"/api/gallery?kind={kind}")
    assert code == 200, body
    return json.loads(body)["entries"]


def test_a_hearted_curve_is_in_the_gallery_after_a_restart(browser, tmp_path):
    port, state = free_port(), tmp_path / "state"
    kiosk = gallery_kiosk(tmp_path, port, state)
    try:
        WebDriverWait(browser, 15).until(lambda _: gallery_entries(port, "history"))
        browser.get(f"http://127.0.0.1:{port}/gallery")
        entry = browser.find_element(By.CSS_SELECTOR, ".entry")
        entry_id = int(entry.get_attribute("data-id"))
        assert entry.find_element(By.CSS_SELECTOR, "img.thumb").get_attribute("naturalWidth")
        heart = entry.find_element(By.CSS_SELECTOR, "button.heart")
        heart.click()
        WebDriverWait(browser, 5).until(
            lambda _: entry.find_element(By.CSS_SELECTOR, ".hearts").text == "1"
        )
        assert heart.get_attribute("aria-pressed") == "true" and not heart.is_enabled()
        browser.save_screenshot(str(tmp_path / "gallery.png"))
    finally:
        stop_kiosk(kiosk)
    assert (state / "gallery.sqlite").exists()

    kiosk = gallery_kiosk(tmp_path, port, state)  # the same address: the same browser storage
    try:
        browser.get(f"http://127.0.0.1:{port}/gallery?kind=favourites")
        entries = browser.find_elements(By.CSS_SELECTOR, ".entry")
        assert [int(e.get_attribute("data-id")) for e in entries] == [entry_id]
        assert entries[0].find_element(By.CSS_SELECTOR, ".hearts").text == "1"
        heart = entries[0].find_element(By.CSS_SELECTOR, "button.heart")
        assert heart.get_attribute("aria-pressed") == "true"  # this browser hearted it
        # Draw it now: it is queued, and starts as a "gallery" entry of the history.
        entries[0].find_element(By.CSS_SELECTOR, "button[data-action=draw]").click()
        note = browser.find_element(By.ID, "gallery-note")
        WebDriverWait(browser, 5).until(lambda _: "drawn next" in note.text)
        WebDriverWait(browser, QUEUED_START_TIMEOUT).until(
            lambda _: any(e["source"] == "gallery" for e in gallery_entries(port, "history"))
        )
    finally:
        stop_kiosk(kiosk)
