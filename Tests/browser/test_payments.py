"""Payments (BL-5) in a real browser: a consumer pays the balance on the sandbox gateway's page and
reads the receipt once the gateway's signed webhook has reached the server; finance records an
office payment that waits for a second finance user."""
from selenium.webdriver.common.by import By

from conftest import click_and_wait, screenshot, submit
from test_billing import sign_out
from test_identity import fill, register_consumer, seed
from test_staff import sign_in_new_staff

ACCOUNT = "100200300"
MOBILE = "+447700900101"


def test_a_consumer_pays_online_and_reads_the_receipt(server, phone, desktop):
    seed(server)
    driver = phone
    register_consumer(driver, server, ACCOUNT, "+44 7700 900101", "María López", "12 Harbour Street, Portview",
                      "maria.pays", "harbour lights at dusk")

    driver.get(server.url + "/account")
    pay_now = driver.find_element(By.CSS_SELECTOR, ".pay form.inline-form button")
    assert pay_now.text.startswith("Pay £") and pay_now.text.endswith(" now")
    owed = pay_now.text[len("Pay "):-len(" now")]
    # A wrong amount is named by its field.
    field = driver.find_element(By.CSS_SELECTOR, ".pay-other input[name=amount]")
    field.send_keys("twelve")
    submit(driver, ".pay-other button")
    assert "Enter the amount as a number" in driver.find_element(By.CSS_SELECTOR, ".pay-other .field-error").text
    screenshot(driver, "account-pay-error-phone")

    submit(driver, ".pay form.inline-form button")
    assert "/sandbox-gateway/" in driver.current_url
    assert driver.find_element(By.TAG_NAME, "h1").text == f"Pay {owed}"
    screenshot(driver, "sandbox-checkout-phone")
    fill(driver, {"card": "4242 4242 4242 4242"})
    submit(driver)
    # Back on Meterline: the receipt, once the webhook has come in.
    assert driver.find_element(By.TAG_NAME, "h1").text == "Payment received"
    assert driver.find_element(By.CSS_SELECTOR, ".facts strong").text.startswith("RC-")
    assert driver.find_elements(By.CSS_SELECTOR, "table.receipt-lines tbody tr")
    screenshot(driver, "payment-receipt-phone")
    receipt_url = driver.current_url
    for cookie in driver.get_cookies():
        desktop.get(server.url + "/healthz")
        desktop.add_cookie({"name": cookie["name"], "value": cookie["value"], "path": "/"})
    desktop.get(receipt_url)
    screenshot(desktop, "payment-receipt-desktop")
    desktop.get(server.url + "/account")
    screenshot(desktop, "account-paid-desktop")
    desktop.delete_all_cookies()
    # The premise page says which bills are paid and lists the payment; settings offer the channels.
    driver.get(server.url + f"/account/premises/{ACCOUNT}")
    assert "Paid" in [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "td.bill-status")]
    assert driver.find_elements(By.CSS_SELECTOR, "ul.payments li")
    screenshot(driver, "premise-paid-phone")
    driver.get(server.url + "/account/settings")
    assert driver.find_element(By.CSS_SELECTOR, "input[name=payment_receipt][value=sms]").is_selected()
    screenshot(driver, "settings-messages-phone")
    sign_out(driver)

    # Finance records a payment taken at the office; it waits for a second finance user.
    sign_in_new_staff(desktop, server, "olga.finance", "Olga Finance", "finance", "counting house ledger")
    click_and_wait(desktop, desktop.find_element(By.PARTIAL_LINK_TEXT, "Payments"))
    fill(desktop, {"account": ACCOUNT, "amount": "1.234", "reference": "Book 4, slip 17"})
    submit(desktop)
    errors = [e.text for e in desktop.find_elements(By.CSS_SELECTOR, ".field-error")]
    assert any("at most 2 decimals" in e for e in errors) and any("Choose how the consumer paid" in e for e in errors)
    screenshot(desktop, "finance-payment-errors-desktop")
    fill(desktop, {"amount": "20.00"})
    desktop.find_element(By.CSS_SELECTOR, "input[name=method][value=office]").click()
    submit(desktop)
    assert "It counts once a second finance user verifies it" in desktop.find_element(By.CSS_SELECTOR, ".notice").text
    screenshot(desktop, "finance-payments-desktop")
    click_and_wait(desktop, desktop.find_element(By.LINK_TEXT, ACCOUNT))
    assert "You recorded this payment" in desktop.page_source
    screenshot(desktop, "finance-payment-awaiting-desktop")
    sign_out(desktop)
