"""Posting the shop's forms as a browser does (cookies kept, the shop's Origin, redirects
not followed): how the benchmarks sign in and make API tokens."""
import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request


def form_poster(base):
    """A `post(path, fields)` that returns the answer's HTML ("" for a form's 303), and the
    cookie jar it keeps."""
    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    def post(path, fields):
        req = urllib.request.Request(base + path, data=urllib.parse.urlencode(fields).encode(),
                                     method="POST", headers={"Origin": base})
        try:
            with opener.open(req, timeout=30) as res:
                return res.read().decode()
        except urllib.error.HTTPError as e:  # the forms' 303s
            if e.code != 303:
                raise
            return ""

    return post, jar
