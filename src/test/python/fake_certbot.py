#!/usr/bin/python3
"""A stand-in for certbot in test_hoist_acme: records its arguments, then either "issues" a
self-signed certificate for its -d names (openssl req -x509) into certbot's live layout, or fails
the way certbot does when the CA cannot reach the challenge.

Steered by the environment: FAKE_CERTBOT_RECORD (file to append a JSON line of argv and
REQUESTS_CA_BUNDLE to), FAKE_CERTBOT_DAYS (validity, default 90), FAKE_CERTBOT_FAIL (fail)."""
import json
import os
import subprocess
import sys

FAILURE = """Saving debug log to /x/letsencrypt.log
Renewing an existing certificate for a.example.com and bad.example.com

Certbot failed to authenticate some domains (authenticator: standalone). The Certificate \
Authority reported these problems:
  Domain: bad.example.com
  Type:   connection
  Detail: Get "http://bad.example.com:5402/.well-known/acme-challenge/tok": dial tcp \
127.0.0.2:5402: connect: connection refused

Hint: The Certificate Authority failed to download the challenge files from the temporary \
standalone webserver started by Certbot on 127.0.0.1:5402.

Some challenges have failed.
Ask for help or search for solutions at https://community.letsencrypt.org. See the logfile \
/x/letsencrypt.log or re-run Certbot with -v for more details.
"""


def main(argv):
    with open(os.environ["FAKE_CERTBOT_RECORD"], "a") as f:
        f.write(json.dumps({"argv": argv, "ca": os.environ.get("REQUESTS_CA_BUNDLE")}) + "\n")
    if os.environ.get("FAKE_CERTBOT_FAIL"):
        sys.stdout.write(FAILURE)
        return 1
    config = argv[argv.index("--config-dir") + 1]
    name = argv[argv.index("--cert-name") + 1]
    domains = [argv[i + 1] for i, a in enumerate(argv) if a == "-d"]
    live = os.path.join(config, "live", name)
    os.makedirs(live, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-subj", "/CN=" + domains[0],
         "-addext", "subjectAltName=" + ",".join("DNS:" + d for d in domains),
         "-days", os.environ.get("FAKE_CERTBOT_DAYS", "90"),
         "-keyout", os.path.join(live, "privkey.pem"), "-out", os.path.join(live, "fullchain.pem")],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print("Successfully received certificate.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
