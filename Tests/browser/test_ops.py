"""Office work in a desktop browser: the alert list from the demo data, the meter registry, a CSV
import with a bad line (nothing imported, the line reported), then a good one, and account search."""
import datetime
import tempfile

from selenium.webdriver.common.by import By

from conftest import screenshot, submit
from test_identity import seed
from test_staff import fill, sign_in_new_staff


def test_office_staff_work_alerts_meters_imports_and_accounts(server, desktop):
    seed(server)
    driver = desktop
    sign_in_new_staff(driver, server, "olu.office", "Olu Office", "engineer,finance,admin", "ledgers and meters all day")
    screenshot(driver, "staff-home-desktop")

    driver.get(server.url + "/ops/alerts")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Consumption alerts"
    assert len(driver.find_elements(By.CSS_SELECTOR, ".session-list li")) > 0, "the demo data raises a few alerts"
    screenshot(driver, "ops-alerts-desktop")

    driver.get(server.url + "/ops/meters")
    fill(driver, {"serial": "BR-0001", "model": "Landis E110", "multiplier": "1", "digits": "6"})
    submit(driver, "main form button[type=submit]")
    assert "Meter BR-0001 registered" in driver.find_element(By.CSS_SELECTOR, ".notice").text
    screenshot(driver, "ops-meters-desktop")

    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as bad:
        # Today, so the demo town's last reading (never later than today) is always before it.
        bad.write(f"account_number,date,value\n100200300,{datetime.date.today().isoformat()},5\n")
    driver.get(server.url + "/ops/readings/import")
    driver.find_element(By.NAME, "file").send_keys(bad.name)
    submit(driver, "main form button[type=submit]")
    assert "Nothing was imported" in driver.find_element(By.CSS_SELECTOR, ".form-error").text
    assert "lower than the reading before it" in driver.find_element(By.CSS_SELECTOR, "table.import-errors").text
    screenshot(driver, "ops-import-refused-desktop")

    driver.get(server.url + "/admin/accounts?q=okafor")
    hits = driver.find_elements(By.CSS_SELECTOR, ".hit-list a")
    assert any("Samuel Okafor" in hit.text for hit in hits)
    screenshot(driver, "admin-accounts-desktop")
