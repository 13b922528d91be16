"""Registration and sign-in as a consumer does them, in a real browser: the SMS code is read
from the development inbox."""
import os
import re
import subprocess

from selenium.webdriver.common.by import By

from conftest import click_and_wait, screenshot, submit

ACCOUNT = "100200302"
MOBILE = "+447700900103"


def seed(server):
    """The demo accounts, created with the CLI as `make run` does."""
    import conftest
    subprocess.run([str(conftest.ROOT / ".build" / "debug" / "meterline"), "seed", "--demo"],
                   cwd=conftest.ROOT, env=dict(os.environ, DATA_DIR=server.data, LOG_LEVEL="warning"),
                   check=True, capture_output=True)


def fill(driver, values):
    for name, value in values.items():
        field = driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)


def code_from_inbox(driver, server, mobile):
    driver.get(server.url + "/dev/inbox")
    message = driver.find_element(By.CSS_SELECTOR, f'.inbox-message[data-recipient="{mobile}"] .inbox-body').text
    return re.search(r"\b(\d{6})\b", message).group(1)


def register_consumer(driver, server, account, mobile, full_name, address, username, password):
    """Registers a consumer through the form and the texted code, as the other browser tests
    start; returns with the consumer signed in."""
    driver.get(server.url + "/register")
    fill(driver, {"account_number": account, "mobile": mobile, "full_name": full_name,
                  "address": address, "username": username, "password": password})
    submit(driver)
    verify_url = driver.current_url
    code = code_from_inbox(driver, server, mobile.replace(" ", ""))
    driver.get(verify_url)
    fill(driver, {"code": code})
    submit(driver)
    assert driver.find_element(By.TAG_NAME, "h1").text == f"Welcome, {full_name}"


def test_a_consumer_registers_with_the_code_from_the_inbox_then_signs_out_and_in_again(server, phone):
    seed(server)
    driver = phone
    driver.get(server.url + "/")
    click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Register your account"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Register"

    # First with mistakes: each message appears next to its field, and what was typed is kept.
    fill(driver, {"account_number": ACCOUNT, "mobile": "07700 900103", "full_name": "Tomás Ruiz",
                  "address": "Flat 3, 88 Station Road, Eastholm", "username": "tomas.ruiz", "password": "short"})
    submit(driver)
    assert "with its country code" in driver.find_element(By.ID, "mobile-error").text
    assert "at least 10 characters" in driver.find_element(By.ID, "password-error").text
    assert driver.find_element(By.NAME, "full_name").get_attribute("value") == "Tomás Ruiz"
    screenshot(driver, "register-errors-phone")

    fill(driver, {"mobile": "+44 7700 900103", "password": "a kettle on the station platform"})
    submit(driver)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Enter your code"
    assert "+44 ••• ••• 103" in driver.find_element(By.TAG_NAME, "main").text
    screenshot(driver, "register-code-phone")

    verify_url = driver.current_url
    code = code_from_inbox(driver, server, MOBILE)
    driver.get(verify_url)
    fill(driver, {"code": code})
    submit(driver)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Welcome, Tomás Ruiz"
    assert ACCOUNT in driver.find_element(By.TAG_NAME, "main").text
    screenshot(driver, "account-home-phone")
    # The premise's use, from the demo readings: a chart and the readings.
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".hit-list a"))
    assert len(driver.find_elements(By.CSS_SELECTOR, ".chart svg rect")) == 12
    assert len(driver.find_elements(By.CSS_SELECTOR, "table.readings tbody tr")) >= 12
    screenshot(driver, "account-premise-phone")

    submit(driver, ".site-header form button")
    assert driver.current_url == server.url + "/"
    click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Sign in"))
    # The login page remembers who signed in last on this browser.
    assert driver.find_element(By.NAME, "login").get_attribute("value") == "tomas.ruiz"
    fill(driver, {"password": "not my password"})
    submit(driver)
    assert "not right" in driver.find_element(By.CSS_SELECTOR, ".form-error").text
    screenshot(driver, "login-error-phone")
    fill(driver, {"password": "a kettle on the station platform"})
    submit(driver)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Welcome, Tomás Ruiz"
    submit(driver, ".site-header form button")


def test_the_registration_form_on_a_computer_says_as_you_type_whether_a_username_is_free(server, desktop):
    from selenium.webdriver.support.ui import WebDriverWait
    desktop.get(server.url + "/register")
    labels = [label.text for label in desktop.find_elements(By.CSS_SELECTOR, "form label")]
    assert labels[:2] == ["Account number", "Mobile number"]
    status = desktop.find_element(By.ID, "username-status")
    desktop.find_element(By.NAME, "username").send_keys("TOMAS.RUIZ")  # registered by the test above
    WebDriverWait(desktop, 5).until(lambda d: "taken" in status.text)
    desktop.find_element(By.NAME, "username").clear()
    desktop.find_element(By.NAME, "username").send_keys("a.free.name")
    WebDriverWait(desktop, 5).until(lambda d: "is free" in status.text)
    screenshot(desktop, "register-desktop")
