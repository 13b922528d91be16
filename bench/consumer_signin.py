"""Registers a consumer on a demo account through the web form and the texted code (read from the
outbox with psql), and prints the session cookie, for the benchmarks of signed-in consumer pages.
Usage: consumer_signin.py BASE_URL ACCOUNT MOBILE PG_SOCKET_DIR USERNAME. Standard library only."""
import subprocess
import sys

from web_form import Site

base, account, mobile, pg_socket, username = sys.argv[1:6]
site = Site(base)

page = site.post("/register", {"account_number": account, "mobile": mobile, "full_name": "Bench Mark",
                          "address": "1 Bench Street, Portview", "username": username,
                          "password": "a long bench password"}, site.get("/register"))
code = subprocess.run(
    ["psql", "-h", pg_socket, "-U", "meterline", "-d", "meterline", "-tAc",
     f"SELECT substring(body from '[0-9]{{6}}') FROM notifications WHERE recipient = '{mobile}' ORDER BY id DESC LIMIT 1"],
    check=True, capture_output=True, text=True).stdout.strip()
site.post("/register/verify", {"code": code}, page)
print(site.session())
