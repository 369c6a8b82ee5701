#!/usr/bin/python3 -I
# Hoist's services runner: installed on an app's data node as /usr/local/lib/hoist/hoist-services
# (root, 0755) and run as root by a deploy. It does the parts of provisioning that involve the
# app's generated passwords, so that they are made on the node and never pass through a plan:
#
#   hoist-services prepare CONFIG [--check]    before PostgreSQL and Redis start
#   hoist-services provision CONFIG [--check]  once they run
#
# CONFIG is /etc/hoist/services/<app>/services.json (root 0600, written by the deploy). `prepare`
# generates the passwords once into credentials.json beside it (root 0600), writes the Redis ACL
# file (hashed passwords only), the app's env file (/srv/<app>/etc/services, root:<app> 0640:
# DATABASE_URL, REDIS_URL, UPLOADS_DIR, UPLOADS_URL) and PostgreSQL's pg_hba.conf, assembled from
# every app's services.json on this node. `provision` creates or repairs the app's PostgreSQL role
# (a SCRAM verifier computed here: the server never sees the password), its database, CONNECT
# revoked from PUBLIC, its extensions, and checks the Redis ACL user. With --check nothing
# changes: exit 0 when everything is in place, 1 otherwise (a deploy's probe uses it). Passwords
# are never printed. Exit 2: CONFIG unusable.
import base64
import glob
import hashlib
import hmac
import json
import os
import re
import secrets
import shlex
import socket
import stat
import subprocess
import sys
import time

SERVICES_DIR = "/etc/hoist/services"
PG_HBA = "/etc/postgresql/15/main/pg_hba.conf"
PSQL = "/usr/lib/postgresql/15/bin/psql"
PG_ISREADY = "/usr/lib/postgresql/15/bin/pg_isready"
PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
NAME = re.compile(r"[a-z][a-z0-9_]{0,62}\Z")
APP = re.compile(r"[a-z][a-z0-9-]{0,62}\Z")
EXTENSION = re.compile(r"[a-z][a-z0-9_-]{0,62}\Z")
SCRAM_ITERATIONS = 4096


class Unusable(Exception):
    """CONFIG or a file beside it cannot be used."""


class Failed(Exception):
    """A step did not work; the message says which."""


def say(text):
    print(text, flush=True)


# ---------------------------------------------------------------- files (root-owned, no links)

def read_private(path):
    """A root-owned regular file's bytes, or None when missing; refuses links and other owners."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise Unusable("cannot open %s: %s" % (path, e.strerror))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != 0:
            raise Unusable("%s is not a regular file owned by root" % path)
        chunks = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def file_state(path):
    """(content, uid, gid, mode) of a regular file, or None; never follows a link."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return ("not a file", -1, -1, -1)
    with open(path, "rb") as f:
        return (f.read(), st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode))


def write_file(path, data, uid, gid, mode):
    """Atomically: a temp file beside it (O_EXCL, never a link), fsynced, then renamed."""
    tmp = "%s.hoist-tmp.%d" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        os.fchown(fd, uid, gid)
        os.fchmod(fd, mode)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(tmp, path)


class Writes:
    """Files to bring about; in check mode only compared."""

    def __init__(self, check):
        self.check = check
        self.missing = []

    def ensure(self, path, data, uid, gid, mode, what):
        if file_state(path) == (data, uid, gid, mode):
            return False
        self.missing.append(what)
        if not self.check:
            write_file(path, data, uid, gid, mode)
            say("wrote %s" % what)
        return True


def ids(user, group):
    import grp
    import pwd
    return pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid


# ---------------------------------------------------------------- config and credentials

def load_config(path):
    raw = read_private(path)
    if raw is None:
        raise Unusable("no %s" % path)
    try:
        config = json.loads(raw)
    except ValueError as e:
        raise Unusable("%s is not JSON: %s" % (path, e))
    if not APP.match(str(config.get("app", ""))) or not NAME.match(str(config.get("app_id", ""))):
        raise Unusable("%s: bad app or app_id" % path)
    if os.path.dirname(os.path.abspath(path)) != os.path.join(SERVICES_DIR, config["app"]):
        raise Unusable("%s is not in %s/%s" % (path, SERVICES_DIR, config["app"]))
    if config.get("env_group", config["user"]) not in (config["user"], "root"):
        raise Unusable("%s: env_group is the app's user or root" % path)
    for client in (config.get("postgres") or {}).get("clients", []):
        if not client_ok(client):
            raise Unusable("%s: bad client address %r (an address/32 or /128)" % (path, client))
    for ext in (config.get("postgres") or {}).get("extensions", []):
        if not EXTENSION.match(ext):
            raise Unusable("%s: bad extension name %r" % (path, ext))
    return config


def client_ok(text):
    """A pg_hba.conf address: one host (/32 or /128), never a network, nothing else on the line."""
    import ipaddress
    try:
        net = ipaddress.ip_network(str(text), strict=True)
    except ValueError:
        return False
    return net.num_addresses == 1 and str(net) == text


def credentials_path(config):
    return os.path.join(SERVICES_DIR, config["app"], "credentials.json")


def wanted_credentials(config, have):
    """The credentials with every password the config needs; existing ones are kept."""
    creds = json.loads(json.dumps(have))
    if config.get("postgres"):
        creds.setdefault("postgres", {}).setdefault("password", new_password())
    if config.get("redis"):
        r = creds.setdefault("redis", {})
        r.setdefault("password", new_password())
        r.setdefault("admin_password", new_password())
    return creds


def new_password():
    # URL-safe, so DATABASE_URL and REDIS_URL need no escaping.
    return secrets.token_urlsafe(32)


def load_credentials(config):
    raw = read_private(credentials_path(config))
    if raw is None:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise Unusable("%s is not JSON; move it away to generate new passwords"
                       % credentials_path(config))


# ---------------------------------------------------------------- what the files hold

def env_text(config, creds):
    env = {}
    pg = config.get("postgres")
    if pg:
        env["DATABASE_URL"] = "postgres://%s:%s@%s:%d/%s" % (
            config["app_id"], creds["postgres"]["password"], pg["host"], pg["port"], config["app_id"])
    r = config.get("redis")
    if r:
        env["REDIS_URL"] = "redis://%s:%s@%s:%d/0" % (
            config["app_id"], creds["redis"]["password"], r["host"], r["port"])
    f = config.get("files")
    if f:
        env["UPLOADS_DIR"] = f["dir"]
        env["UPLOADS_URL"] = f["url"]
    lines = ["# Managed by hoist: app '%s''s backing services (root:%s 0640). Never print it."
             % (config["app"], config["user"])]
    lines += ["%s=%s" % (k, shlex.quote(v)) for k, v in env.items()]
    return ("\n".join(lines) + "\n").encode()


def acl_text(config, creds):
    def digest(p):
        return hashlib.sha256(p.encode()).hexdigest()
    r = creds["redis"]
    return ("user default off\n"
            "user %s on #%s ~* &* +@all -@admin -@dangerous\n"
            "user hoist on #%s ~* &* +@all\n"
            % (config["app_id"], digest(r["password"]), digest(r["admin_password"]))).encode()


def hba_text():
    """pg_hba.conf: the superuser over its socket, then each app's role from its own nodes."""
    lines = ["# Managed by hoist: assembled from %s/*/services.json on every deploy of an app"
             % SERVICES_DIR,
             "# with services. Anything not listed is refused; there is no 'trust' line.",
             "local   all   postgres   peer"]
    for path in sorted(glob.glob(os.path.join(SERVICES_DIR, "*", "services.json"))):
        try:
            config = load_config(path)
        except Unusable:
            continue
        pg = config.get("postgres")
        if not pg:
            continue
        role = config["app_id"]
        dbs = "%s,%s_drill" % (role, role)
        lines.append("# app %s" % config["app"])
        # Over the socket any database the role may CONNECT to: a restore stages the app's data in
        # <role>_restore_<ts>, logged in as the role itself (never SET ROLE from the superuser).
        lines.append("local   all   %s   scram-sha-256" % role)
        for address in pg.get("clients", []):
            lines.append("host    %s   %s   %s   scram-sha-256" % (dbs, role, address))
    return ("\n".join(lines) + "\n").encode()


# ---------------------------------------------------------------- prepare

def prepare(config, check):
    writes = Writes(check)
    have = load_credentials(config)
    creds = wanted_credentials(config, have)
    private = os.path.join(SERVICES_DIR, config["app"])
    if creds != have:
        writes.missing.append("credentials")
        if check:
            return writes.missing
        write_file(credentials_path(config), (json.dumps(creds, indent=2) + "\n").encode(),
                   0, 0, 0o600)
        say("generated passwords into %s" % credentials_path(config))
    if config.get("redis"):
        _, redis_gid = ids("redis", "redis")
        writes.ensure(os.path.join(private, "redis.acl"), acl_text(config, creds), 0, redis_gid,
                      0o640, "the Redis ACL file")
    # On a db node of its own no app user exists: the env file stays root's (0600) for the deploy
    # to read and carry to the app nodes.
    group = config.get("env_group", config["user"])
    import grp
    env_gid = grp.getgrnam(group).gr_gid
    writes.ensure(config["env_file"], env_text(config, creds), 0, env_gid,
                  0o600 if group == "root" else 0o640, config["env_file"])
    # Also without postgres: an app that dropped it loses its lines (pg_hba is every app's).
    if config.get("postgres") or os.path.exists(PG_HBA):
        pg_uid, pg_gid = ids("postgres", "postgres")
        if writes.ensure(PG_HBA, hba_text(), pg_uid, pg_gid, 0o640, PG_HBA) and not check:
            if postgres_ready(0):
                sql("postgres", "SELECT pg_reload_conf()")
                say("PostgreSQL reloaded pg_hba.conf")
    return writes.missing


# ---------------------------------------------------------------- PostgreSQL

# The app owns its database and may set a search_path on it (ALTER DATABASE ... SET): the superuser's
# sessions override it, else the app's objects would shadow pg_catalog's and run as the superuser.
SUPERUSER_ENV = {"PGOPTIONS": "-c search_path=pg_catalog,pg_temp"}


def sql(db, statement):
    """Runs one statement as the superuser over the socket; returns the rows' text."""
    proc = subprocess.run(
        ["/usr/sbin/runuser", "-u", "postgres", "--", PSQL, "-X", "-q", "-At", "-v",
         "ON_ERROR_STOP=1", "-d", db, "-f", "-"],
        input=statement.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd="/",
        env=dict(SUPERUSER_ENV, PATH=PATH, LANG="C.UTF-8"), timeout=60)
    if proc.returncode != 0:
        raise Failed("psql: %s" % proc.stderr.decode("utf-8", "replace").strip())
    return proc.stdout.decode().splitlines()


def postgres_ready(wait):
    deadline = time.time() + wait
    while True:
        rc = subprocess.run([PG_ISREADY, "-q", "-h", "/var/run/postgresql", "-p", "5432"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={"PATH": PATH}).returncode
        if rc == 0:
            return True
        if time.time() >= deadline:
            return False
        time.sleep(0.2)


def scram_verifier(password, salt, iterations=SCRAM_ITERATIONS):
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    b64 = base64.b64encode
    return "SCRAM-SHA-256$%d:%s$%s:%s" % (iterations, b64(salt).decode(), b64(stored_key).decode(),
                                          b64(server_key).decode())


def verifier_matches(verifier, password):
    m = re.match(r"SCRAM-SHA-256\$([0-9]+):([A-Za-z0-9+/=]+)\$", verifier or "")
    if not m:
        return False
    expected = scram_verifier(password, base64.b64decode(m.group(2)), int(m.group(1)))
    return hmac.compare_digest(expected, verifier)


def literal(text):
    return "'" + text.replace("'", "''") + "'"


def provision_postgres(config, creds, check):
    role = config["app_id"]
    q = '"%s"' % role
    missing = []
    if not postgres_ready(0 if check else 60):
        if check:
            return ["PostgreSQL running"]
        raise Failed("PostgreSQL does not accept connections on /var/run/postgresql:5432")
    password = creds["postgres"]["password"]
    rows = sql("postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = %s" % literal(role))
    if not rows or not verifier_matches(rows[0], password):
        missing.append("role %s" % role)
        if not check:
            verb = "ALTER" if rows else "CREATE"
            sql("postgres", "%s ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %s"
                % (verb, q, literal(scram_verifier(password, secrets.token_bytes(16)))))
            say("%s role %s" % ("updated" if rows else "created", role))
    rows = sql("postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s"
               % literal(role))
    if not rows or rows[0] != role:
        missing.append("database %s" % role)
        if not check and not rows:
            # Made by the superuser and closed until CONNECT is revoked from PUBLIC: nobody (the
            # app included) can prepare objects in it before the extensions' scripts run.
            sql("postgres", "CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0 ALLOW_CONNECTIONS false"
                % q)
            sql("postgres", "REVOKE CONNECT, TEMPORARY ON DATABASE %s FROM PUBLIC" % q)
            sql("postgres", "ALTER DATABASE %s ALLOW_CONNECTIONS true" % q)
            say("created database %s" % role)
    if check and missing:
        return missing
    rows = sql("postgres", "SELECT has_database_privilege('public', %s, 'CONNECT')" % literal(role))
    if rows != ["f"]:
        missing.append("CONNECT revoked from PUBLIC")
        if not check:
            sql("postgres", "REVOKE CONNECT, TEMPORARY ON DATABASE %s FROM PUBLIC" % q)
    owner = sql("postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s"
                % literal(role))
    have = set(sql(role, "SELECT extname FROM pg_extension"))
    for ext in config["postgres"].get("extensions", []):
        if ext not in have:
            missing.append("extension %s" % ext)
            if not check:
                refuse_untrusted_in_apps_database(role, ext, owner == [role])
                # Into public, as by default: sql()'s search_path would put it in pg_catalog.
                sql(role, 'SET search_path = public;\nCREATE EXTENSION IF NOT EXISTS "%s";' % ext)
                say("created extension %s" % ext)
    if not check and owner != [role]:
        sql("postgres", "ALTER DATABASE %s OWNER TO %s" % (q, q))
    return missing


def refuse_untrusted_in_apps_database(db, ext, app_owns_it):
    """An untrusted extension's script runs as the superuser; in a database the app already owns,
    the app could have planted functions or operators in public that the script would call."""
    if not app_owns_it:
        return
    rows = sql("postgres", "SELECT trusted FROM pg_available_extension_versions v JOIN "
               "pg_available_extensions e USING (name) WHERE v.name = %s AND v.version = e.default_version"
               % literal(ext))
    if rows != ["t"]:
        raise Failed("extension %s is not a trusted extension, and database %s already belongs to the "
                     "app: hoist will not run its script as the superuser where the app could have "
                     "prepared objects for it. Check the database, then create it yourself on the db "
                     "node: runuser -u postgres -- psql -d %s -c 'CREATE EXTENSION %s' (docs/security.md)"
                     % (ext, db, db, ext))


# ---------------------------------------------------------------- Redis

def redis_command(unix_socket, user, password, *args, timeout=2.0):
    """One AUTH, then one command over RESP; returns the reply (bytes, int, list) or raises.
    Over the instance's Unix socket (redis-owned dir): a TCP port could be the app's own listener
    while Redis is down, and would be handed the password."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(unix_socket)
        f = s.makefile("rb")

        def send(*words):
            out = b"*%d\r\n" % len(words)
            for w in words:
                w = w.encode() if isinstance(w, str) else w
                out += b"$%d\r\n%s\r\n" % (len(w), w)
            s.sendall(out)
            return reply(f)
        send("AUTH", user, password)
        return send(*args)


class RedisError(Exception):
    pass


def reply(f):
    line = f.readline()
    if not line:
        raise RedisError("connection closed")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest
    if kind == b"-":
        raise RedisError(rest.decode("utf-8", "replace"))
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        return None if n < 0 else f.read(n + 2)[:-2]
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [reply(f) for _ in range(n)]
    raise RedisError("unexpected reply %r" % line)


def provision_redis(config, creds, check):
    where = config["redis"]["socket"]
    deadline = time.time() + (0 if check else 30)
    while True:
        try:
            who = redis_command(where, config["app_id"], creds["redis"]["password"], "ACL", "WHOAMI")
            if who == config["app_id"].encode():
                return []
            raise RedisError("ACL WHOAMI said %r" % who)
        except (OSError, RedisError) as e:
            if check:
                return ["Redis ACL user %s" % config["app_id"]]
            if time.time() >= deadline:
                raise Failed("Redis on %s does not accept the app's user: %s" % (where, e))
        try:
            # The ACL file changed while Redis ran: load it (the admin user may still be the old).
            redis_command(where, "hoist", creds["redis"]["admin_password"], "ACL", "LOAD")
        except (OSError, RedisError):
            pass
        time.sleep(0.2)


def provision(config, check):
    creds = load_credentials(config)
    if creds != wanted_credentials(config, creds):
        if check:
            return ["credentials"]
        raise Failed("no credentials yet: run 'prepare' first")
    missing = []
    if config.get("postgres"):
        missing += provision_postgres(config, creds, check)
    if config.get("redis"):
        missing += provision_redis(config, creds, check)
    return missing


def main(argv):
    if len(argv) < 3 or argv[1] not in ("prepare", "provision") or argv[3:] not in ([], ["--check"]):
        sys.stderr.write("usage: hoist-services prepare|provision CONFIG [--check]\n")
        return 2
    os.umask(0o077)
    check = argv[3:] == ["--check"]
    try:
        config = load_config(argv[2])
        missing = (prepare if argv[1] == "prepare" else provision)(config, check)
    except Unusable as e:
        sys.stderr.write("hoist-services: %s\n" % e)
        return 2
    except (Failed, subprocess.TimeoutExpired, OSError) as e:
        sys.stderr.write("hoist-services: %s\n" % e)
        return 1
    if check:
        return 1 if missing else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
