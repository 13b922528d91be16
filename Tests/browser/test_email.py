"""An email given at registration is verified with the link from the development inbox, and then
signs the consumer in without a password."""
from selenium.webdriver.common.by import By

from conftest import click_and_wait, screenshot, submit
from test_identity import code_from_inbox, fill, seed

ACCOUNT = "300400500"
MOBILE = "+447700900301"
EMAIL = "works@riverside.example"


def open_link_from_inbox(driver, server, recipient):
    driver.get(server.url + "/dev/inbox")
    link = driver.find_element(By.CSS_SELECTOR, f'.inbox-message[data-recipient="{recipient}"] .inbox-body a')
    click_and_wait(driver, link)


def test_a_verified_email_signs_the_consumer_in_with_a_link(server, phone):
    seed(server)
    driver = phone
    driver.get(server.url + "/register")
    fill(driver, {"account_number": ACCOUNT, "mobile": MOBILE, "full_name": "Riverside Works Ltd",
                  "address": "Unit 7, Riverside Works, Eastholm", "email": EMAIL, "username": "riverside",
                  "password": "turbines hum along the river"})
    submit(driver)
    verify_url = driver.current_url
    code = code_from_inbox(driver, server, MOBILE)
    driver.get(verify_url)
    fill(driver, {"code": code})
    submit(driver)

    # Settings say the email is not verified yet; the link in the inbox asks, then confirms.
    driver.get(server.url + "/account/settings")
    assert "not verified" in driver.find_element(By.TAG_NAME, "main").text.lower()
    open_link_from_inbox(driver, server, EMAIL)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Confirm your email"
    screenshot(driver, "email-verify-phone")
    submit(driver)
    assert "your email is confirmed" in driver.find_element(By.CSS_SELECTOR, ".notice").text
    driver.get(server.url + "/account/settings")
    assert "verified" in driver.find_element(By.TAG_NAME, "main").text.lower()
    assert "not verified" not in driver.find_element(By.TAG_NAME, "main").text.lower()
    submit(driver, ".site-header form button")

    # Sign in by emailed link: the username is remembered on this browser.
    driver.get(server.url + "/login/code")
    assert driver.find_element(By.NAME, "login").get_attribute("value") == "riverside"
    submit(driver, 'main form button[formaction="/login/link/send"]')
    assert "emailed a sign-in link" in driver.find_element(By.CSS_SELECTOR, ".notice").text
    screenshot(driver, "email-link-sent-phone")
    open_link_from_inbox(driver, server, EMAIL)
    submit(driver)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Welcome, Riverside Works Ltd"
    submit(driver, ".site-header form button")
