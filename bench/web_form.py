"""A cookie-keeping client for the site's forms, for the bench sign-in scripts. Standard library only."""
import http.cookiejar
import re
import urllib.parse
import urllib.request


class Site:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path):
        with self.opener.open(self.base + path) as response:
            return response.read().decode()

    def post(self, path, fields, page):
        """Posts `fields` with the form token found in `page`, the page the form came from."""
        token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(dict(fields, _csrf=token)).encode()
        with self.opener.open(self.base + path, data) as response:
            return response.read().decode()

    def session(self):
        return next(c.value for c in self.jar if c.name == "meterline_session")
