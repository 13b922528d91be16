"""Disputes (BL-7) in a real browser: the owner disputes a bill on its page; finance upholds it
from the queue with a new bill; the owner reads the answer on the bill."""
from selenium.webdriver.common.by import By

from conftest import click_and_wait, screenshot, submit
from test_billing import sign_out
from test_identity import fill, register_consumer, seed
from test_staff import sign_in_new_staff

# The demo town's first generated account: a home with a year of bills.
ACCOUNT = "400000000"
MOBILE = "+447900000000"


def test_a_disputed_bill_is_answered_on_its_page(server, phone, desktop):
    seed(server)
    driver = phone
    register_consumer(driver, server, ACCOUNT, "+44 7900 000000", "Dee Dispute", "1 High Street, Portview",
                      "dee.dispute", "a bill too high to believe")

    driver.get(server.url + f"/account/premises/{ACCOUNT}")
    click_and_wait(driver, driver.find_elements(By.CSS_SELECTOR, "table.bills tbody a")[0])
    bill_url = driver.current_url
    fill(driver, {"reason": "high", "reading": "lots"})
    submit(driver, ".dispute-form button")
    errors = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".dispute-form .field-error")]
    assert any("Tell us what is wrong" in e for e in errors) and any("whole number" in e for e in errors)
    screenshot(driver, "bill-dispute-errors-phone")
    fill(driver, {"reason": "We were away all month; the house was empty.", "reading": "1200"})
    submit(driver, ".dispute-form button")
    assert "Your dispute is with finance" in driver.find_element(By.CSS_SELECTOR, ".notice").text
    assert "Finance is looking into it" in driver.find_element(By.CSS_SELECTOR, ".disputes").text
    screenshot(driver, "bill-disputed-phone")
    sign_out(driver)

    sign_in_new_staff(desktop, server, "dora.finance", "Dora Finance", "finance", "fair hearing for every bill")
    click_and_wait(desktop, desktop.find_element(By.PARTIAL_LINK_TEXT, "Disputed bills"))
    screenshot(desktop, "disputes-queue-desktop")
    click_and_wait(desktop, desktop.find_element(By.CSS_SELECTOR, "table.data tbody a"))
    assert "Consumer reads" in desktop.page_source
    screenshot(desktop, "dispute-desktop")
    fill(desktop, {"reason": "The estimate was too high for an empty house."})
    desktop.find_element(By.NAME, "rebill").click()
    submit(desktop, "form[action$='/resolve'] button")
    assert "upheld: credit note CN-" in desktop.find_element(By.CSS_SELECTOR, ".notice").text
    sign_out(desktop)

    driver.get(server.url + "/login")
    fill(driver, {"login": "dee.dispute", "password": "a bill too high to believe"})
    submit(driver)
    driver.get(bill_url)
    assert "Upheld on" in driver.find_element(By.CSS_SELECTOR, ".disputes").text
    screenshot(driver, "bill-dispute-upheld-phone")
