"""An admin created with the CLI signs in, chooses a password, sets up an authenticator (TOTP,
computed here as an authenticator app would), and creates a finance login."""
import base64
import hashlib
import hmac
import os
import re
import struct
import subprocess
import time

from selenium.webdriver.common.by import By

from conftest import ROOT, screenshot, submit


def totp(secret_base32, at=None):
    """RFC 6238: what an authenticator app shows."""
    key = base64.b32decode(secret_base32.replace(" ", "") + "=" * (-len(secret_base32.replace(" ", "")) % 8))
    step = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1000000:06d}"


def fill(driver, values):
    for name, value in values.items():
        field = driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)


def sign_in_new_staff(driver, server, username, full_name, roles, password):
    """Creates a staff login with the CLI, as an admin would, and walks its first sign-in:
    a new password, then an authenticator. Returns on the staff home."""
    out = subprocess.run(
        [str(ROOT / ".build" / "debug" / "meterline"), "create-staff", "--username", username,
         "--full-name", full_name, "--roles", roles],
        cwd=ROOT, env=dict(os.environ, DATA_DIR=server.data, LOG_LEVEL="warning"),
        check=True, capture_output=True, text=True).stdout
    initial = re.search(r"Initial password, shown only now: (\S+)", out).group(1)
    driver.get(server.url + "/login")
    fill(driver, {"login": username, "password": initial})
    submit(driver)
    fill(driver, {"password": password})
    submit(driver)
    fill(driver, {"code": totp(driver.find_element(By.CSS_SELECTOR, "code.secret").text)})
    submit(driver)
    assert driver.find_element(By.TAG_NAME, "h1").text == f"Welcome, {full_name}"


def test_an_admin_from_the_cli_signs_in_with_totp_and_creates_a_finance_login(server, desktop):
    out = subprocess.run(
        [str(ROOT / ".build" / "debug" / "meterline"), "create-staff", "--username", "ada.admin",
         "--full-name", "Ada Admin", "--roles", "admin"],
        cwd=ROOT, env=dict(os.environ, DATA_DIR=server.data, LOG_LEVEL="warning"),
        check=True, capture_output=True, text=True).stdout
    initial = re.search(r"Initial password, shown only now: (\S+)", out).group(1)

    driver = desktop
    driver.get(server.url + "/login")
    fill(driver, {"login": "ada.admin", "password": initial})
    submit(driver)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Choose your password"
    fill(driver, {"password": "the admin's own long sentence"})
    submit(driver)

    assert driver.find_element(By.TAG_NAME, "h1").text == "Set up your authenticator"
    secret = driver.find_element(By.CSS_SELECTOR, "code.secret").text
    screenshot(driver, "staff-enrol-desktop")
    fill(driver, {"code": totp(secret)})
    submit(driver)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Welcome, Ada Admin"

    driver.find_element(By.LINK_TEXT, "Staff accounts and roles").click()
    submit_page = driver.find_element(By.TAG_NAME, "h1")
    assert submit_page.text == "Staff accounts"
    fill(driver, {"username": "fin.frank", "full_name": "Frank Finance"})
    driver.find_element(By.CSS_SELECTOR, 'form.panel-form input[name="roles[]"][value="finance"]').click()
    submit(driver, "main form.panel-form button[type=submit]")
    notice = driver.find_element(By.CSS_SELECTOR, ".notice").text
    assert "Login fin.frank created" in notice
    assert re.search(r"[A-Za-z0-9]{16}", driver.find_element(By.CSS_SELECTOR, ".notice code.secret").text)
    assert "Frank Finance" in driver.find_element(By.CSS_SELECTOR, "table.data").text
    screenshot(driver, "admin-staff-desktop")

    driver.get(server.url + "/admin/audit?action=staff.created")
    rows = driver.find_element(By.CSS_SELECTOR, "table.data tbody").text
    assert "fin.frank" in rows and "ada.admin" in rows
    screenshot(driver, "admin-audit-desktop")
    submit(driver, ".site-header form button")
