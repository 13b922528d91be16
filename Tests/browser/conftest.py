"""Browser tests: a real `meterline serve` (embedded PostgreSQL in a folder of its own) driven by
Debian's headless Chromium through chromedriver. Screenshots go to .build/screenshots/."""
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".build" / "screenshots"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`meterline serve` on a free port; `data` reuses the data folder of an earlier server;
    `database_url` points it at an outside PostgreSQL instead of its embedded one."""

    def __init__(self, data=None, database_url=None, environment=None):
        if data is None:
            # Under /tmp and world-traversable: the embedded cluster runs as the postgres user when we are root.
            data = tempfile.mkdtemp(prefix="meterline-browser-", dir="/tmp")
            os.chmod(data, 0o755)
        self.data = data
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(self.data, f"server-{self.port}.log")
        self.log = open(self.log_path, "w")
        env = dict(os.environ, DATA_DIR=self.data, LOG_LEVEL="warning")
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        env.update(environment or {})
        self.process = subprocess.Popen(
            [str(ROOT / ".build" / "debug" / "meterline"), "serve", "--port", str(self.port)],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 90
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("meterline exited during start-up:\n" + self.output())
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("meterline did not become healthy:\n" + self.output())
            time.sleep(0.2)

    def output(self):
        self.log.flush()
        return pathlib.Path(self.log_path).read_text()

    def stop(self):
        """SIGTERM, as a service manager would: returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)

    def cleanup(self):
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    s = Server()
    yield s
    s.stop()
    s.cleanup()


def make_browser(width, height, mobile=False):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 f"--window-size={width},{height}"):
        options.add_argument(flag)
    if mobile:
        # Headless windows are never narrower than 500 px; emulation gives a real phone viewport.
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2, "touch": True},
            "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126 Mobile Safari/537.36"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


@pytest.fixture(scope="session")
def desktop():
    driver = make_browser(1280, 900)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def phone():
    driver = make_browser(390, 844, mobile=True)
    yield driver
    driver.quit()


def screenshot(driver, name):
    """A full-page PNG, through the DevTools protocol so that emulated phones are captured whole."""
    import base64
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    data = driver.execute_cdp_cmd("Page.captureScreenshot", {"captureBeyondViewport": True, "format": "png"})
    (SCREENSHOTS / f"{name}.png").write_bytes(base64.b64decode(data["data"]))


def click_and_wait(driver, element):
    """Clicks a link or button and waits for the page it leads to: a click returns before that
    page has loaded. The old document is marked, so its replacement can be told apart."""
    driver.execute_script("document.documentElement.dataset.leaving = '1'")
    element.click()
    wait_for_new_page(driver)


def submit(driver, selector="main form button[type=submit]"):
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, selector))


def wait_for_new_page(driver):
    """Until a new, fully loaded document replaces the marked one (mid-navigation errors are retried)."""
    WebDriverWait(driver, 10, ignored_exceptions=(WebDriverException,)).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && !document.documentElement.dataset.leaving"))
