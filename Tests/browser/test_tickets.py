"""Complaint tickets (TK-1 … TK-3) in a real browser: a consumer raises a ticket from their
account, support answers and resolves it from the queue, and the consumer reads the answer and
reopens it."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import click_and_wait, screenshot, submit
from test_billing import sign_out
from test_identity import fill, register_consumer, seed
from test_staff import sign_in_new_staff

# A generated account of the demo town that no other browser test uses.
ACCOUNT = "400000002"
MOBILE = "+447900000002"
PASSWORD = "the lights went out again"


def test_raise_a_ticket_staff_answers_the_consumer_reopens(server, phone, desktop):
    seed(server)
    driver = phone
    register_consumer(driver, server, ACCOUNT, "+44 7900 000002", "Tia Ticket", "2 High Street, Portview",
                      "tia.ticket", PASSWORD)

    click_and_wait(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Complaints and requests"))
    submit(driver)
    errors = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".field-error")]
    assert "Choose what it is about." in errors and any("short title" in e for e in errors)
    screenshot(driver, "ticket-raise-errors-phone")
    Select(driver.find_element(By.NAME, "category")).select_by_value("voltage")
    fill(driver, {"subject": "Lights dim every evening", "details": "From about 7 pm the lights go dim and the fridge stops."})
    submit(driver)
    notice = driver.find_element(By.CSS_SELECTOR, ".notice").text
    assert "raised" in notice and "within 2 days" in notice
    number = driver.find_element(By.TAG_NAME, "h1").text.split(" ")[1].rstrip(":")
    ticket_url = driver.current_url
    screenshot(driver, "ticket-raised-phone")
    sign_out(driver)

    sign_in_new_staff(desktop, server, "suki.support", "Suki Support", "support", "every complaint answered")
    click_and_wait(desktop, desktop.find_element(By.PARTIAL_LINK_TEXT, "Complaint tickets"))
    assert number in desktop.page_source
    screenshot(desktop, "tickets-queue-desktop")
    click_and_wait(desktop, desktop.find_element(By.LINK_TEXT, number))
    fill(desktop, {"answer": "Our crew replaced a loose connection at the pole outside."})
    Select(desktop.find_element(By.NAME, "status")).select_by_value("resolved")
    submit(desktop, "form[action$='/answer'] button")
    assert "updated" in desktop.find_element(By.CSS_SELECTOR, ".notice").text
    assert desktop.find_element(By.CSS_SELECTOR, ".facts .tag").text.lower() == "resolved"
    screenshot(desktop, "ticket-answered-desktop")
    sign_out(desktop)

    driver.get(server.url + "/login")
    fill(driver, {"login": "tia.ticket", "password": PASSWORD})
    submit(driver)
    driver.get(ticket_url)
    assert "loose connection at the pole" in driver.find_element(By.CSS_SELECTOR, ".ticket-history").text
    assert driver.find_element(By.CSS_SELECTOR, ".facts .tag").text.lower() == "resolved"
    fill(driver, {"reason": "Dim again tonight at 7 pm."})
    submit(driver, "form[action$='/reopen'] button")
    assert "open again" in driver.find_element(By.CSS_SELECTOR, ".notice").text
    assert driver.find_element(By.CSS_SELECTOR, ".facts .tag").text.lower() == "open"
    assert "Dim again tonight" in driver.find_element(By.CSS_SELECTOR, ".ticket-history").text
    screenshot(driver, "ticket-reopened-phone")
