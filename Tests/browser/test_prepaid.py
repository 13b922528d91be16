"""Prepaid electricity (BL-8, BR-3) as `make run` has it: the demo town, a meter bridge and simulated
meters beside the portal. A prepaid consumer registers, buys a token on the sandbox gateway, reads it
on the receipt, and sees the simulated meter accept it through the bridge."""
import os
import signal
import subprocess
import tempfile
import time

from selenium.webdriver.common.by import By

import conftest
from conftest import Server, click_and_wait, free_port, screenshot, submit
from test_identity import fill, register_consumer
from test_lifecycle import psql
from test_staff import sign_in_new_staff


def run_devices(server, bridge_port):
    """scripts/run-devices, as `make run` starts it: keys, a vending key, a bridge and 50 meters."""
    env = dict(os.environ, DATA_DIR=server.data, HTTP_PORT=str(server.port), BRIDGE_PORT=str(bridge_port), LOG_LEVEL="warning")
    env.pop("DATABASE_URL", None)
    # Its own process group: the bridge and the simulator it leaves running stop with it.
    script = subprocess.Popen(["scripts/run-devices"], cwd=conftest.ROOT, env=env, start_new_session=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output, _ = script.communicate(timeout=120)
    assert script.returncode == 0, output
    return script.pid


def eventually(check, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    return None


def test_a_prepaid_consumer_buys_a_token_that_the_simulated_meter_accepts(phone, desktop):
    data = tempfile.mkdtemp(prefix="meterline-prepaid-", dir="/tmp")
    os.chmod(data, 0o755)
    secret = os.urandom(32).hex()
    with open(os.path.join(data, "bridge.secret"), "w") as f:
        f.write(secret)
    server = Server(data=data, environment={"BRIDGE_SECRET": secret, "DEV_MODE": "true"})
    devices = None
    try:
        subprocess.run([str(conftest.ROOT / ".build" / "debug" / "meterline"), "seed", "--demo"], cwd=conftest.ROOT,
                       env=dict(os.environ, DATA_DIR=data, LOG_LEVEL="warning"), check=True, capture_output=True)
        devices = run_devices(server, free_port())
        # A prepaid meter the simulator runs (its line carries the key settings), on a prepaid account.
        with open(os.path.join(data, "sim-meters.tsv")) as f:
            prepaid = [line.split("\t")[0] for line in f if len(line.rstrip("\n").split("\t")) >= 9]
        assert len(prepaid) >= 5
        account, mobile = psql(data, f"""
            SELECT a.account_number || ' ' || a.mobile_on_file FROM meters m
            JOIN meter_installations i ON i.meter_id = m.id AND i.removed_on IS NULL JOIN accounts a ON a.id = i.account_id
            WHERE m.serial = '{prepaid[0]}' AND a.billing_type = 'prepaid'""").split(" ")
        # The meter has signed in to the bridge.
        assert eventually(lambda: psql(data, f"""
            SELECT count(*) FROM meter_health h JOIN meters m ON m.id = h.meter_id WHERE m.serial = '{prepaid[0]}'""") == "1")

        driver = phone
        register_consumer(driver, server, account, mobile, "Pat Prepaid", "1 Harbour Street",
                          "pat.prepaid", "tokens by the kilowatt hour")

        driver.get(server.url + f"/account/premises/{account}")
        click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Buy electricity"))
        assert driver.find_element(By.TAG_NAME, "h1").text == "Buy electricity"
        # Nonsense is named next to the field, and nothing is charged.
        fill(driver, {"amount": "a lot"})
        submit(driver)
        assert driver.find_element(By.CSS_SELECTOR, ".field-error").text
        screenshot(driver, "prepaid-buy-error-phone")
        fill(driver, {"amount": "5.00"})
        submit(driver)
        assert "/sandbox-gateway/" in driver.current_url
        checkout = driver.current_url
        fill(driver, {"card": "4242 4242 4242 4242"})
        submit(driver)
        assert driver.find_element(By.TAG_NAME, "h1").text == "Payment received"
        digits = driver.find_element(By.CSS_SELECTOR, ".token-digits").text
        assert len(digits.replace(" ", "")) == 20
        # The payment bought the energy: none of it is left on the account as credit.
        assert "stays on the account" not in driver.find_element(By.TAG_NAME, "main").text
        screenshot(driver, "prepaid-receipt-phone")
        # The portal sends it through the bridge; the simulated meter takes it and says so.
        receipt = driver.current_url

        def accepted():
            driver.get(receipt)
            return [t.text for t in driver.find_elements(By.CSS_SELECTOR, ".token-accepted .hint")]
        answer = eventually(accepted)
        assert answer and answer[0].startswith("The meter accepted it: Added 20.0 kWh"), answer
        screenshot(driver, "prepaid-accepted-phone")
        # The token came by SMS too.
        driver.get(server.url + "/dev/inbox")
        assert digits in driver.find_element(By.CSS_SELECTOR, f'.inbox-message[data-recipient="{mobile}"] .inbox-body').text

        # The card holder's bank takes the £5.00 back after the meter took the energy: the account
        # owes it, the buy page says so before the next purchase, and a quarter of it pays the debt.
        driver.get(checkout)
        submit(driver, "form button.button-secondary")
        assert "Charged back" in driver.find_element(By.CSS_SELECTOR, ".notice").text

        def debt_notice():
            driver.get(server.url + f"/account/premises/{account}/prepaid")
            return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "main .notice")]
        debt = eventually(debt_notice)
        assert debt and debt[0].startswith("Your account owes £5.00. 25% of each purchase pays towards it"), debt
        screenshot(driver, "prepaid-debt-phone")
        fill(driver, {"amount": "10.00"})
        submit(driver)
        fill(driver, {"card": "4242 4242 4242 4242"})
        submit(driver)
        assert driver.find_element(By.TAG_NAME, "h1").text == "Payment received"
        explanation = driver.find_element(By.TAG_NAME, "main").text
        assert f"£2.50 of it paid what account {account} owed; £7.50 bought the token below." in explanation, explanation
        screenshot(driver, "prepaid-debt-receipt-phone")
        for cookie in driver.get_cookies():
            desktop.get(server.url + "/healthz")
            desktop.add_cookie({"name": cookie["name"], "value": cookie["value"], "path": "/"})
        desktop.get(server.url + f"/account/premises/{account}/prepaid")
        assert desktop.find_elements(By.CSS_SELECTOR, ".token-accepted")
        screenshot(desktop, "prepaid-tokens-desktop")
        desktop.delete_all_cookies()
        # Finance sees the purchase collected and the energy sold this month.
        sign_in_new_staff(desktop, server, "fay.finance", "Fay Finance", "finance", "counting kilowatt hours")
        desktop.get(server.url + "/finance/reports")
        headers = [th.text for th in desktop.find_elements(By.CSS_SELECTOR, "table.data thead th")]
        assert "Prepaid sold" in headers
        this_month = desktop.find_element(By.CSS_SELECTOR, "table.data tbody tr")
        # £5.00 of energy, then £7.50 (the other £2.50 paid the debt).
        assert this_month.find_elements(By.TAG_NAME, "td")[headers.index("Prepaid sold")].text == "£12.50"
        screenshot(desktop, "finance-reports-desktop")
    finally:
        if devices:
            try:
                os.killpg(devices, signal.SIGTERM)
            except ProcessLookupError:
                pass
        server.stop()
        server.cleanup()
