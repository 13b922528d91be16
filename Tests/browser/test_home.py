"""The home page as a customer sees it, on a computer and on a phone."""
from selenium.webdriver.common.by import By

from conftest import click_and_wait, screenshot


def test_home_page_has_its_title_and_leads_to_sign_in_and_registration(server, desktop):
    desktop.get(server.url + "/")
    assert desktop.title == "Your electricity account, online · Meterline"
    assert desktop.find_element(By.TAG_NAME, "h1").text == "Your electricity account, online"
    links = {a.text: a.get_attribute("href") for a in desktop.find_elements(By.CSS_SELECTOR, "main a.button")}
    assert links["Register your account"] == server.url + "/register"
    assert links["Sign in"] == server.url + "/login"
    # The stylesheet really applied: the header is the brand blue, not the browser's default.
    header = desktop.find_element(By.CSS_SELECTOR, ".site-header")
    assert header.value_of_css_property("background-color") == "rgba(11, 92, 173, 1)"
    screenshot(desktop, "home-desktop")

    click_and_wait(desktop, desktop.find_element(By.LINK_TEXT, "Register your account"))
    assert desktop.find_element(By.TAG_NAME, "h1").text == "Register"
    assert desktop.find_element(By.NAME, "account_number").is_displayed()


def test_home_page_reads_well_on_a_phone(server, phone):
    phone.get(server.url + "/")
    width = phone.execute_script("return window.innerWidth")
    assert width == 390
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert phone.execute_script("return document.documentElement.scrollWidth") <= width
    buttons = phone.find_elements(By.CSS_SELECTOR, "main .actions .button")
    assert len(buttons) == 2
    for button in buttons:
        assert button.size["height"] >= 44  # a comfortable touch target
        assert button.size["width"] >= width * 0.8  # stacked full width, easy to hit with a thumb
    screenshot(phone, "home-phone")


def test_unknown_address_shows_a_helpful_404_page(server, desktop):
    desktop.get(server.url + "/no/such/page")
    assert desktop.find_element(By.TAG_NAME, "h1").text == "Page not found"
    screenshot(desktop, "not-found-desktop")
    click_and_wait(desktop, desktop.find_element(By.LINK_TEXT, "Go to the home page"))
    assert desktop.current_url == server.url + "/"
