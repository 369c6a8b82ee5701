"""A plain WSGI app with no dependencies: what Hoist needs, and nothing else."""

import os

# The integration tests bump this number to deploy a visibly new release.
BODY = "Hello from hoist! version 1\n"


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/":
        body = BODY + "release %s\n" % os.environ.get("HOIST_RELEASE", "unknown")
        status = "200 OK"
    elif path == "/healthz":
        body, status = "ok\n", "200 OK"
    else:
        body, status = "not found\n", "404 Not Found"
    data = body.encode("utf-8")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(data)))])
    return [data]
