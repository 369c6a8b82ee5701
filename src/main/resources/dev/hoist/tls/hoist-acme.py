#!/usr/bin/python3 -I
# Hoist's ACME runner: installed on the node that terminates TLS as /usr/local/lib/hoist/hoist-acme
# (root, 0755) and run as root by a deploy and by the renewal job. One run is one decision:
#
#   hoist-acme ensure DIR [--now] [--force] [--quiet]
#
# DIR (/etc/hoist/tls/<app>, root 0700) holds acme.json, written by the deploy. The runner decides
# whether a certificate is needed (none yet, names not covered, expiring within renew_before_days,
# or --force), waits out the backoff of earlier failures (unless --now or --force), and runs
# Debian's certbot with its own directories under DIR/certbot. On success it installs cert.pem,
# key.pem (and haproxy.pem) into DIR and runs the reload commands; on failure the old files stay.
# It prints one JSON line: {"action": "issued"|"renewed"|"unchanged"|"skipped"|"failed",
# "message", "names" and "not_after" (of DIR/cert.pem after the run), "next_attempt"}; with
# --quiet, one human line on stderr instead. Exit 0, or 1 when an attempt failed, or 2 when the
# directory or acme.json is unusable.
#
# For tests: HOIST_ACME_CERTBOT names another certbot (which also gets the caller's FAKE_CERTBOT_*
# variables), HOIST_ACME_NOW (epoch seconds) the clock.
#
# certbot (#!/usr/bin/python3, not isolated) and the reload commands run from / with a fixed
# environment: no PYTHON* variable, HOME or XDG_CONFIG_HOME of whoever started the runner reaches
# them (certbot reads ~/.config/letsencrypt/cli.ini and Python a user site under HOME).
import argparse
import fcntl
import ipaddress
import json
import os
import re
import signal
import ssl
import stat
import subprocess
import sys
import time
import unicodedata

CERTBOT = os.environ.get("HOIST_ACME_CERTBOT", "/usr/bin/certbot")
PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
CERTBOT_TIMEOUT = 300
RELOAD_TIMEOUT = 60
BACKOFF_FIRST = 300
BACKOFF_MAX = 6 * 3600
DAY = 86400
# The longest message kept: the CA's text is quoted in it, and state.json is read in 64 KiB.
MESSAGE_MAX = 2000

APP = re.compile(r"[a-z][a-z0-9-]*\Z")
# Names that can pass HTTP-01: letters, digits, hyphens; never an option-like leading '-'.
NAME = re.compile(r"(?=.{1,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\Z")
# Printable ASCII only (it becomes an argument): no space, control character or leading '-'.
EMAIL = re.compile(r"[!-,.-?A-~][!-?A-~]*@[!-?A-~]+\Z")
DIRECTORY = re.compile(r"https://[!-~]+\Z")
HOST_PORT = re.compile(r"\[?([0-9A-Fa-f:.]+)\]?:([0-9]{1,5})\Z")


class Unusable(Exception):
    """DIR or acme.json cannot be used: a deploy's fault, not an ACME failure."""


def now():
    return int(os.environ.get("HOIST_ACME_NOW") or time.time())


# ---------------------------------------------------------------- configuration

def check_own_dir(path):
    """Root writes in DIR and certbot in the webroot: each must be a real directory of ours that
    no one else can write (no planted link or file)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise Unusable("%s does not exist" % path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
        raise Unusable("%s must be a directory owned by uid %d and writable by it alone"
                       % (path, os.geteuid()))


def load_config(directory):
    try:
        with open(os.path.join(directory, "acme.json"), encoding="utf-8") as f:
            cfg = json.load(f)
    except (OSError, ValueError) as e:
        raise Unusable("cannot read %s/acme.json: %s" % (directory, e))

    def need(ok, what):
        if not ok:
            raise Unusable("%s/acme.json: %s" % (directory, what))

    need(isinstance(cfg, dict), "not a JSON object")
    need(isinstance(cfg.get("app"), str) and APP.match(cfg["app"]), "app must match [a-z][a-z0-9-]*")
    names = cfg.get("names")
    need(isinstance(names, list) and names, "names must be a non-empty list")
    need(all(isinstance(n, str) and NAME.match(n) for n in names),
         "names must be lower-case DNS names: %r" % (names,))
    email = cfg.get("email")
    need(email is None or (isinstance(email, str) and EMAIL.match(email)), "email is not an address")
    need(isinstance(cfg.get("directory"), str) and DIRECTORY.match(cfg["directory"]),
         "directory must be an https:// URL")
    ca = cfg.get("ca_file")
    need(ca is None or (isinstance(ca, str) and os.path.isabs(ca) and "\0" not in ca),
         "ca_file must be an absolute path")
    challenge = cfg.get("challenge")
    need(isinstance(challenge, dict) and len(challenge) == 1, "challenge must have one key")
    if "webroot" in challenge:
        need(isinstance(challenge["webroot"], str) and os.path.isabs(challenge["webroot"]),
             "challenge.webroot must be an absolute path")
        check_own_dir(challenge["webroot"])
    else:
        need(isinstance(challenge.get("standalone"), str)
             and HOST_PORT.match(challenge["standalone"]), "challenge.standalone must be ADDRESS:PORT")
    days = cfg.get("renew_before_days")
    need(isinstance(days, int) and not isinstance(days, bool) and days > 0,
         "renew_before_days must be a positive integer")
    reload = cfg.get("reload", [])
    need(isinstance(reload, list) and all(
        isinstance(a, list) and a and all(isinstance(s, str) for s in a) for a in reload),
        "reload must be a list of argument lists")
    need(isinstance(cfg.get("haproxy_pem", False), bool), "haproxy_pem must be true or false")
    return cfg


# ---------------------------------------------------------------- certificates and state

def read_cert(path):
    """(names, not_after) of the first certificate in a PEM file, or None when there is none.
    _test_decode_cert is CPython's own X.509 decoder (checked on Debian 12's 3.11): stdlib only,
    no openssl process per run."""
    if not os.path.isfile(path):
        return None
    try:
        decoded = ssl._ssl._test_decode_cert(path)
    except (ssl.SSLError, OSError, ValueError):
        return None
    # The CA chose these: printable, so that they can be shown.
    names = {printable(v.lower(), 253) for k, v in decoded.get("subjectAltName", ()) if k == "DNS"}
    return names, int(ssl.cert_time_to_seconds(decoded["notAfter"]))


def decide(cfg, cert, t, force):
    """(action, reason): action is "issued", "renewed" or None when nothing is needed."""
    if cert is None:
        return "issued", "no certificate yet"
    names, not_after = cert
    missing = [n for n in cfg["names"] if n not in names]
    if missing:
        return "renewed", "the certificate does not cover %s" % ", ".join(missing)
    if not_after - t < cfg["renew_before_days"] * DAY:
        return "renewed", "the certificate expires in %s" % days_left(not_after, t)
    if force:
        return "renewed", "renewal forced"
    return None, "the certificate covers every name and expires in %s" % days_left(not_after, t)


def days_left(not_after, t):
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(not_after))
    if not_after <= t:
        return "0 days (expired %s)" % when
    days = (not_after - t) // DAY
    return "%d day%s (%s)" % (days, "" if days == 1 else "s", when)


def backoff(failures):
    return min(BACKOFF_FIRST * 2 ** (failures - 1), BACKOFF_MAX)


def read_state(directory):
    try:
        with open(os.path.join(directory, "state.json"), encoding="utf-8") as f:
            state = json.load(f)
        return state if isinstance(state, dict) else {}
    except (OSError, ValueError):
        return {}


def write_atomic(directory, files):
    """files: (name, data, mode). Each goes to a temp file beside its target, 0600 from birth
    (O_EXCL|O_NOFOLLOW refuse a planted file or link), then its final mode; only when all are
    written are they renamed: a reader sees the old files or the new, whole, and a failed write
    (a full disk) changes none of them (a new key beside an old certificate stops nginx)."""
    written = []
    try:
        for name, data, mode in files:
            tmp = os.path.join(directory, ".%s.tmp" % name)
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            written.append(tmp)
            with os.fdopen(fd, "wb") as f:
                os.fchmod(fd, mode)
                f.write(data)
                f.flush()
                os.fsync(fd)
        for tmp, (name, _, _) in zip(written, files):
            os.rename(tmp, os.path.join(directory, name))
    except BaseException:
        for tmp in written:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise


# ---------------------------------------------------------------- certbot

def child_env(cfg=None, directory=None):
    """The whole environment of the reload commands, and with cfg and DIR of certbot: its HOME and
    XDG_CONFIG_HOME are DIR/certbot (root's alone), REQUESTS_CA_BUNDLE trusts a private CA."""
    env = {"PATH": PATH, "LANG": "C.UTF-8"}
    if cfg is not None:
        own = os.path.join(directory, "certbot")
        env.update(HOME=own, XDG_CONFIG_HOME=own)
        if cfg.get("ca_file"):
            # How certbot (python-requests) trusts a private ACME server's certificate.
            env["REQUESTS_CA_BUNDLE"] = cfg["ca_file"]
        if CERTBOT != "/usr/bin/certbot":
            env.update((k, v) for k, v in os.environ.items() if k.startswith("FAKE_CERTBOT_"))
    return env


def certbot_argv(cfg, directory, renew):
    own = os.path.join(directory, "certbot")
    argv = [CERTBOT, "certonly", "--non-interactive",
            "--config-dir", os.path.join(own, "config"),
            "--work-dir", os.path.join(own, "work"),
            "--logs-dir", os.path.join(own, "logs"),
            # certbot keeps 1000 rotated logs by default.
            "--max-log-backups", "10",
            "--cert-name", cfg["app"], "--server", cfg["directory"], "--agree-tos"]
    if cfg.get("email"):
        # --no-eff-email: never share the address with the EFF (and never contact its server).
        argv += ["-m", cfg["email"], "--no-eff-email"]
    else:
        argv += ["--register-unsafely-without-email"]
    challenge = cfg["challenge"]
    if "webroot" in challenge:
        argv += ["--webroot", "-w", challenge["webroot"]]
    else:
        host, port = HOST_PORT.match(challenge["standalone"]).groups()
        argv += ["--standalone", "--http-01-address", host, "--http-01-port", port]
    for name in cfg["names"]:
        argv += ["-d", name]
    # With --cert-name and --non-interactive, certbot replaces the lineage's names by the -d list
    # without asking (tested with certbot 2.1). Without --force-renewal it keeps a lineage that
    # covers the names and is not due by its own rule, so a lost cert.pem costs no new issuance.
    if renew:
        argv.append("--force-renewal")
    return argv


def run_certbot(argv, env, log_path):
    """certbot's exit code, or None when it ran out of time (its whole process group is killed)."""
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as log:
        os.fchmod(fd, 0o600)
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    env=env, cwd="/", start_new_session=True)
        except (OSError, ValueError) as e:
            log.write(("cannot run %s: %s\n" % (argv[0], e)).encode())
            return 127
        try:
            return proc.wait(timeout=CERTBOT_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return None


def failure_cause(output):
    """The useful part of certbot's output: the CA's "Domain/Type/Detail" report, or the error
    under "An unexpected error occurred:", or its last line that is not boilerplate."""
    lines = [line.strip() for line in output.splitlines()]
    problems, domain, kind = [], None, None
    for line in lines:
        if line.startswith("Domain:"):
            domain = line[7:].strip()
        elif line.startswith("Type:"):
            kind = line[5:].strip()
        elif line.startswith("Detail:"):
            problems.append(": ".join(p for p in (domain, kind, line[7:].strip()) if p))
    if problems:
        return "; ".join(problems)
    for i, line in enumerate(lines):
        if line == "An unexpected error occurred:":
            rest = [x for x in lines[i + 1:] if x and not boilerplate(x)]
            if rest:
                return rest[0]
    rest = [x for x in lines if x and not boilerplate(x)]
    return rest[-1] if rest else "certbot printed nothing"


UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def printable(text, limit=MESSAGE_MAX):
    """text with every control, format (bidi) or line-breaking character as '?', at most limit
    characters: the CA's and the tools' words reach terminals and logs."""
    text = "".join("?" if unicodedata.category(c) in UNPRINTABLE else c for c in text[:limit + 1])
    return text if len(text) <= limit else text[:limit - 3] + "..."


def boilerplate(line):
    return line.startswith(("Saving debug log", "Ask for help", "Hint:", "- - -"))


IPV4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])")
IPV6 = re.compile(r"\[([0-9A-Fa-f:]+)\]")


def ca_addresses(output):
    """The addresses the CA says it tried, in its "Detail:" lines (pebble's "dial tcp
    10.0.0.9:80", Boulder's "10.0.0.9: Fetching http://..."): what the name resolves to, as the CA
    sees it. Other lines are not the CA's (an unreachable ACME server's address is ours)."""
    details = " ".join(x for x in output.splitlines() if x.strip().startswith("Detail:"))
    found = []
    for text in IPV4.findall(details) + IPV6.findall(details):
        try:
            address = str(ipaddress.ip_address(text))
        except ValueError:
            continue
        if address not in found:
            found.append(address)
    return found


def node_addresses():
    """This node's own global addresses (IPv4 from the kernel's local routes, IPv6 from
    /proc/net/if_inet6), so a user can compare them with what the CA connected to."""
    found = []
    try:
        with open("/proc/net/fib_trie") as f:
            last = None
            for line in f:
                line = line.strip()
                if line.startswith("|--"):
                    last = line[3:].strip()
                elif line == "/32 host LOCAL" and last:
                    found.append(last)
    except OSError:
        pass
    try:
        with open("/proc/net/if_inet6") as f:
            for line in f:
                h = line.split()[0]
                found.append(":".join(h[i:i + 4] for i in range(0, 32, 4)))
    except OSError:
        pass
    result = []
    for text in found:
        address = ipaddress.ip_address(text)
        if not (address.is_loopback or address.is_link_local) and str(address) not in result:
            result.append(str(address))
    return result


# ---------------------------------------------------------------- one run

def install(cfg, directory):
    """Copies certbot's live files into DIR; returns the new (names, not_after)."""
    live = os.path.join(directory, "certbot", "config", "live", cfg["app"])
    cert = read_cert(os.path.join(live, "fullchain.pem"))
    if cert is None:
        raise RuntimeError("certbot succeeded but left no certificate in %s" % live)
    missing = [n for n in cfg["names"] if n not in cert[0]]
    if missing:
        raise RuntimeError("certbot's certificate does not cover %s" % ", ".join(missing))
    try:
        # A key that is not the certificate's would stop nginx/HAProxy at their next (re)start.
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(
            os.path.join(live, "fullchain.pem"), os.path.join(live, "privkey.pem"))
    except ssl.SSLError as e:
        raise RuntimeError("certbot's key and certificate do not go together (%s)"
                           % (e.reason or "unusable"))
    with open(os.path.join(live, "fullchain.pem"), "rb") as f:
        chain = f.read()
    with open(os.path.join(live, "privkey.pem"), "rb") as f:
        key = f.read()
    # The reloads run after every rename.
    files = [("key.pem", key, 0o600), ("cert.pem", chain, 0o644)]
    if cfg.get("haproxy_pem"):
        files.append(("haproxy.pem", chain + (b"" if chain.endswith(b"\n") else b"\n") + key, 0o600))
    write_atomic(directory, files)
    return cert


def reload_all(cfg):
    """Runs each reload command; returns what failed (a failed reload keeps the new certificate:
    the next reload or restart serves it)."""
    failed = []
    for argv in cfg.get("reload", []):
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, env=child_env(), cwd="/",
                                    start_new_session=True)
        except (OSError, ValueError) as e:
            failed.append("%s: %s" % (" ".join(argv), getattr(e, "strerror", None) or e))
            continue
        try:
            out, _ = proc.communicate(timeout=RELOAD_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            failed.append("%s: timed out after %d s" % (" ".join(argv), RELOAD_TIMEOUT))
            continue
        if proc.returncode:
            tail = out.decode(errors="replace").strip().splitlines()[-1:]
            failed.append("%s: exit %d%s" % (" ".join(argv), proc.returncode,
                                             (": " + tail[0]) if tail else ""))
    return failed


def attempt(cfg, directory, action, reason, state, t):
    """Runs certbot once and records the result; returns (action, message, next_attempt)."""
    env = child_env(cfg, directory)
    if not os.access(CERTBOT, os.X_OK):
        code, output = 127, ""
        cause = "certbot is not installed (%s is missing): apt-get install certbot" % CERTBOT
    else:
        log = os.path.join(directory, "last.log")
        code = run_certbot(certbot_argv(cfg, directory, action == "renewed"), env, log)
        with open(log, encoding="utf-8", errors="replace") as f:
            output = f.read()
        if code is None:
            code, cause = 124, "certbot timed out after %d s" % CERTBOT_TIMEOUT
        elif code:
            cause = failure_cause(output)
    if code == 0:
        try:
            names, not_after = install(cfg, directory)
        except (RuntimeError, OSError) as e:
            code, cause = 1, str(e)
    if code:
        failures = int(state.get("failures") or 0) + 1
        seen = ca_addresses(output)
        if seen:
            mine = node_addresses()
            cause += "; the CA connected to %s; this node has %s" % (
                ", ".join(seen), ", ".join(mine) if mine else "no global address")
        message = "%s (%s): %s" % ("issuing failed" if action == "issued" else "renewal failed",
                                   reason, cause)
        next_attempt = t + backoff(failures)
        save_state(directory, {"last_attempt": t, "ok": False, "message": message,
                               "failures": failures, "last_success": state.get("last_success"),
                               "next_attempt": next_attempt})
        return "failed", message, next_attempt
    message = "certificate %s (%s) for %s, expires in %s" % (
        action, reason, ", ".join(sorted(names)), days_left(not_after, t))
    failed = reload_all(cfg)
    if failed:
        message += "; reload failed: " + "; ".join(failed)
    save_state(directory, {"last_attempt": t, "ok": True, "message": message, "failures": 0,
                           "last_success": t, "next_attempt": None})
    return action, message, None


def save_state(directory, state):
    state["message"] = printable(state["message"])
    write_atomic(directory, [("state.json", (json.dumps(state, indent=1) + "\n").encode(), 0o644)])


def ensure(directory, force, now_flag):
    check_own_dir(directory)
    cfg = load_config(directory)
    lock = os.open(os.path.join(directory, "lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    # One certbot per DIR: a deploy and the renewal job wait for each other. The decision is made
    # under the lock, so the second one sees what the first installed.
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        t = now()
        has_key = os.path.isfile(os.path.join(directory, "key.pem"))
        cert = read_cert(os.path.join(directory, "cert.pem")) if has_key else None
        action, reason = decide(cfg, cert, t, force)
        state = read_state(directory)
        next_attempt = None
        if action is None:
            action, message = "unchanged", reason
        else:
            failures = int(state.get("failures") or 0)
            if failures and not (force or now_flag):
                next_attempt = int(state.get("last_attempt") or 0) + backoff(failures)
            if next_attempt and t < next_attempt:
                action, message = "skipped", "%s, but %d attempt(s) failed, the last: %s" % (
                    reason, failures, state.get("message"))
            else:
                action, message, next_attempt = attempt(cfg, directory, action, reason, state, t)
        cert = read_cert(os.path.join(directory, "cert.pem"))
    finally:
        os.close(lock)
    return {"action": action, "message": message,
            "names": sorted(cert[0]) if cert else [],
            "not_after": cert[1] if cert else None, "next_attempt": next_attempt}


def main(argv):
    parser = argparse.ArgumentParser(prog="hoist-acme", description="Obtains or renews one "
                                     "app's certificate with certbot, when needed.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ensure", help="make DIR's certificate current")
    p.add_argument("dir", help="/etc/hoist/tls/<app>, holding acme.json")
    p.add_argument("--now", action="store_true", help="ignore the backoff after failures")
    p.add_argument("--force", action="store_true", help="renew even when not due (implies --now)")
    p.add_argument("--quiet", action="store_true", help="no JSON; one line on stderr")
    args = parser.parse_args(argv)
    directory = os.path.abspath(args.dir)
    os.chdir("/")
    try:
        result = ensure(directory, args.force, args.now)
        code = 1 if result["action"] == "failed" else 0
    except Unusable as e:
        result = {"action": "failed", "message": str(e), "names": [], "not_after": None,
                  "next_attempt": None}
        code = 2
    result["message"] = printable(result["message"])
    if args.quiet:
        sys.stderr.write("hoist-acme %s: %s: %s\n" % (directory, result["action"], result["message"]))
    else:
        sys.stdout.write(json.dumps(result) + "\n")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
