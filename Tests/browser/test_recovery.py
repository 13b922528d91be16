"""Passwordless sign-in, lockout and unlock, and password recovery, in a real browser; codes
are read from the development inbox."""
import re

from selenium.webdriver.common.by import By

from conftest import click_and_wait, screenshot, submit
from test_identity import fill, register_consumer, seed

ACCOUNT = "200300400"
MOBILE = "+447700900201"
PASSWORD = "bread rolls before sunrise"


def register(driver, server, username):
    seed(server)
    register_consumer(driver, server, ACCOUNT, MOBILE, "Bea Baker", "The Corner Bakery, 1 Market Square",
                      username, PASSWORD)
    submit(driver, ".site-header form button")


def latest_code(driver, server):
    driver.get(server.url + "/dev/inbox")
    body = driver.find_element(By.CSS_SELECTOR, f'.inbox-message[data-recipient="{MOBILE}"] .inbox-body').text
    return re.search(r"\b(\d{6})\b", body).group(1), body


def test_passwordless_lockout_unlock_and_recovery(server, phone):
    driver = phone
    register(driver, server, "bea.baker")

    # Sign in with a texted code: the username is remembered, so only the code is typed.
    driver.get(server.url + "/login")
    click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Sign in with a code by SMS instead"))
    assert driver.find_element(By.NAME, "login").get_attribute("value") == "bea.baker"
    submit(driver, "main form button[formaction]")
    assert "we have texted a code" in driver.find_element(By.CSS_SELECTOR, ".notice").text
    code, _ = latest_code(driver, server)
    driver.get(server.url + "/login/code")
    fill(driver, {"code": code})
    submit(driver, "main form button:not([formaction])")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Welcome, Bea Baker"
    submit(driver, ".site-header form button")

    # Five wrong passwords lock the login; the owner is texted an unlock code.
    for _ in range(5):
        driver.get(server.url + "/login")
        fill(driver, {"login": "bea.baker", "password": "not the right one"})
        submit(driver)
    driver.get(server.url + "/login")
    fill(driver, {"login": "bea.baker", "password": PASSWORD})
    submit(driver)
    assert "locked" in driver.find_element(By.CSS_SELECTOR, ".form-error").text
    screenshot(driver, "login-locked-phone")
    code, body = latest_code(driver, server)
    assert "locked" in body
    driver.get(server.url + "/unlock")
    fill(driver, {"login": "bea.baker", "code": code})
    submit(driver, "main form button:not([formaction])")
    assert "unlocked" in driver.find_element(By.CSS_SELECTOR, ".notice").text
    fill(driver, {"password": PASSWORD})
    submit(driver)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Welcome, Bea Baker"
    submit(driver, ".site-header form button")

    # A forgotten password: a code, then a new password, and signed in.
    driver.get(server.url + "/login")
    click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Forgotten your password?"))
    fill(driver, {"login": "bea.baker"})
    submit(driver, "main form button[formaction]")
    code, _ = latest_code(driver, server)
    driver.get(server.url + "/recover")
    fill(driver, {"login": "bea.baker", "code": code, "password": "a brand new sentence here"})
    submit(driver, "main form button:not([formaction])")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Welcome, Bea Baker"
    submit(driver, ".site-header form button")
    driver.get(server.url + "/login")
    fill(driver, {"login": "bea.baker", "password": "a brand new sentence here"})
    submit(driver)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Welcome, Bea Baker"
    submit(driver, ".site-header form button")
