"""Registers a consumer on a demo account through the web form and the texted code (read from the
outbox with psql), and prints the session cookie, for the benchmarks of signed-in consumer pages.
Usage: consumer_signin.py BASE_URL ACCOUNT MOBILE PG_SOCKET_DIR USERNAME. Standard library only."""
import http.cookiejar
import re
import subprocess
import sys
import urllib.parse
import urllib.request

base, account, mobile, pg_socket, username = sys.argv[1:6]
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def get(path):
    with opener.open(base + path) as response:
        return response.read().decode()


def post(path, fields, page):
    token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(dict(fields, _csrf=token)).encode()
    with opener.open(base + path, data) as response:
        return response.read().decode()


page = post("/register", {"account_number": account, "mobile": mobile, "full_name": "Bench Mark",
                          "address": "1 Bench Street, Portview", "username": username,
                          "password": "a long bench password"}, get("/register"))
code = subprocess.run(
    ["psql", "-h", pg_socket, "-U", "meterline", "-d", "meterline", "-tAc",
     f"SELECT substring(body from '[0-9]{{6}}') FROM notifications WHERE recipient = '{mobile}' ORDER BY id DESC LIMIT 1"],
    check=True, capture_output=True, text=True).stdout.strip()
post("/register/verify", {"code": code}, page)
print(next(c.value for c in jar if c.name == "meterline_session"))
