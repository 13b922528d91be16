"""Billing (BL-2, BL-3) in a real browser: a consumer registers and follows a bill line by line
next to the chart of their use; finance drafts a month and a second finance user approves it."""
import datetime

from selenium.webdriver.common.by import By

from conftest import click_and_wait, screenshot, submit
from test_identity import fill, register_consumer, seed
from test_staff import sign_in_new_staff

ACCOUNT = "100200301"
MOBILE = "+447700900102"


def sign_out(driver):
    submit(driver, "header form button[type=submit]")


def test_a_consumer_follows_a_bill_line_by_line(server, phone, desktop):
    seed(server)
    driver = phone
    register_consumer(driver, server, ACCOUNT, "+44 7700 900102", "Samuel Okafor", "4 Mill Lane, Portview",
                      "samuel.okafor", "a mill by the river")

    driver.get(server.url + f"/account/premises/{ACCOUNT}")
    # The year of bills the demo town issued, newest first, beside the chart of use.
    bills = driver.find_elements(By.CSS_SELECTOR, "table.bills tbody a")
    assert len(bills) == 12
    assert driver.find_element(By.CSS_SELECTOR, ".chart svg")
    values = driver.find_elements(By.CSS_SELECTOR, ".chart text.chart-value")
    assert len(values) == 12 and all(v.text.isdigit() for v in values)
    screenshot(driver, "premise-with-bills-phone")

    click_and_wait(driver, bills[0])
    assert driver.find_element(By.TAG_NAME, "h1").text.startswith("Your bill for ")
    lines = driver.find_elements(By.CSS_SELECTOR, "table.bill-lines tbody tr")
    labels = [line.find_element(By.CSS_SELECTOR, "td, th").text for line in lines]
    assert "Fixed charge" in labels and "VAT" in labels and "Total this month" in labels
    first = lines[0].find_elements(By.TAG_NAME, "td")
    assert " units × £" in first[1].text and first[1].text.endswith(first[2].text)
    screenshot(driver, "bill-phone")

    bill_url = driver.current_url
    for cookie in driver.get_cookies():
        desktop.get(server.url + "/healthz")
        desktop.add_cookie({"name": cookie["name"], "value": cookie["value"], "path": "/"})
    desktop.get(bill_url)
    assert desktop.find_element(By.CSS_SELECTOR, ".bill-due .bill-amount").text.startswith("£")
    screenshot(desktop, "bill-desktop")
    desktop.delete_all_cookies()

    # Finance finds the bill by the number printed on it and cancels it with a credit note.
    number = driver.find_element(By.CSS_SELECTOR, ".bill-facts dd").text
    sign_in_new_staff(desktop, server, "carla.finance", "Carla Finance", "finance", "credit where it is due")
    click_and_wait(desktop, desktop.find_element(By.PARTIAL_LINK_TEXT, "Find a bill"))
    fill(desktop, {"number": number.lower()})
    submit(desktop)
    assert desktop.find_element(By.TAG_NAME, "h1").text.startswith("Bill for ")
    submit(desktop, "form[action$='/credit'] button")
    assert "Say why the bill is credited" in desktop.find_element(By.CSS_SELECTOR, ".field-error").text
    fill(desktop, {"reason": "The reading was taken at the wrong premise"})
    desktop.find_element(By.NAME, "rebill").click()
    submit(desktop, "form[action$='/credit'] button")
    notice = desktop.find_element(By.CSS_SELECTOR, ".notice").text
    assert "cancels bill " + number in notice and "This is the corrected bill" in notice
    assert "This bill replaces bill " + number in desktop.page_source
    screenshot(desktop, "bill-corrected-finance-desktop")
    sign_out(desktop)

    # The consumer sees why, on the bill and in the list.
    driver.get(bill_url)
    assert "This bill is cancelled: credit note CN-" in driver.find_element(By.CSS_SELECTOR, ".notice-warning").text
    screenshot(driver, "bill-credited-phone")
    driver.get(server.url + f"/account/premises/{ACCOUNT}")
    assert driver.find_elements(By.XPATH, "//table[contains(@class,'bills')]//span[text()='credited']")


def test_finance_drafts_a_month_and_a_second_finance_user_approves_it(server, desktop):
    seed(server)
    driver = desktop
    # The demo town's bills run to the month before last; last month waits for finance.
    today = datetime.date.today()
    month = (today.year * 12 + today.month - 1) - 1
    period = f"{month // 12:04d}-{month % 12 + 1:02d}"

    sign_in_new_staff(driver, server, "fiona.finance", "Fiona Finance", "finance", "ledgers in the lamplight")
    click_and_wait(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Bill runs"))
    driver.execute_script(f"document.getElementById('period').value = '{period}'")
    submit(driver, "main form button[type=submit]")
    for _ in range(100):
        if "Draft: waiting for approval" in driver.page_source:
            break
        driver.refresh()
    assert "Draft: waiting for approval" in driver.page_source
    assert "a second finance user approves it" in driver.page_source
    assert not driver.find_elements(By.XPATH, "//button[text()='Approve and issue']")
    screenshot(driver, "bill-run-draft-desktop")
    run_url = driver.current_url
    sign_out(driver)

    sign_in_new_staff(driver, server, "gary.finance", "Gary Finance", "finance", "a second pair of eyes")
    driver.get(run_url)
    submit(driver, "form[action$='/approve'] button")
    for _ in range(100):
        if driver.find_element(By.CSS_SELECTOR, ".facts dd").text == "Issued":
            break
        driver.refresh()
    assert driver.find_element(By.CSS_SELECTOR, ".facts dd").text == "Issued"
    assert "Gary Finance" in driver.page_source
    screenshot(driver, "bill-run-issued-desktop")
    driver.get(server.url + "/admin/tariffs")
    assert "Residential: Domestic" in driver.page_source
    screenshot(driver, "tariffs-desktop")
    sign_out(driver)


def test_an_admin_previews_sample_bills_before_saving_a_tariff_version(server, desktop, phone):
    seed(server)
    driver = desktop
    sign_in_new_staff(driver, server, "tariq.admin", "Tariq Admin", "admin", "tariffs by the tideline")
    driver.get(server.url + "/admin/tariffs")
    click_and_wait(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "New version of the Domestic tariff"))
    blocks = driver.find_element(By.NAME, "blocks")
    assert "100 at 0.12" in blocks.get_attribute("value")
    blocks.clear()
    blocks.send_keys("100 at 0.12\n300 for 0.21\nabove at 0.28")
    submit(driver, "button[value=preview]")
    assert "Line 2: write a block as" in driver.find_element(By.ID, "blocks-error").text
    blocks = driver.find_element(By.NAME, "blocks")
    blocks.clear()
    blocks.send_keys("100 at 0.12\n300 at 0.21\nabove at 0.28")
    submit(driver, "button[value=preview]")
    rows = driver.find_elements(By.CSS_SELECTOR, ".tariff-preview tbody tr")
    assert [row.find_element(By.TAG_NAME, "td").text for row in rows][:4] == ["0", "50", "100", "101"]
    screenshot(driver, "tariff-version-preview-desktop")
    for cookie in driver.get_cookies():
        phone.get(server.url + "/healthz")
        phone.add_cookie({"name": cookie["name"], "value": cookie["value"], "path": "/"})
    phone.get(driver.current_url)
    screenshot(phone, "tariff-version-form-phone")
    phone.delete_all_cookies()
    submit(driver, "button[value=save]")
    assert "has a new version from" in driver.find_element(By.CSS_SELECTOR, ".notice").text
    assert "units 101–300 at £0.21" in driver.page_source
    sign_out(driver)
