"""Debian's headless Chromium through Selenium, for the browser tests: /usr/bin/chromium
and /usr/bin/chromedriver given explicitly, so Selenium Manager never downloads anything.
(scripts/setup-env.sh installs both: a missing browser is a broken set-up, not a skip.)"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # tests may run as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1000",
)


@contextlib.contextmanager
def chromium(profile_dir: Path) -> Iterator[webdriver.Chrome]:
    """A headless Chromium with its profile in `profile_dir`; quit on leaving."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir / 'chromium-profile'}")
    # The stream never finishes loading: do not wait for the window's load event.
    options.page_load_strategy = "eager"
    service = Service(str(CHROMEDRIVER), log_output=str(profile_dir / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_page_load_timeout(15)
        driver.set_script_timeout(5)
        yield driver
    finally:
        driver.quit()
