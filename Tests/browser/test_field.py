"""A meter reader on a phone: signs in for the first time (new password, authenticator), finds
a premise by name and street, is refused a reading lower than the last, and saves the right one."""
import re
import time

from selenium.webdriver.common.by import By

from conftest import click_and_wait, screenshot, submit
from test_identity import seed
from test_staff import fill, sign_in_new_staff


def test_a_meter_reader_finds_a_premise_and_enters_a_reading(server, phone):
    seed(server)
    driver = phone
    sign_in_new_staff(driver, server, "rita.reader", "Rita Reader", "meter_reader", "readings before the rain")

    started = time.time()
    click_and_wait(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Field"))
    fill(driver, {"q": "okafor mill"})
    submit(driver, "main form button")
    hits = driver.find_elements(By.CSS_SELECTOR, ".hit-list a")
    assert len(hits) == 1 and "Samuel Okafor" in hits[0].text
    screenshot(driver, "field-search-phone")
    click_and_wait(driver, hits[0])
    assert driver.find_element(By.TAG_NAME, "h1").text == "Samuel Okafor"
    last = int(re.search(r"Last: (\d+)", driver.find_element(By.ID, "value-hint").text).group(1))

    fill(driver, {"value": str(last - 1)})
    submit(driver, "main form.reading-form button")
    error = driver.find_element(By.ID, "value-error").text
    assert f"This is lower than the last reading, {last}" in error
    screenshot(driver, "field-reading-refused-phone")

    fill(driver, {"value": str(last + 240)})
    submit(driver, "main form.reading-form button")
    assert "Reading saved" in driver.find_element(By.CSS_SELECTOR, ".notice").text
    assert driver.find_element(By.CSS_SELECTOR, "table.readings tbody tr td:nth-child(2)").text == str(last + 240)
    print(f"found the premise and saved a reading in {time.time() - started:.1f} s")
    screenshot(driver, "field-account-phone")
