"""Signs a new staff login in through its first-login steps (new password, authenticator) and
prints the session cookie, for the metering benchmark. Standard library only."""
import base64
import hashlib
import hmac
import html
import re
import struct
import sys
import time

from web_form import Site

base, username, initial = sys.argv[1], sys.argv[2], sys.argv[3]
site = Site(base)


def totp(secret):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000:06d}"


page = site.post("/login", {"login": username, "password": initial}, site.get("/login"))
page = site.post("/staff/password", {"password": "a benchmark's own long sentence"}, page)
secret = html.unescape(re.search(r'<code class="secret">([^<]+)</code>', page).group(1)).replace(" ", "")
site.post("/staff/enrol", {"code": totp(secret)}, page)
print(site.session())
