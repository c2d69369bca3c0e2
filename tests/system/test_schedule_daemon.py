"""The running kiosk outside its on-times: the screen (and the mirror) show the sleeping
picture, /api/status and STATUS say until when, and the page's "on" button (in a real
Chromium) brings the picture back until the next scheduled change."""

import datetime as dt
import io
import json

import numpy as np
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from support import free_port, http_get, wait_until
from support.browser import chromium
from support.daemon import READY_TIMEOUT, Kiosk, status_of


def snapshot_brightness(port: int) -> float:
    code, _, body = http_get(port, "/snapshot.jpg")
    assert code == 200
    return float(np.asarray(Image.open(io.BytesIO(body)).convert("L")).mean())


def test_off_hours_sleep_say_until_when_and_the_page_wakes_the_screen(tmp_path):
    now = dt.datetime.now(dt.UTC)
    later = now + dt.timedelta(hours=12)  # the only on-time: half a day away
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[later.weekday()]
    on_time = f"{weekday} {later:%H}:00-{(later + dt.timedelta(hours=1)):%H}:00"
    if later.hour == 23:
        on_time = f"{weekday} 23:00-24:00"
    port = free_port()
    settings = (
        f"web.port={port}",
        "web.bind=127.0.0.1",
        "display.size=320x240",
        "schedule.enabled=true",
        f'schedule.on=["{on_time}"]',
        'curves.playlist=["seed-magma-11"]',
    )
    kiosk = Kiosk(["--display", "headless", *(f"--set={s}" for s in settings)], env={"TZ": "UTC"})
    try:
        ready = kiosk.wait_for("READY", READY_TIMEOUT)
        assert "screen off until" in ready.get("STATUS", "")
        schedule = status_of(port)["schedule"]
        assert schedule["state"] == "off" and schedule["override"] is False
        assert schedule["next_change"].startswith(f"{later:%Y-%m-%d}T{later:%H}:00")
        assert snapshot_brightness(port) < 5  # the sleeping picture, for viewers too

        with chromium(tmp_path) as driver:
            driver.get(f"http://127.0.0.1:{port}/")
            wait = WebDriverWait(driver, 10)
            wait.until(lambda d: d.find_element(By.ID, "screen-state").text.startswith("off until"))
            driver.find_element(By.CSS_SELECTOR, '#screen-control button[data-state="on"]').click()
            wait.until(lambda d: "(by hand)" in d.find_element(By.ID, "screen-state").text)
        schedule = status_of(port)["schedule"]
        assert (schedule["state"], schedule["override"]) == ("on", True)
        assert wait_until(lambda: snapshot_brightness(port) > 5, 10)  # curves again
        log = kiosk.stderr
        assert "screen off until" in log and "screen on by hand" in log
        assert json.dumps(schedule)  # plain JSON
    finally:
        kiosk.close()
