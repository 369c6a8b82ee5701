"""A plain WSGI app with no dependencies: what Hoist needs, and nothing else."""

import hashlib
import os

# The integration tests bump this number to deploy a visibly new release.
BODY = "Hello from hoist! version 1\n"


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/":
        body = BODY + "release %s\n" % os.environ.get("HOIST_RELEASE", "unknown")
        status = "200 OK"
    elif path == "/secret":
        # Whether the secret HELLO_SECRET reached the app: a short hash of it, never the value.
        value = os.environ.get("HELLO_SECRET")
        body = "HELLO_SECRET unset\n" if value is None else "HELLO_SECRET sha256:%s\n" % (
            hashlib.sha256(value.encode("utf-8")).hexdigest()[:16])
        status = "200 OK"
    elif path == "/forwarded":
        # What the proxies in front say about the client (docs/proxy-headers.md).
        body = "for=%s proto=%s scheme=%s\n" % (environ.get("HTTP_X_FORWARDED_FOR", "-"),
                                                environ.get("HTTP_X_FORWARDED_PROTO", "-"),
                                                environ.get("wsgi.url_scheme"))
        status = "200 OK"
    elif path == "/healthz":
        body, status = "ok\n", "200 OK"
    else:
        body, status = "not found\n", "404 Not Found"
    data = body.encode("utf-8")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(data)))])
    return [data]
