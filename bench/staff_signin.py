"""Signs a new staff login in through its first-login steps (new password, authenticator) and
prints the session cookie, for the metering benchmark. Standard library only."""
import base64
import hashlib
import hmac
import html
import http.cookiejar
import re
import struct
import sys
import time
import urllib.parse
import urllib.request

base, username, initial = sys.argv[1], sys.argv[2], sys.argv[3]
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


def totp(secret):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000:06d}"


page = post("/login", {"login": username, "password": initial}, get("/login"))
page = post("/staff/password", {"password": "a benchmark's own long sentence"}, page)
secret = html.unescape(re.search(r'<code class="secret">([^<]+)</code>', page).group(1)).replace(" ", "")
post("/staff/enrol", {"code": totp(secret)}, page)
print(next(c.value for c in jar if c.name == "meterline_session"))
