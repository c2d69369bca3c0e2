"""The studio in a real browser: Debian's headless Chromium (Selenium, as test_browser.py)
against a running mirror (cheroot on loopback, the real app). The viewer edits, the
preview comes back from the server, errors land next to their fields, links carry curves.
"""

import base64
import json

import pytest
from selenium.webdriver.support.ui import Select, WebDriverWait
from support.mirror import Mirror
from test_browser import (
    answer_token,
    answer_wrong_token,
    browser,  # noqa: F401  (the fixture: Chromium, no downloads)
)

from spirokiosk.display.curves import PRESETS, Curve, random_curve
from spirokiosk.web.app.access import Access, AccessRules

CURVE = random_curve(21, wheels=4)  # exactly symmetric: circles with width == height


@pytest.fixture
def mirror():
    with Mirror(frame_size=(320, 240)) as m:
        m.control.data["curve"] = CURVE.to_dict()
        yield m


def preview_version(driver) -> int:
    return int(driver.find_element("id", "studio-preview").get_attribute("data-version") or 0)


def previewed_curve(driver) -> dict | None:
    text = driver.find_element("id", "studio-preview").get_attribute("data-curve")
    return json.loads(text) if text else None


def wait_for_preview(driver, after: int = 0) -> int:
    """Wait for a preview newer than `after` that has loaded as a picture; its version."""
    WebDriverWait(driver, 10).until(
        lambda d: (
            preview_version(d) > after
            and d.execute_script("return document.getElementById('studio-preview').naturalWidth")
            > 0
        ),
        "no preview came back",
    )
    return preview_version(driver)


def set_value(driver, element, value) -> None:
    """Type `value` into `element` as a viewer would (the input event fires)."""
    element.clear()
    element.send_keys(str(value))


def offered(driver) -> list[int]:
    options = driver.find_elements("css selector", "#freq-list option")
    return [int(o.get_attribute("value")) for o in options]


def test_editing_previews_symmetry_offers_and_errors(mirror, browser):  # noqa: F811
    browser.get(mirror.url("/studio"))
    first = wait_for_preview(browser)
    # The form starts from the curve on the kiosk, and its symmetry fills k and m.
    assert Curve.from_dict(previewed_curve(browser)).wheels == CURVE.wheels
    sym = browser.find_element("id", "symmetry-text")
    k, m = CURVE.symmetry
    WebDriverWait(browser, 5).until(
        lambda d: d.find_element("id", "sym-k").get_attribute("value") == str(k)
    )
    assert sym.get_attribute("data-state") == "exact"
    assert sym.text.startswith(f"exactly {k}-fold symmetric")
    assert all((f - m) % k == 0 for f in offered(browser)) and offered(browser)

    # Change a frequency: a new preview of the new curve comes, and it says why it is
    # no longer symmetric.
    freq = browser.find_elements("css selector", "#wheel-rows .freq")[1]
    set_value(browser, freq, 2)
    second = wait_for_preview(browser, first)
    assert previewed_curve(browser)["wheels"][1]["freq"] == 2
    WebDriverWait(browser, 5).until(lambda d: sym.get_attribute("data-state") == "none")

    # Pick a symmetry: the offered frequencies follow it, and fitting the wheels to it
    # makes the curve exactly 5-fold symmetric.
    set_value(browser, browser.find_element("id", "sym-k"), 5)
    set_value(browser, browser.find_element("id", "sym-m"), 2)
    WebDriverWait(browser, 5).until(
        lambda d: offered(d) and all((f - 2) % 5 == 0 for f in offered(d))
    )
    assert {-3, 2, 7} <= set(offered(browser))
    browser.find_element("id", "sym-snap").click()
    third = wait_for_preview(browser, second)
    assert all((w["freq"] - 2) % 5 == 0 for w in previewed_curve(browser)["wheels"])
    WebDriverWait(browser, 5).until(lambda d: sym.get_attribute("data-state") == "exact")
    assert "5-fold" in sym.text

    # A bad value: the server's error shows next to that field, and the preview stays.
    freq = browser.find_elements("css selector", "#wheel-rows .freq")[2]
    set_value(browser, freq, 0)
    slot = browser.find_element("css selector", '.field-error[data-field="wheels[2].freq"]')
    WebDriverWait(browser, 5).until(
        lambda d: "non-zero integer" in slot.text, "no error at the field"
    )
    assert slot.is_displayed()
    assert preview_version(browser) == third
    set_value(browser, freq, 7)
    WebDriverWait(browser, 5).until(lambda d: slot.text == "", "the error did not go")

    # A shape that breaks exactness is named.
    Select(browser.find_elements("css selector", "#wheel-rows .shape")[0]).select_by_value("square")
    WebDriverWait(browser, 5).until(lambda d: "wheel 1 is a square" in sym.text)
    assert sym.get_attribute("data-state") == "approximate"


def test_links_carry_curves_and_the_kiosk_queues_them(mirror, browser):  # noqa: F811
    wanted = PRESETS["gears-105-63"].to_dict()
    link = base64.urlsafe_b64encode(json.dumps(wanted).encode()).decode().rstrip("=")
    browser.get(mirror.url(f"/studio#curve={link}"))
    wait_for_preview(browser)
    assert Curve.from_dict(previewed_curve(browser)) == Curve.from_dict(wanted)
    assert browser.find_element("id", "curve-name").get_attribute("value") == "gears-105-63"
    freqs = [
        e.get_attribute("value") for e in browser.find_elements("css selector", "#wheel-rows .freq")
    ]
    assert freqs == [str(w["freq"]) for w in wanted["wheels"]]

    # The page's own link opens the same curve.
    href = browser.find_element("id", "share-link").get_attribute("href")
    browser.get(mirror.url("/"))
    browser.get(href)
    wait_for_preview(browser)
    assert Curve.from_dict(previewed_curve(browser)) == Curve.from_dict(wanted)

    # Draw it on the kiosk: queued, with its place.
    browser.find_element("id", "draw").click()
    result = browser.find_element("id", "queue-result")
    WebDriverWait(browser, 5).until(lambda d: "queued: gears-105-63" in result.text)
    assert "it plays next" in result.text
    assert mirror.control.queued == [Curve.from_dict(wanted)]
    # Its turn comes (the kiosk's status shows it): the page says so and plays the mirror.
    assert not browser.find_element("id", "mirror").is_displayed()
    mirror.control.data["curve"] = wanted
    WebDriverWait(browser, 10).until(lambda d: "now drawing on the kiosk" in result.text)
    WebDriverWait(browser, 10).until(
        lambda d: (
            d.execute_script("return document.getElementById('mirror-stream').naturalWidth") == 320
        ),
        "the live mirror did not play",
    )

    # On /, one click opens the curve on screen (the queued one, now) in the studio.
    browser.get(mirror.url("/"))
    studio = browser.find_element("id", "open-in-studio")
    WebDriverWait(browser, 5).until(lambda d: "#curve=" in studio.get_attribute("href"))
    studio.click()
    wait_for_preview(browser)
    assert Curve.from_dict(previewed_curve(browser)) == Curve.from_dict(wanted)  # on screen now


def test_gears_and_surprise_fill_the_form_from_the_server(mirror, browser):  # noqa: F811
    browser.get(mirror.url("/studio"))
    first = wait_for_preview(browser)
    for element, value in (("gear-ring", 96), ("gear-wheel", 52), ("gear-pen", 42)):
        set_value(browser, browser.find_element("id", element), value)
    browser.find_element("id", "gear-make").click()
    second = wait_for_preview(browser, first)
    assert Curve.from_dict(previewed_curve(browser)).wheels == PRESETS["gears-96-52"].wheels
    set_value(browser, browser.find_element("id", "gear-wheel"), 100)
    browser.find_element("id", "gear-make").click()
    gear_error = browser.find_element("id", "gear-error")
    WebDriverWait(browser, 5).until(lambda d: gear_error.text.startswith("wheel: "))

    set_value(browser, browser.find_element("id", "random-seed"), 1234)
    browser.find_element("id", "surprise").click()
    wait_for_preview(browser, second)
    assert previewed_curve(browser)["name"] == "random-1234"
    assert "seed 1234" in browser.find_element("id", "random-note").text

    # Swatches are drawn from the real maps; clicking one sets the map.
    swatch = browser.find_element("css selector", '#colour-map-swatches [data-map="turbo"]')
    assert "linear-gradient" in swatch.get_attribute("style")
    version = preview_version(browser)
    swatch.click()
    wait_for_preview(browser, version)
    assert previewed_curve(browser)["colour_map"] == "turbo"


def test_a_kiosk_with_a_token_asks_for_it_in_the_studio_too(browser):  # noqa: F811
    token = "studio-token-0123456789abcdef"
    access = Access(AccessRules(control="token", token=token))
    with Mirror(frame_size=(320, 240), app_options={"access": access}) as mirror:
        mirror.control.data["curve"] = CURVE.to_dict()
        browser.get(mirror.url("/studio"))
        wait_for_preview(browser)
        form = browser.find_element("id", "token-form")
        assert not form.is_displayed()
        browser.find_element("id", "draw").click()
        answer_wrong_token(browser)  # the studio asks as the main page does, twice
        assert mirror.control.queued == []  # a wrong token (403) queued nothing
        answer_token(browser, token)
        result = browser.find_element("id", "queue-result")
        WebDriverWait(browser, 5).until(lambda d: mirror.control.queued, "not queued")
        # (queued, then at once "now drawing": the stand-in kiosk shows this very curve)
        assert result.get_attribute("data-state") == "ok", result.text
        assert not form.is_displayed()
        assert mirror.control.queued == [Curve.from_dict(CURVE.to_dict())]
        stored = browser.execute_script("return localStorage.getItem('spirokiosk.controlToken')")
        assert stored == token  # the main page and the gallery find it there
