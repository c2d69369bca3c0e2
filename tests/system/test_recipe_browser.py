"""Files dropped on the studio, in a real browser: Debian's headless Chromium (Selenium,
as test_studio_browser.py) against a running mirror. A picture made with a curve's
recipe opens that curve in the form; a picture without one says so."""

import base64
import json

import pytest
from selenium.webdriver.support.ui import WebDriverWait
from support.mirror import Mirror
from support.recipe_files import gif_with_recipe, png_with_recipe
from test_browser import browser  # noqa: F401  (the fixture: Chromium, no downloads)

from spirokiosk.display.curves import PRESETS, Curve

ON_SCREEN = PRESETS["seed-magma-11"]
IN_THE_PNG = PRESETS["gears-105-63"]
IN_THE_GIF = PRESETS["gears-96-52"]

DROP = """
const [data, name, type] = arguments;
const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
const transfer = new DataTransfer();
transfer.items.add(new File([bytes], name, { type }));
const zone = document.getElementById("recipe-drop");
for (const kind of ["dragenter", "dragover", "drop"]) {
  const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
  zone.dispatchEvent(new DragEvent(kind, init));
}
"""


@pytest.fixture
def mirror():
    with Mirror(frame_size=(320, 240)) as m:
        m.control.data["curve"] = ON_SCREEN.to_dict()
        yield m


def previewed_curve(driver) -> Curve | None:
    text = driver.find_element("id", "studio-preview").get_attribute("data-curve")
    return Curve.from_dict(json.loads(text)) if text else None


def wait_for_curve(driver, curve: Curve) -> None:
    WebDriverWait(driver, 10).until(
        lambda d: previewed_curve(d) == curve, f"the studio did not open {curve.name}"
    )


def test_a_picked_png_and_a_dropped_gif_open_their_curves(mirror, browser, tmp_path):  # noqa: F811
    browser.get(mirror.url("/studio"))
    wait_for_curve(browser, ON_SCREEN)  # the form starts from the curve on the kiosk
    note = browser.find_element("id", "recipe-note")

    # Picked with the file input (what a drop hands over too: a File).
    png = tmp_path / "my drawing.png"
    png.write_bytes(png_with_recipe(IN_THE_PNG))
    browser.find_element("id", "recipe-file").send_keys(str(png))
    wait_for_curve(browser, IN_THE_PNG)
    assert browser.find_element("id", "curve-name").get_attribute("value") == IN_THE_PNG.name
    freqs = [
        int(e.get_attribute("value"))
        for e in browser.find_elements("css selector", "#wheel-rows .freq")
    ]
    assert freqs == [w.freq for w in IN_THE_PNG.wheels]
    assert note.text == f"opened {IN_THE_PNG.name} from my drawing.png"
    assert note.get_attribute("data-state") == "ok"

    # Dropped on the page: the drop handler posts it the same way.
    gif = base64.b64encode(gif_with_recipe(IN_THE_GIF)).decode()
    browser.execute_script(DROP, gif, "loop.gif", "image/gif")
    wait_for_curve(browser, IN_THE_GIF)
    assert note.text == f"opened {IN_THE_GIF.name} from loop.gif"


def test_a_picture_without_a_recipe_shows_the_kiosks_error(mirror, browser, tmp_path):  # noqa: F811
    browser.get(mirror.url("/studio"))
    wait_for_curve(browser, ON_SCREEN)
    holiday = tmp_path / "holiday.png"
    holiday.write_bytes(png_with_recipe(None))
    browser.find_element("id", "recipe-file").send_keys(str(holiday))
    note = browser.find_element("id", "recipe-note")
    WebDriverWait(browser, 10).until(lambda d: note.get_attribute("data-state") == "bad")
    assert note.text == (
        "holiday.png: file: a PNG without a spirokiosk recipe (not made by spirokiosk?)"
    )
    assert previewed_curve(browser) == ON_SCREEN  # the form is as it was
