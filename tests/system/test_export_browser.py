"""The studio's export box in a real browser (Debian's headless Chromium, as
test_browser.py) against a mirror on loopback whose exports run in real workers: the
download link of a finished PNG, the cancel button of a long MP4, a refusal's message;
and the gallery's export link opening the studio with the entry's curve."""

import io
import urllib.request

import pytest
from PIL import Image
from selenium.webdriver.support.ui import Select, WebDriverWait
from support.mirror import Mirror
from test_browser import browser  # noqa: F401  (the fixture: Chromium, no downloads)

from spirokiosk.display.curves import random_curve
from spirokiosk.display.export.recipe import RECIPE_KEY, curve_from_recipe
from spirokiosk.web.app.export_jobs import ExportJobs

CURVE = random_curve(33, wheels=4)


@pytest.fixture
def exports():
    jobs = ExportJobs()
    yield jobs
    jobs.close()


@pytest.fixture
def mirror(exports):
    with Mirror(frame_size=(320, 240), app_options={"exports": exports}) as m:
        m.control.data["curve"] = CURVE.to_dict()
        yield m


def set_value(element, value) -> None:
    element.clear()
    element.send_keys(str(value))


def note(driver) -> str:
    return driver.find_element("id", "export-note").text


def open_studio(driver, mirror) -> None:
    driver.get(mirror.url("/studio"))
    WebDriverWait(driver, 10).until(
        lambda d: d.find_elements("css selector", "#wheel-rows tr.wheel"), "no wheels shown"
    )


def test_a_png_export_ends_in_a_download_link_of_the_curve(mirror, browser, tmp_path):  # noqa: F811
    open_studio(browser, mirror)
    Select(browser.find_element("id", "export-format")).select_by_value("png")
    set_value(browser.find_element("id", "export-size"), 120)
    browser.find_element("id", "export-start").click()
    link = browser.find_element("id", "export-link")
    WebDriverWait(browser, 60).until(lambda d: link.is_displayed(), "no download link")
    assert link.get_attribute("download") == f"{CURVE.name}.png"
    assert "recipe" in note(browser)
    assert not browser.find_element("id", "export-cancel").is_displayed()
    with urllib.request.urlopen(link.get_attribute("href"), timeout=10) as response:
        data = response.read()
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (120, 120)
        assert curve_from_recipe(image.text[RECIPE_KEY]) == CURVE
    browser.save_screenshot(str(tmp_path / "export-box.png"))


def test_cancel_stops_a_long_mp4(mirror, browser, exports):  # noqa: F811
    open_studio(browser, mirror)
    Select(browser.find_element("id", "export-format")).select_by_value("mp4")
    Select(browser.find_element("id", "export-framing")).select_by_value("9:16")
    size = browser.find_element("id", "export-size")
    assert size.get_attribute("max") == "1080"
    set_value(size, 1080)
    browser.find_element("id", "export-start").click()
    WebDriverWait(browser, 60).until(lambda d: "rendering" in note(d), "never rendering")
    assert browser.find_element("id", "export-progress").is_displayed()
    (job_id,) = exports.ids()  # the one export the page asked for
    process = exports.process_of(job_id)
    assert process.poll() is None
    browser.find_element("id", "export-cancel").click()
    WebDriverWait(browser, 10).until(lambda d: note(d) == "cancelled", "not cancelled")
    WebDriverWait(browser, 10).until(lambda d: process.poll() is not None, "worker still runs")
    assert exports.status(job_id)["state"] == "cancelled"


def test_a_refusal_is_said(mirror, browser):  # noqa: F811
    open_studio(browser, mirror)
    Select(browser.find_element("id", "export-format")).select_by_value("gif")
    set_value(browser.find_element("id", "export-size"), 2000)
    browser.find_element("id", "export-start").click()
    WebDriverWait(browser, 10).until(lambda d: note(d).startswith("size:"), "no refusal shown")
    assert "720" in note(browser)


def test_the_gallery_s_export_link_opens_the_studio_with_the_curve(browser, tmp_path):  # noqa: F811
    from spirokiosk.daemon.state.store import GalleryStore

    store = GalleryStore(tmp_path / "gallery.sqlite", 100)
    jobs = ExportJobs()
    try:
        store.record(CURVE.to_dict(), CURVE.name, "request", "test")
        with Mirror(app_options={"exports": jobs, "gallery": store}) as mirror:
            browser.get(mirror.url("/gallery"))
            link = browser.find_element("css selector", "a[data-studio-export]")
            WebDriverWait(browser, 10).until(
                lambda d: "#curve=" in link.get_attribute("href"), "link not rewritten"
            )
            opening = browser.find_element("css selector", "a[data-studio-curve]")
            assert opening.text == "Open in studio"  # rewritten too: curveLink's base64url
            assert "%7B" not in opening.get_attribute("href")
            assert opening.get_attribute("href") + "&export" == link.get_attribute("href")
            link.click()
            WebDriverWait(browser, 10).until(
                lambda d: d.find_elements("css selector", "#wheel-rows tr.wheel"), "no wheels"
            )
            name = browser.find_element("id", "curve-name").get_attribute("value")
            assert name == CURVE.name
            assert browser.execute_script("return readForm().wheels.length") == len(CURVE.wheels)
    finally:
        jobs.close()
        store.close()
