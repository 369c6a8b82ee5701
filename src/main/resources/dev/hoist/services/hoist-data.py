#!/usr/bin/python3 -I
# Hoist's data runner: installed on an app's data node as /usr/local/lib/hoist/hoist-data (root,
# 0755) and run as root by 'hoist backup/restore/backups' over SSH and by the scheduled backup job.
#
#   hoist-data backup    --app A                       bundle on stdout
#   hoist-data verify    [FILE|-]                      checks a bundle
#   hoist-data restore   --app A [--as FROM] [--yes] [FILE|-|--latest]
#   hoist-data cleanup   --app A                       drops the data a restore kept
#   hoist-data drill     --app A [FILE]                restores into a scratch database and checks it
#   hoist-data scheduled --app A                       the scheduled job (backup.json)
#   hoist-data status    --app A                       JSON on stdout
#   hoist-data purge     --app A --service S... [--yes] what a dropped service left (deleted with --yes)
#
# Progress and the result are JSON lines on stderr ({"event": "progress"|"warning"|"result", ...});
# exit 0 ok, 1 failed, 2 bad input (a bundle that is not right is bad input). The bundle format and
# this contract are in docs/backups.md.
#
# Trust: root runs this, so it never reads or follows what the app user can write: the uploads are
# archived and extracted by tar running AS THE APP USER, a bundle is parsed here as untrusted data
# (names whitelisted, regular members only, sizes bounded, every checksum checked) and pg_restore
# --list of a bundle being verified runs as nobody. PostgreSQL tools run as postgres.
#
# For tests only: HOIST_DATA_ROOT prefixes every path, HOIST_DATA_PGHOST/PGPORT/PGBIN name another
# PostgreSQL, HOIST_DATA_CHUNK another chunk size, HOIST_DATA_REDIS_START how long a restarted Redis
# may take to answer.
import argparse
import datetime
import fcntl
import grp
import hashlib
import json
import os
import pwd
import queue
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.parse

ROOT = os.environ.get("HOIST_DATA_ROOT", "")
PGHOST = os.environ.get("HOIST_DATA_PGHOST", "/var/run/postgresql")
PGPORT = os.environ.get("HOIST_DATA_PGPORT", "5432")
PGBIN = os.environ.get("HOIST_DATA_PGBIN", "/usr/lib/postgresql/15/bin")
CHUNK = int(os.environ.get("HOIST_DATA_CHUNK", str(8 << 20)))
CHUNK_MAX = 8 << 20
PIECE = 1 << 20
# What the caller of restore --wait-go sends once its maintenance flags are on.
GO = b"go\n"
PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
FORMAT = 1
JSON_MAX = 1 << 20
ROLES_MAX = 1 << 20
BGSAVE_TIMEOUT = 3600
CHECK_TIMEOUT = 600
REDIS_START = int(os.environ.get("HOIST_DATA_REDIS_START", "60"))
OUTPUT_MAX = 2000

APP = re.compile(r"[a-z][a-z0-9-]{0,30}\Z")
# The parts in bundle order: key -> (member name pattern, single member?).
PARTS = [
    ("postgres/roles.sql", "postgres", re.compile(r"postgres/roles\.sql\Z")),
    ("postgres/dump", "postgres", re.compile(r"postgres/dump\.([0-9]{6})\Z")),
    ("redis/dump.rdb", "redis", re.compile(r"redis/dump\.rdb\.([0-9]{6})\Z")),
    ("files/uploads.tar", "files", re.compile(r"files/uploads\.tar\.([0-9]{6})\Z")),
]
SERVICES = ["postgres", "redis", "files"]
HEADER = "hoist-backup/header.json"
MANIFEST = "hoist-backup/manifest.json"
HEADER_KEYS = ["format", "app", "app_id", "release", "created", "node", "postgres_version",
               "redis_version", "parts"]


class Bad(Exception):
    """Bad input: a bundle that is not right, another app's bundle, a target holding data (exit 2)."""


class Failed(Exception):
    """Something on the node failed (exit 1)."""


class Interrupted(Exception):
    """SIGINT, SIGTERM or SIGHUP arrived."""


# ---------------------------------------------------------------------------------------------
# Output, paths, small helpers

EMIT = threading.Lock()  # one whole line at a time, whichever thread reports


def emit(event, **fields):
    fields = dict({"event": event}, **fields)
    try:
        with EMIT:
            sys.stderr.write(json.dumps(fields, sort_keys=True) + "\n")
            sys.stderr.flush()
    except (BrokenPipeError, OSError):
        pass


T0 = time.monotonic()


def mark(what):
    """A stage reached, for the CLI's HOIST_TRACE timings ({"event": "mark"}; older CLIs skip it)."""
    emit("mark", what=what, ms=int((time.monotonic() - T0) * 1000))


def path(p):
    return ROOT + p


def app_id(app):
    return app.replace("-", "_")


def stamp(t=None):
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(t))


def iso(t=None):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def backups_dir(app):
    return path("/var/backups/hoist/" + app)


def state_dir(app):
    return path("/var/lib/hoist/data/" + app)


def services_dir(app):
    return path("/etc/hoist/services/" + app)


def uploads_dir(app):
    return path("/srv/%s/shared/uploads" % app)


def bundle_name(app, t):
    return "%s-%s.hoistbak" % (app, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t)))


BUNDLE = re.compile(r"([a-z][a-z0-9-]{0,30})-([0-9]{8}T[0-9]{6}Z)\.hoistbak\Z")


def read_json(p, default=None, limit=JSON_MAX):
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return default
    with os.fdopen(fd, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise Failed("%s is larger than %d bytes" % (p, limit))
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError as e:
        raise Failed("%s is not valid JSON: %s" % (p, e))


def write_json_atomic(p, obj, mode=0o600):
    d = os.path.dirname(p)
    os.makedirs(d, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(obj, f, indent=1, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.rename(tmp, p)
    except BaseException:
        os.unlink(tmp)
        raise


def credentials(app):
    return read_json(os.path.join(services_dir(app), "credentials.json"), default={}) or {}


def tail(text, limit=OUTPUT_MAX):
    text = text.strip()
    return text if len(text) <= limit else "..." + text[-limit:]


class Lock:
    """One data job per app at a time (backup excepted: it only reads)."""

    def __init__(self, app):
        d = state_dir(app)
        os.makedirs(d, mode=0o700, exist_ok=True)
        self.fd = os.open(os.path.join(d, "lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise Failed("another restore, drill, cleanup or scheduled backup of %s is running; "
                         "wait for it and try again" % app)

    def close(self):
        os.close(self.fd)


def read_state(app):
    return read_json(os.path.join(state_dir(app), "state.json"), default={}) or {}


def update_state(app, change):
    p = os.path.join(state_dir(app), "state.json")
    state = read_state(app)
    change(state)
    write_json_atomic(p, state)
    return state


# Every child runs in its own session: a Ctrl-C on the caller's terminal reaches only this runner,
# which then ends its children itself (by pid) and drops what it staged.
CHILDREN = set()


def spawn(argv, user=None, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=None, cwd="/", umask=0o077):
    if user is not None:
        argv = ["/usr/sbin/runuser", "-u", user, "--"] + argv
    e = {"PATH": PATH, "LANG": "C.UTF-8"}
    e.update(env or {})
    p = subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, env=e, cwd=cwd,
                         start_new_session=True, umask=umask)
    CHILDREN.add(p)
    p.err = []
    t = threading.Thread(target=_collect, args=(p,), daemon=True)
    t.start()
    p.err_thread = t
    return p


def _collect(p):
    size = 0
    for line in iter(p.stderr.readline, b""):
        if size < 64 * 1024:
            p.err.append(line.decode("utf-8", "replace"))
            size += len(line)
    p.stderr.close()


def finish(p, timeout=None):
    """Waits for a child; returns (exit code, its stderr)."""
    try:
        rc = p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(p)
        raise Failed("%s did not finish within %ss" % (os.path.basename(p.args[-1]), timeout))
    p.err_thread.join(5)
    CHILDREN.discard(p)
    return rc, "".join(p.err)


def kill(p):
    if p is not None and p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    CHILDREN.discard(p)


def kill_children():
    for p in list(CHILDREN):
        kill(p)


def run(argv, user=None, input_data=None, timeout=120, env=None, cwd="/"):
    p = spawn(argv, user=user, stdin=subprocess.PIPE if input_data is not None else subprocess.DEVNULL,
              env=env, cwd=cwd)
    out = []
    t = threading.Thread(target=lambda: out.append(p.stdout.read()), daemon=True)
    t.start()
    if input_data is not None:
        try:
            p.stdin.write(input_data)
        except BrokenPipeError:
            pass
        p.stdin.close()
    rc, err = finish(p, timeout)
    t.join(5)
    p.stdout.close()
    return rc, (out[0] if out else b"").decode("utf-8", "replace"), err


def read_full(f, n):
    """Reads up to n bytes, less only at end of stream."""
    parts, size = [], 0
    while size < n:
        b = f.read(n - size)
        if not b:
            break
        parts.append(b)
        size += len(b)
    return b"".join(parts)


# ---------------------------------------------------------------------------------------------
# PostgreSQL (as postgres, over the local socket)

def pg_argv(tool, *args):
    return [os.path.join(PGBIN, tool), "-h", PGHOST, "-p", PGPORT] + list(args)


def ident(name):
    return '"%s"' % name.replace('"', '""')


def literal(value):
    return "'%s'" % value.replace("'", "''")


# The superuser's sessions ignore any search_path the app set on its database (its owner may: ALTER
# DATABASE ... SET search_path): else the app's objects would shadow pg_catalog's and run as the
# superuser. A connection's own options outrank the database's settings.
SUPERUSER_ENV = {"PGOPTIONS": "-c search_path=pg_catalog,pg_temp"}


def app_login(app):
    """argv and env that log in as the app's own role. What the app wrote (a dump's SQL, its functions
    in CHECKs and defaults, a drill check's query) runs in such a session only: under --role or SET
    ROLE the session user is still the superuser, and the app's code could RESET ROLE to it."""
    password = (credentials(app).get("postgres") or {}).get("password")
    return ["-w", "-U", app_id(app)], ({"PGPASSWORD": password} if password else {})


def psql(sql, db="postgres", timeout=120, check=True, app=None):
    login, env = app_login(app) if app else ([], SUPERUSER_ENV)
    rc, out, err = run(pg_argv("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db, *login),
                       user="postgres", input_data=sql.encode(), timeout=timeout, env=env)
    if check and rc != 0:
        raise Failed("PostgreSQL: %s" % tail(err, 600))
    return rc, out, err


def pg_version():
    rc, out, err = psql("SHOW server_version;", check=False, timeout=30)
    if rc != 0:
        raise pg_down(rc, err)
    return out.strip()


def pg_down(rc, err):
    return Failed("PostgreSQL is not answering on %s port %s (%s); start it (pg_ctlcluster 15 main "
                  "start, or 'hoist deploy' to provision it) and run this again"
                  % (PGHOST, PGPORT, tail(err, 300) or "psql exit %d" % rc))


def pg_facts(app, patterns=()):
    """What a backup, restore or drill needs to know first, in one psql (each costs a process start
    and a login): the server's version (else the 'not answering' error), the app role's attributes
    (None: no role), which of the live database and databases LIKE `patterns` exist, and the live
    database's extensions (for a staging database)."""
    live = app_id(app)
    like = "".join(" OR datname LIKE %s" % literal(p) for p in patterns)
    sql = ("SELECT 'version|' || current_setting('server_version');\n"
           "SELECT concat_ws('|', 'role', rolcanlogin, rolcreatedb, rolcreaterole) FROM pg_roles "
           "WHERE rolname = %s;\n"
           "SELECT 'db|' || datname FROM pg_database WHERE datname = %s%s ORDER BY 1;\n"
           "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = %s) AS hoist_live \\gset\n"
           "\\if :hoist_live\n\\connect %s\n"
           "SELECT 'ext|' || extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1;\n"
           "\\endif\n" % (literal(live), literal(live), like, literal(live), live))
    rc, out, err = psql(sql, check=False, timeout=30)
    if rc != 0 and out.startswith("version|"):
        raise Failed("PostgreSQL: %s" % tail(err, 600))
    if rc != 0:
        raise pg_down(rc, err)
    facts = {"version": None, "role": None, "databases": [], "extensions": []}
    for line in out.splitlines():
        kind, _, rest = line.partition("|")
        if kind == "version":
            facts["version"] = rest.strip()
        elif kind == "role":
            facts["role"] = [v == "true" for v in rest.split("|")]
        elif kind == "db":
            facts["databases"].append(rest)
        elif kind == "ext" and re.match(r"[a-z0-9_]+\Z", rest):
            facts["extensions"].append(rest)
    facts["live"] = live in facts["databases"]
    return facts


def pg_databases(pattern):
    _, out, _ = psql("SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY 1;" % literal(pattern))
    return [line for line in out.splitlines() if line]


def pg_exists(db):
    return bool(pg_databases(db.replace("_", "\\_")))


def pg_tables(db):
    _, out, _ = psql("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                     "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', "
                     "'information_schema') AND n.nspname NOT LIKE 'pg\\_%';", db=db)
    return int(out.strip() or 0)


def pg_roles_sql(role, flags):
    """The role's CREATE ROLE; flags: [login, createdb, createrole] from pg_facts (None: no role)."""
    login, createdb, createrole = flags if flags and len(flags) == 3 else (True, False, False)
    attrs = ["LOGIN" if login else "NOLOGIN", "NOSUPERUSER",
             "CREATEDB" if createdb else "NOCREATEDB",
             "CREATEROLE" if createrole else "NOCREATEROLE"]
    return ("-- The app's role, without its password: the target keeps its own role and password.\n"
            "CREATE ROLE %s WITH %s;\n" % (ident(role), " ".join(attrs))).encode()


def pg_create_staging(db, owner, extensions):
    """A new database closed to others, with `extensions` (the live database's, from pg_facts),
    then given to the app role: one psql. It belongs to the superuser and takes no connections
    until CONNECT is revoked from PUBLIC, so nobody (the app included: the drill's name is known)
    can plant objects in it for the extensions' scripts, which run as the superuser."""
    sql = ("CREATE DATABASE %s ALLOW_CONNECTIONS false;\nREVOKE CONNECT, TEMPORARY ON DATABASE %s FROM PUBLIC;\n"
           "ALTER DATABASE %s ALLOW_CONNECTIONS true;\n" % (ident(db), ident(db), ident(db)))
    exts = [e for e in extensions if re.match(r"[a-z0-9_]+\Z", e)]
    if exts:
        # Extensions are created by the superuser (the app role may not); the dump's own
        # CREATE EXTENSION IF NOT EXISTS then finds them.
        # Into public, as by default (psql's search_path would put them in pg_catalog).
        sql += "\\connect %s\nSET search_path = public;\n" % db + "".join(
            "CREATE EXTENSION IF NOT EXISTS %s;\n" % ident(e) for e in exts)
    sql += "ALTER DATABASE %s OWNER TO %s;\n" % (ident(db), ident(owner))
    psql(sql)


def pg_restore(app, db, listfile=None):
    """pg_restore reading a dump on stdin into db, logged in as the app's role (app_login); only
    the entries listfile leaves in, when given."""
    login, env = app_login(app)
    select = ["-L", listfile] if listfile else []
    return spawn(pg_argv("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *select, "-d", db,
                         *login),
                 user="postgres", stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env)


def pg_drop(db):
    # Scratch names can be another app's live database (app shop's drill is shop_drill, the live
    # database of app shop-drill): never drop one of those.
    if db in live_databases():
        raise Failed("database %s is the live database of another app on this node; hoist will not "
                     "drop it. Rename one of the apps (their scratch databases share a name)" % db)
    psql("DROP DATABASE IF EXISTS %s WITH (FORCE);" % ident(db), timeout=300)


def live_databases():
    """The live database of every app with services on this node."""
    try:
        apps = os.listdir(path("/etc/hoist/services"))
    except FileNotFoundError:
        return set()
    return {app_id(a) for a in apps if APP.match(a)}


# ---------------------------------------------------------------------------------------------
# Redis: the app's own instance, through its admin user (RESP over the instance's Unix socket in
# its redis-owned 0750 directory, never over TCP: the app could bind the TCP port while Redis is
# down and be handed the admin password; no password in argv)

def redis_conf(app):
    conf = {"port": None, "dir": path("/var/lib/hoist/redis/" + app), "dbfilename": "dump.rdb"}
    p = os.path.join(services_dir(app), "redis.conf")
    try:
        with open(p) as f:
            for line in f:
                words = line.split()
                if len(words) == 2 and words[0] in ("port", "dir", "dbfilename", "unixsocket"):
                    conf[words[0]] = words[1].strip('"')
    except FileNotFoundError:
        return None
    if conf["port"] is None or not conf["port"].isdigit():
        raise Failed("%s names no port" % p)
    if os.path.basename(conf["dbfilename"]) != conf["dbfilename"]:
        raise Failed("%s: dbfilename must be a plain file name" % p)
    return conf


class Redis:
    def __init__(self, conf, password, timeout=10):
        where = conf.get("unixsocket")
        if not where:
            raise Failed("the app's redis.conf names no unixsocket; run hoist deploy to update it")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(where)
        except OSError as e:
            self.sock.close()
            raise Failed("Redis is not answering on %s (%s); start it (hoist deploy) and "
                         "run this again" % (where, e))
        self.buf = self.sock.makefile("rb")
        self.call("AUTH", "hoist", password)

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        try:
            self.sock.sendall(out)
            return self._reply()
        except OSError as e:
            raise Failed("Redis: %s" % e)

    def _reply(self):
        line = self.buf.readline()
        if not line.endswith(b"\r\n"):
            raise Failed("Redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise Failed("Redis: %s" % rest.decode("utf-8", "replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.buf.read(n + 2)
            return data[:-2].decode("utf-8", "replace")
        if kind == b"*":
            return [self._reply() for _ in range(int(rest))]
        raise Failed("Redis: unexpected reply %r" % line[:40])

    def info(self, section):
        out = {}
        for line in self.call("INFO", section).splitlines():
            if ":" in line and not line.startswith("#"):
                k, v = line.split(":", 1)
                out[k] = v
        return out

    def close(self):
        self.sock.close()


def redis_connect(app):
    conf = redis_conf(app)
    password = (credentials(app).get("redis") or {}).get("admin_password")
    if conf is None or not password:
        raise Failed("app %s has no Redis on this node (no redis.conf or admin password)" % app)
    return conf, Redis(conf, password)


def redis_bgsave(r):
    """Starts a BGSAVE (waiting out one already running: Redis refuses a second). Its completion is
    read from INFO, not LASTSAVE: LASTSAVE counts whole seconds, so a save finishing within the
    second of the one before would never be seen to move."""
    end = time.time() + BGSAVE_TIMEOUT
    while True:
        try:
            r.call("BGSAVE")
            return
        except Failed as e:
            if "in progress" not in str(e) or time.time() > end:
                raise
            time.sleep(0.02)


def redis_saved(r, conf):
    """Waits for the BGSAVE redis_bgsave started (INFO's rdb_bgsave_in_progress is 1 from the fork
    until Redis has renamed the complete file in; a save starting after it only makes the wait
    longer), checks it worked and opens dump.rdb."""
    end = time.time() + BGSAVE_TIMEOUT
    while True:
        persistence = r.info("persistence")
        if persistence.get("rdb_bgsave_in_progress") == "0":
            break
        if time.time() > end:
            raise Failed("Redis did not finish BGSAVE within %ss" % BGSAVE_TIMEOUT)
        time.sleep(0.02)
    status = persistence.get("rdb_last_bgsave_status")
    if status != "ok":
        raise Failed("Redis BGSAVE failed (rdb_last_bgsave_status: %s); see the instance's log" % status)
    fd = os.open(os.path.join(conf["dir"], conf["dbfilename"]), os.O_RDONLY | os.O_NOFOLLOW)
    return os.fdopen(fd, "rb")


# ---------------------------------------------------------------------------------------------
# Supervisors: runit (/etc/service/NAME) or systemd (NAME.service), whichever runs the service

def supervisor(name):
    if os.path.isdir(path("/etc/service/" + name)):
        return "runit"
    if not ROOT and os.path.isdir("/run/systemd/system"):
        rc, out, _ = run(["systemctl", "show", "--property=LoadState", "--value", name + ".service"],
                         timeout=30)
        if rc == 0 and out.strip() == "loaded":
            return "systemd"
    return None


def service(name, verb):
    kind = supervisor(name)
    if kind == "runit" and verb == "stop":
        runit_stop(name)
        return
    if kind == "runit":
        argv = {"start": ["sv", "up"], "reload": ["sv", "hup"]}[verb]
        argv = argv + [path("/etc/service/" + name)]
    elif kind == "systemd":
        argv = ["systemctl", verb, name + ".service"]
    else:
        raise Failed("service %s is not supervised here (no runit service, no systemd unit)" % name)
    rc, out, err = run(argv, timeout=90)
    if rc != 0:
        raise Failed("%s failed (exit %d): %s" % (" ".join(argv), rc, tail(out + err, 500)))


def runit_stop(name, timeout=60):
    """sv down, then waits for runsv to report the process gone: as `sv -w` does, but looking every
    20 ms instead of sv's 420 (the 503 window of a restore waits on it)."""
    d = path("/etc/service/" + name)
    rc, out, err = run(["sv", "down", d], timeout=30)
    if rc != 0:
        raise Failed("sv down %s failed (exit %d): %s" % (d, rc, tail(out + err, 500)))
    end = time.time() + timeout
    while True:
        try:
            with open(os.path.join(d, "supervise", "stat")) as f:
                if f.read().startswith("down"):
                    return
        except FileNotFoundError:
            pass
        if time.time() > end:
            raise Failed("%s did not stop within %ss" % (name, timeout))
        time.sleep(0.02)


def wait_redis(conf, password):
    """Waits until Redis serves again: up to REDIS_START s to answer at all, and while it answers
    LOADING (a large dump takes a while), up to an hour."""
    start = time.time()
    while True:
        try:
            r = Redis(conf, password, timeout=2)
            try:
                r.call("PING")
            finally:
                r.close()
            return
        except Failed as e:
            loading = "LOADING" in str(e)
            if time.time() - start > (3600 if loading else REDIS_START):
                raise Failed("Redis did not come back with the restored data within %ss: %s; see "
                             "its log ('hoist logs')" % (int(time.time() - start), e))
            time.sleep(0.02)


# ---------------------------------------------------------------------------------------------
# The bundle: writing

class TarOut:
    """An uncompressed POSIX (ustar) tar written member by member to a stream."""

    def __init__(self, out):
        self.out = out
        self.bytes = 0

    def add(self, name, data):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = 0o600
        info.mtime = int(time.time())
        info.uname = info.gname = "root"
        pad = (-len(data)) % 512
        self._write(info.tobuf(format=tarfile.USTAR_FORMAT))
        self._write(data)
        if pad:
            self._write(b"\0" * pad)

    def close(self):
        self._write(b"\0" * 1024)
        self.out.flush()

    def _write(self, b):
        self.out.write(b)
        self.bytes += len(b)


def chunks(stream, size=None):
    """Yields pieces of at most `size` bytes (at least one, maybe empty)."""
    size = size or CHUNK
    first = True
    while True:
        b = read_full(stream, size)
        if b or first:
            yield b
        first = False
        if len(b) < size:
            return


def read_ahead(stream, depth=2):
    """chunks(stream), read on a thread up to `depth` chunks ahead from now on (not from the first
    chunk asked for): the child writing the stream (pg_dump) goes on while the checks run and while
    a chunk is sent, instead of waiting on a full pipe."""
    q = queue.Queue(depth)

    def pump():
        try:
            for b in chunks(stream):
                q.put(b)
            q.put(None)
        except BaseException as e:  # handed to the reader, which raises it
            q.put(e)

    threading.Thread(target=pump, daemon=True).start()
    return _queued(q)


def _queued(q):
    while True:
        b = q.get()
        if b is None:
            return
        if isinstance(b, BaseException):
            raise b
        yield b


def write_part(tar, key, pieces, parts):
    """Writes one part from `pieces` (chunks(f), or read_ahead(f) for a child's output), hashing on
    the fly; records it for the manifest."""
    h, size, n = hashlib.sha256(), 0, 0
    single = key == "postgres/roles.sql"
    for b in pieces:
        name = key if single else "%s.%06d" % (key, n)
        tar.add(name, b)
        h.update(b)
        size += len(b)
        n += 1
        emit("progress", part=key, bytes=size)
    parts[key] = {"size": size, "sha256": h.hexdigest(), "chunks": n}


def release_of(app):
    try:
        return os.path.basename(os.readlink(path("/srv/%s/current" % app)).rstrip("/"))
    except OSError:
        return None


def present_parts(app):
    """The app's services on this node: services.json's (the deploy writes it) where there is one,
    else what its credentials and files show. Uploads count only where their dir is."""
    config = read_json(os.path.join(services_dir(app), "services.json"), default=None)
    creds = credentials(app)
    uploads = os.path.isdir(uploads_dir(app)) and not os.path.islink(uploads_dir(app))
    if isinstance(config, dict):
        return [p for p in SERVICES if config.get(p) and (p != "files" or uploads)]
    parts = []
    if "postgres" in creds:
        parts.append("postgres")
    if "redis" in creds and redis_conf(app) is not None:
        parts.append("redis")
    if uploads:
        parts.append("files")
    return parts


def uploads_attributes(app):
    """Owner, group and mode for a new uploads dir: the live one's, as the deploy made it (app,
    group www-data, setgid 2750 so nginx reads new files), never taken from what is not a dir."""
    owner = pwd.getpwnam(app).pw_uid
    try:
        st = os.lstat(uploads_dir(app))
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        return owner, st.st_gid, stat.S_IMODE(st.st_mode) & 0o2777
    return owner, grp.getgrnam("www-data").gr_gid, 0o2750


def user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def backup(app, out):
    """Writes the app's bundle to `out`. Everything that can fail early is checked before a byte."""
    parts = present_parts(app)
    if not parts:
        raise Bad("app %s has no data on this node (no PostgreSQL, Redis or uploads of it here)" % app)
    header = {"format": FORMAT, "app": app, "app_id": app_id(app), "release": release_of(app),
              "created": iso(), "node": socket.gethostname(), "postgres_version": None,
              "redis_version": None, "parts": parts}
    r = conf = facts = dump = None
    if "postgres" in parts:
        # pg_dump starts first and is read from now on: its connection, its reads of the catalog and
        # its first chunks go on while the checks below run. Nothing reaches `out` before they pass.
        dump = spawn(pg_argv("pg_dump", "-Fc", "-d", app_id(app)), user="postgres")
        dump_pieces = read_ahead(dump.stdout)
    try:
        if "postgres" in parts:
            facts = pg_facts(app)
            header["postgres_version"] = facts["version"]
            if not facts["live"]:
                raise Failed("database %s does not exist; run 'hoist deploy' to provision it" % app_id(app))
        if "redis" in parts:
            conf, r = redis_connect(app)
            header["redis_version"] = r.info("server").get("redis_version")
        if "files" in parts and not user_exists(app):
            raise Failed("user %s does not exist; uploads are archived as the app user" % app)
    except BaseException:
        kill(dump)
        raise
    mark("checked")
    if "redis" in parts:
        # Saved while pg_dump runs, not after it: the two snapshots are of (nearly) the same moment,
        # pg_dump's being taken when it starts, and the save costs the bundle no time of its own.
        redis_bgsave(r)
        mark("redis BGSAVE started")
    tar = TarOut(out)
    tar.add(HEADER, json.dumps(header, sort_keys=True).encode())
    done = {}
    if "postgres" in parts:
        roles = pg_roles_sql(app_id(app), facts["role"])
        write_part(tar, "postgres/roles.sql", chunks(_bytes(roles)), done)
        write_part(tar, "postgres/dump", dump_pieces, done)
        rc, err = finish(dump, timeout=60)
        if rc != 0:
            raise Failed("pg_dump failed (exit %d): %s" % (rc, tail(err, 600)))
        mark("pg_dump done")
    if "redis" in parts:
        with redis_saved(r, conf) as f:
            mark("redis saved")
            write_part(tar, "redis/dump.rdb", chunks(f), done)
        r.close()
    if "files" in parts:
        p = spawn(["tar", "--create", "--file=-", "--one-file-system", "--directory",
                   uploads_dir(app), "."], user=app)
        write_part(tar, "files/uploads.tar", read_ahead(p.stdout), done)
        rc, err = finish(p, timeout=60)
        # 1: a file changed while it was read (uploads go on); the archive is still whole.
        if rc == 1:
            emit("warning", part="files/uploads.tar", message=tail(err, 300))
        elif rc != 0:
            raise Failed("tar of the uploads failed (exit %d): %s" % (rc, tail(err, 600)))
        mark("uploads archived")
    manifest = dict(header, parts=done, complete=True)
    tar.add(MANIFEST, json.dumps(manifest, sort_keys=True).encode())
    tar.close()
    return manifest, tar.bytes


class _bytes:
    def __init__(self, b):
        self.b = b

    def read(self, n):
        b, self.b = self.b[:n], self.b[n:]
        return b


# ---------------------------------------------------------------------------------------------
# The bundle: reading, as untrusted data

class Reader:
    """Reads a bundle from a stream, checks it as it goes and hands each chunk to a handler:

    handler.header(h)            may refuse (raise Bad)
    handler.chunk(key, data)
    handler.part_end(key)
    and, after the manifest matched everything read, returns (header, manifest).
    """

    def __init__(self, stream):
        self.stream = stream
        self.offset = 0

    def _read(self, n):
        b = read_full(self.stream, n)
        self.offset += len(b)
        return b

    def _member(self):
        block = self._read(512)
        if len(block) == 0:
            return None
        if len(block) < 512:
            raise Bad("the bundle ends inside a tar header at byte %d: it is truncated" % self.offset)
        if block == b"\0" * 512:
            return "END", None
        try:
            info = tarfile.TarInfo.frombuf(block, "utf-8", "strict")
        except (tarfile.HeaderError, UnicodeDecodeError) as e:
            raise Bad("bad tar header at byte %d (%s): not a hoist bundle, or damaged" % (self.offset - 512, e))
        if info.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
            raise Bad("member %r is not a regular file (type %r): refused" % (info.name, info.type))
        if info.size > CHUNK_MAX:
            raise Bad("member %r is %d bytes, more than a chunk may be (%d)" % (info.name, info.size, CHUNK_MAX))
        return info.name, info.size

    def _data(self, name, size):
        """The member's content in pieces of at most PIECE bytes (one, maybe empty, at least), then
        its padding: a restore feeds pg_restore as the bytes arrive, not a whole chunk later."""
        left = size
        while True:
            b = self._read(min(left, PIECE))
            if len(b) < min(left, PIECE):
                raise Bad("the bundle ends inside %s: it is truncated" % _part_label(name))
            left -= len(b)
            yield b
            if not left:
                break
        pad = (-size) % 512
        if pad and len(self._read(pad)) < pad:
            raise Bad("the bundle ends inside %s: it is truncated" % _part_label(name))

    def _whole(self, name, size):
        return b"".join(self._data(name, size))

    def run(self, handler, to_end=True):
        """to_end=False: stop right after the manifest (what follows is the caller's, see wait_go)."""
        m = self._member()
        if m is None or m[0] != HEADER:
            raise Bad("the bundle does not start with %s: not a hoist bundle" % HEADER)
        header = parse_header(self._whole(*m))
        handler.header(header)
        wanted = [p for p in PARTS if p[1] in header["parts"]]
        seen = {}
        current = None
        while True:
            m = self._member()
            if m is None or m[0] == "END":
                raise Bad("the bundle has no manifest: it is truncated%s" % (
                    " (it ends inside part %s)" % current if current else ""))
            name, size = m
            if name == MANIFEST:
                data = self._whole(name, size)
                break
            key, index = _classify(name)
            if key is None:
                raise Bad("unexpected member %r in the bundle: refused" % name)
            order = [p[0] for p in wanted]
            if key not in order:
                raise Bad("member %r belongs to a part the header does not list" % name)
            if key != current:
                if key in seen or (current is not None and order.index(key) < order.index(current)):
                    raise Bad("member %r is out of order" % name)
                if current is not None:
                    handler.part_end(current)
                current = key
                seen[key] = {"size": 0, "sha256": hashlib.sha256(), "chunks": 0}
            s = seen[key]
            if (index or 0) != s["chunks"]:
                raise Bad("member %r is out of sequence (expected chunk %06d)" % (name, s["chunks"]))
            s["chunks"] += 1
            for data in self._data(name, size):
                s["size"] += len(data)
                s["sha256"].update(data)
                handler.chunk(key, data)
        if current is not None:
            handler.part_end(current)
        manifest = parse_manifest(data, header)
        check_manifest(manifest, seen, [p[0] for p in wanted])
        if to_end:
            rest = self._read(64 * 1024)
            if rest.strip(b"\0") or read_full(self.stream, 1):
                raise Bad("data after the manifest: refused")
        if getattr(handler, "failure", None):
            raise handler.failure
        return header, manifest


def _classify(name):
    for key, _, pattern in PARTS:
        m = pattern.match(name)
        if m:
            return key, (int(m.group(1)) if m.groups() else None)
    return None, None


def _part_label(name):
    key, _ = _classify(name)
    return "part " + key if key else repr(name)


def parse_header(data):
    h = _json_member(data, HEADER)
    missing = [k for k in HEADER_KEYS if k not in h]
    if missing:
        raise Bad("%s lacks %s" % (HEADER, ", ".join(missing)))
    if h["format"] != FORMAT:
        raise Bad("bundle format %r; this runner reads format %d (a newer hoist wrote it?)" % (h["format"], FORMAT))
    if not isinstance(h["app"], str) or not APP.match(h["app"]) or h["app_id"] != app_id(h["app"]):
        raise Bad("%s names no valid app" % HEADER)
    if not isinstance(h["parts"], list) or not h["parts"] or any(p not in SERVICES for p in h["parts"]) \
            or len(set(h["parts"])) != len(h["parts"]):
        raise Bad("%s lists unknown parts: %r" % (HEADER, h["parts"]))
    return h


def parse_manifest(data, header):
    m = _json_member(data, MANIFEST)
    if m.get("complete") is not True:
        raise Bad("the manifest does not say the bundle is complete")
    for k in HEADER_KEYS:
        if k != "parts" and m.get(k) != header[k]:
            raise Bad("the manifest's %s (%r) differs from the header's (%r): altered" % (k, m.get(k), header[k]))
    if not isinstance(m.get("parts"), dict):
        raise Bad("the manifest lists no parts")
    return m


def check_manifest(manifest, seen, wanted):
    listed = manifest["parts"]
    for key in wanted:
        if key not in listed:
            raise Bad("part %s is not in the manifest: altered" % key)
        if key not in seen:
            raise Bad("part %s is missing from the bundle" % key)
        want, got = listed[key], seen[key]
        if not isinstance(want, dict):
            raise Bad("part %s: bad manifest entry" % key)
        if want.get("size") != got["size"] or want.get("chunks") != got["chunks"]:
            raise Bad("part %s: %d bytes in %d chunks, the manifest says %r bytes in %r chunks: "
                      "altered or truncated" % (key, got["size"], got["chunks"], want.get("size"),
                                                want.get("chunks")))
        if want.get("sha256") != got["sha256"].hexdigest():
            raise Bad("part %s: sha256 does not match the manifest: the bundle was altered or damaged" % key)
    extra = set(listed) - set(wanted)
    if extra:
        raise Bad("the manifest lists parts the header does not: %s" % ", ".join(sorted(extra)))


def _json_member(data, name):
    if len(data) > JSON_MAX:
        raise Bad("%s is too large" % name)
    try:
        obj = json.loads(data.decode("utf-8"))
    except ValueError as e:
        raise Bad("%s is not valid JSON (%s)" % (name, e))
    if not isinstance(obj, dict):
        raise Bad("%s is not a JSON object" % name)
    return obj


class Sink:
    """Feeds a part into a child's stdin; a child that dies early is reported with its stderr."""

    def __init__(self, proc, what):
        self.proc, self.what, self.dead = proc, what, False

    def write(self, data):
        if self.dead:
            return
        try:
            self.proc.stdin.write(data)
        except BrokenPipeError:
            self.dead = True

    def close(self, timeout=None):
        """Returns the child's failure, not raised: the stream is read to its end first, so that an
        altered part is reported as such rather than as the error it caused in the child."""
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        rc, err = finish(self.proc, timeout)
        if rc != 0:
            return Failed("%s failed (exit %d): %s" % (self.what, rc, tail(err, 800)))
        return None


TOC_MAX = 64 << 20
EXTENSION_ENTRY = re.compile(rb"^(?=[0-9]+; [0-9]+ [0-9]+ (?:EXTENSION|COMMENT - EXTENSION) )", re.M)


class DumpRestore:
    """pg_restore of a streamed dump into `db` as the app's role, without the extensions' own
    entries: the superuser made them in the new database already, and only an extension's owner may
    COMMENT ON it. The list comes from the table of contents, which a custom-format dump holds at
    its start: the first chunks are kept until pg_restore --list (as nobody) reads them whole."""

    def __init__(self, app, db, ready=None):
        self.app, self.db, self.ready = app, db, ready
        self.head = bytearray()
        self.sink = self.proc = self.listfile = None
        self.try_at = PIECE

    def write(self, data):
        if self.sink is None:
            self.head += data
            if len(self.head) < min(self.try_at, TOC_MAX):
                return
            # At doubling sizes: a listing costs a process, and the bytes come a piece at a time.
            self.try_at *= 2
            listing = self._toc()
            if listing is None and len(self.head) < TOC_MAX:
                return
            self._start(listing)
            return
        self.sink.write(data)

    def close(self, timeout=None):
        try:
            if self.sink is None:
                self._start(self._toc())
            return self.sink.close(timeout)
        finally:
            if self.listfile:
                os.unlink(self.listfile)
                self.listfile = None

    def _toc(self):
        """The table of contents, once the bytes so far hold all of it; else None."""
        p = spawn(["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                   os.path.join(PGBIN, "pg_restore"), "--list"], stdin=subprocess.PIPE)
        head = bytes(self.head)

        def feed():
            try:
                p.stdin.write(head)
                p.stdin.close()
            except BrokenPipeError:
                pass

        t = threading.Thread(target=feed, daemon=True)
        t.start()
        out = p.stdout.read()
        rc, _ = finish(p, timeout=300)
        t.join()
        return out if rc == 0 else None

    def _start(self, listing):
        mark("dump's table of contents read")
        if self.ready:
            self.ready()
        if listing is not None:
            fd, self.listfile = tempfile.mkstemp(prefix="hoist-restore-", suffix=".list")
            with os.fdopen(fd, "wb") as f:
                f.write(EXTENSION_ENTRY.sub(b";", listing))
            os.chown(self.listfile, pwd.getpwnam("postgres").pw_uid, -1)
        p = pg_restore(self.app, self.db, self.listfile)
        mark("pg_restore started")
        self.sink, self.proc = Sink(p, "pg_restore"), p
        head, self.head = bytes(self.head), None
        self.sink.write(head)


class VerifyHandler:
    """verify: pg_restore --list (as nobody) must read the dump; nothing else is written."""

    def __init__(self):
        self.sink = None
        self.listed = False
        self.failure = None

    def header(self, h):
        pass

    def chunk(self, key, data):
        if key == "postgres/dump":
            if self.sink is None:
                p = spawn(["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                           os.path.join(PGBIN, "pg_restore"), "--list"], stdin=subprocess.PIPE,
                          stdout=subprocess.DEVNULL)
                self.sink = Sink(p, "pg_restore --list (part postgres/dump)")
            self.sink.write(data)

    def part_end(self, key):
        if key == "postgres/dump" and self.sink is not None:
            failure = self.sink.close(timeout=300)
            if failure:
                self.failure = Bad("part postgres/dump is not a dump pg_restore can read: %s" % failure)
            self.sink = None
            self.listed = True


def verify_stream(stream):
    h = VerifyHandler()
    try:
        header, manifest = Reader(stream).run(h)
    finally:
        if h.sink is not None:
            kill(h.sink.proc)
    if "postgres" in header["parts"] and not h.listed:
        raise Bad("part postgres/dump is empty")
    return header, manifest


def bundle_summary(header, manifest):
    return {"app": header["app"], "release": header["release"], "created": header["created"],
            "node": header["node"], "postgres_version": header["postgres_version"],
            "redis_version": header["redis_version"],
            "parts": {k: {"size": v["size"], "sha256": v["sha256"], "chunks": v["chunks"]}
                      for k, v in manifest["parts"].items()}}


# ---------------------------------------------------------------------------------------------
# Restore

class Staging:
    """What a restore builds beside the live data; dropped on any failure before the swap."""

    def __init__(self, app, ts):
        self.app, self.ts = app, ts
        self.db = "%s_restore_%s" % (app_id(app), ts)
        self.db_made = False
        self.db_thread = self.db_error = None
        self.redis_dir = None
        self.uploads = None
        self.sinks = {}
        self.rdb = None

    def make_db(self, extensions):
        """CREATE DATABASE (and its extensions) on a thread: it runs while the dump's first bytes
        arrive and its table of contents is read, instead of before; wait_db() before using it."""
        self.db_made = True  # from now on drop() drops it (IF EXISTS: made or not)

        def make():
            try:
                pg_create_staging(self.db, app_id(self.app), extensions)
                mark("staging database made")
            except BaseException as e:  # raised by wait_db in the main thread
                self.db_error = e

        self.db_thread = threading.Thread(target=make, daemon=True)
        self.db_thread.start()

    def wait_db(self):
        if self.db_thread is not None:
            self.db_thread.join()
            self.db_thread = None
        if self.db_error is not None:
            raise self.db_error

    def drop(self):
        for s in self.sinks.values():
            kill(s.proc)
        self.sinks = {}
        if self.db_thread is not None:
            self.db_thread.join()
            self.db_thread = None
        if self.rdb is not None:
            self.rdb.close()
            self.rdb = None
        if self.db_made:
            pg_drop(self.db)
            self.db_made = False
        if self.redis_dir:
            shutil.rmtree(self.redis_dir, ignore_errors=True)
            self.redis_dir = None
        if self.uploads:
            remove_app_dir(self.app, self.uploads)
            self.uploads = None


def remove_app_dir(app, d):
    """Removes a directory the app user owns: its contents as the app user, then the dir itself
    (its parent, shared/, is root's)."""
    if not os.path.lexists(d):
        return
    if os.path.islink(d) or not os.path.isdir(d):
        os.unlink(d)
        return
    rc, out, err = run(["find", d, "-mindepth", "1", "-delete"], user=app, timeout=600)
    if rc != 0:
        raise Failed("could not remove %s as %s: %s" % (d, app, tail(err, 300)))
    os.rmdir(d)


class RestoreHandler:
    def __init__(self, app, as_app, yes, staging, target_parts, redis_ctx, extensions):
        self.app, self.as_app, self.yes, self.extensions = app, as_app, yes, extensions
        self.st, self.target_parts, self.redis_ctx = staging, target_parts, redis_ctx
        self.parts = None
        self.failure = None
        self.done = {}

    def header(self, h):
        src = h["app"]
        if src != self.app and src != self.as_app:
            raise Bad("this bundle is of app %s, not %s; to restore it into %s anyway, add --as %s"
                      % (src, self.app, self.app, src))
        if self.as_app and self.as_app != src:
            raise Bad("this bundle is of app %s, not %s (--as)" % (src, self.as_app))
        missing = [p for p in h["parts"] if p not in self.target_parts]
        if missing:
            raise Bad("the bundle has %s, which app %s does not have on this node; add it to "
                      "'services:' in hoist.yml and deploy first" % (", ".join(missing), self.app))
        self.parts = h["parts"]
        if not self.yes:
            holding = target_data(self.app, self.parts, self.redis_ctx)
            if holding:
                raise Bad("app %s already has data here (%s); restoring replaces it (the old data is "
                          "kept until 'hoist restore --cleanup'): add --yes" % (self.app, "; ".join(holding)))
        self._stage()
        mark("header read, staging started")

    def _stage(self):
        st, app = self.st, self.app
        if "postgres" in self.parts:
            st.make_db(self.extensions)
        if "redis" in self.parts:
            conf = self.redis_ctx[0]
            st.redis_dir = "%s.restore-%s" % (conf["dir"].rstrip("/"), st.ts)
            os.mkdir(st.redis_dir, 0o700)
            pw = pwd.getpwnam("redis")
            os.chown(st.redis_dir, pw.pw_uid, pw.pw_gid)
            os.chmod(st.redis_dir, os.lstat(conf["dir"]).st_mode & 0o777)
            fd = os.open(os.path.join(st.redis_dir, conf["dbfilename"]),
                         os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o640)
            os.fchown(fd, pw.pw_uid, pw.pw_gid)
            st.rdb = os.fdopen(fd, "wb")
        if "files" in self.parts:
            st.uploads = "%s.restore-%s" % (uploads_dir(app), st.ts)
            os.mkdir(st.uploads, 0o700)
            owner, group, mode = uploads_attributes(app)
            os.chown(st.uploads, owner, group)
            os.chmod(st.uploads, mode)

    def chunk(self, key, data):
        st = self.st
        if key == "postgres/dump":
            if key not in st.sinks:
                st.sinks[key] = DumpRestore(self.app, st.db, ready=st.wait_db)
            st.sinks[key].write(data)
        elif key == "redis/dump.rdb":
            st.rdb.write(data)
        elif key == "files/uploads.tar":
            if key not in st.sinks:
                # As the app user: the archive can only make what the app could make itself.
                # The modes as archived (nginx must still read what it served), not the umask's.
                p = spawn(["tar", "--extract", "--file=-", "--no-same-owner", "--preserve-permissions",
                           "--no-overwrite-dir", "--directory", st.uploads], user=self.app,
                          stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, umask=0o022)
                st.sinks[key] = Sink(p, "tar (extracting the uploads)")
            st.sinks[key].write(data)
        self.done[key] = self.done.get(key, 0) + len(data)
        emit("progress", part=key, bytes=self.done[key])

    def part_end(self, key):
        st = self.st
        if key in st.sinks:
            failure = st.sinks.pop(key).close(timeout=3600)
            mark("%s restored" % key)
            if failure and key == "files/uploads.tar":
                failure = Failed(str(failure) + disk_note(st.uploads))
            self.failure = self.failure or failure
        elif key == "redis/dump.rdb":
            st.rdb.flush()
            os.fsync(st.rdb.fileno())
            st.rdb.close()
            st.rdb = None


def disk_note(p):
    """Says so when the filesystem holding p is (nearly) full: tar's own words may not."""
    try:
        fs = os.statvfs(p)
    except OSError:
        return ""
    free = fs.f_bavail * fs.f_frsize
    if free < max(16 << 20, fs.f_blocks * fs.f_frsize // 100):
        return " (the disk holding %s is full: %d bytes free)" % (os.path.dirname(p), free)
    return ""


def target_data(app, parts, redis_ctx):
    """What the target already holds, in words; empty when it holds nothing."""
    out = []
    if "postgres" in parts and pg_exists(app_id(app)):
        n = pg_tables(app_id(app))
        if n:
            out.append("%d tables in database %s" % (n, app_id(app)))
    if "redis" in parts:
        keys = sum(int(re.search(r"keys=([0-9]+)", v).group(1))
                   for k, v in redis_ctx[1].info("keyspace").items() if k.startswith("db"))
        if keys:
            out.append("%d Redis keys" % keys)
    if "files" in parts and os.path.isdir(uploads_dir(app)):
        fd = os.open(uploads_dir(app), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            n = len(os.listdir(fd))
        finally:
            os.close(fd)
        if n:
            out.append("%d entries in %s" % (n, uploads_dir(app)))
    return out


# While "swapping" (the swap, or dropping staging) a signal is only noted: that work finishes, since
# a swap or a clean-up cut half way would leave more to mend than either does.
STATE = {"swapping": False, "signal": None}


def on_signal(signum, frame):
    STATE["signal"] = signum
    if not STATE["swapping"]:
        raise Interrupted("interrupted by %s" % signal.Signals(signum).name)


def wait_go(control):
    """--wait-go: everything is staged and verified ("verified" went out); the caller now puts its
    web nodes' maintenance flags on and says "go", so their 503 window is the swap and the reload
    only, not the bundle's transfer. On the bundle's own stream the tar's end blocks come first
    (zeros, bounded as after any manifest). The end of input, or anything else, is no go: the
    staging is dropped, the live data untouched."""
    # The caller closes its end after "go": read to the end (bounded).
    rest = read_full(control, 64 * 1024 + len(GO) + 1)
    word = rest.lstrip(b"\0")
    if len(rest) > 64 * 1024 + len(GO) or word not in (b"", GO):
        raise Bad("data after the manifest: refused")
    if not word:
        raise Interrupted("the caller went away before it said go; nothing was changed")


def restore(app, as_app, yes, stream, here=True, control=None):
    """control: where the caller's go comes from (wait_go), else swap at once."""
    target_parts = present_parts(app)
    if not target_parts:
        raise Bad("app %s has no services on this node; deploy it with 'services:' first" % app)
    facts = None
    if "postgres" in target_parts:
        facts = pg_facts(app, leftover_patterns(app, old=False))
        if facts["role"] is None:
            raise Failed("role %s does not exist; run 'hoist deploy' to provision it" % app_id(app))
    redis_ctx = None
    if "redis" in target_parts:
        redis_ctx = redis_connect(app)
        if supervisor("hoist-redis-" + app) is None:
            raise Failed("Redis of %s is not supervised here (hoist-redis-%s): cannot swap its data" % (app, app))
    lock = Lock(app)
    mark("checked")
    try:
        drop_leftovers(app, old=False, dbs=[d for d in (facts or {}).get("databases", []) if d != app_id(app)])
        ts = stamp()
        st = Staging(app, ts)
        handler = RestoreHandler(app, as_app, yes, st, target_parts, redis_ctx,
                                 (facts or {}).get("extensions", []))
        try:
            header, manifest = Reader(stream).run(handler, to_end=control is not stream)
            emit("progress", part="verified", bytes=sum(p["size"] for p in manifest["parts"].values()))
            mark("bundle verified")
            if control is not None:
                wait_go(control)
        except BaseException:
            drop_quietly(st)
            raise
        try:
            result = swap(app, st, header["parts"], redis_ctx, here)
        except BaseException:
            drop_quietly(st)
            raise
        result["bundle"] = bundle_summary(header, manifest)
        return result
    finally:
        if redis_ctx:
            redis_ctx[1].close()
        lock.close()


def drop_quietly(st):
    """Drops staging after a failure; a second Ctrl-C must not cut that short."""
    STATE["swapping"] = True
    try:
        st.drop()
    except (Failed, OSError) as e:
        emit("warning", message="could not drop all staging (%s); 'hoist restore --cleanup' will" % e)
    finally:
        STATE["swapping"] = False


def swap(app, st, parts, redis_ctx, here=True):
    """Maintenance on, the three swaps (each undone if a later one fails), reload, maintenance off.
    A swap that fails puts the old data back and hands the new back to staging (dropped by the
    caller). here=False (--no-app: a db node of its own): the app runs on other nodes, whose flags
    and reloads the CLI does; no flag or reload here."""
    flag = path("/etc/hoist/maintenance/" + app)
    STATE["swapping"] = True
    undo = []
    kept = {}
    start = time.time()
    os.makedirs(os.path.dirname(flag), exist_ok=True)
    # nginx's workers (www-data) test the flag: the directory must be searchable by them.
    os.chmod(os.path.dirname(flag), 0o755)
    made_flag = here and not os.path.exists(flag)
    if made_flag:
        with open(flag, "a"):
            pass
    try:
        if "postgres" in parts:
            kept["database"] = swap_postgres(app, st, undo)
            mark("database swapped")
        if "redis" in parts:
            kept["redis"] = swap_redis(app, st, redis_ctx[0], undo)
            mark("redis swapped")
        if "files" in parts:
            kept["files"] = swap_uploads(app, st, undo)
        reloaded = reload_app(app) if here else False
        mark("swapped and reloaded")
    except BaseException as e:
        emit("warning", message="swap failed (%s); putting the old data back" % e)
        for fn in reversed(undo):
            try:
                fn()
            except Exception as u:
                emit("warning", message="could not undo a step: %s" % u)
        raise
    finally:
        if made_flag:
            os.unlink(flag)
        STATE["swapping"] = False
    return {"window_seconds": round(time.time() - start, 3), "kept": kept, "reloaded": reloaded}


def swap_postgres(app, st, undo):
    live, old = app_id(app), "%s_old_%s" % (app_id(app), st.ts)
    st.wait_db()
    swap_database(live, old, st.db)
    st.db_made = False

    def back():
        swap_database(live, st.db, old)
        st.db_made = True
    undo.append(back)
    return old


def swap_redis(app, st, conf, undo):
    name = "hoist-redis-" + app
    live = conf["dir"].rstrip("/")
    old = "%s.old-%s" % (live, st.ts)
    staged = st.redis_dir
    password = (credentials(app).get("redis") or {}).get("admin_password")
    service(name, "stop")

    def start_old():
        service(name, "start")
        wait_redis(conf, password)
    undo.append(start_old)
    os.rename(live, old)
    undo.append(lambda: os.rename(old, live))
    os.rename(staged, live)
    st.redis_dir = None

    def back():
        # Redis may be running on the new data, or failing to: stop it (as well as it can be
        # stopped) before its dir moves; a process in a renamed dir does no harm.
        try:
            service(name, "stop")
        except Failed as e:
            emit("warning", message=str(e))
        os.rename(live, staged)
        st.redis_dir = staged
    undo.append(back)
    service(name, "start")
    wait_redis(conf, password)
    return old


def swap_uploads(app, st, undo):
    live = uploads_dir(app)
    old = "%s.old-%s" % (live, st.ts)
    staged = st.uploads
    os.rename(live, old)
    undo.append(lambda: os.rename(old, live))
    os.rename(staged, live)
    st.uploads = None

    def back():
        os.rename(live, staged)
        st.uploads = staged
    undo.append(back)
    return old


def reload_app(app):
    """HUPs the app's gunicorn where it runs here (the CLI reloads the app on other web nodes). The
    data is in place by now, so a failed reload is a warning, not a reason to undo the swap."""
    name = "hoist-" + app
    if not supervisor(name):
        return False
    try:
        service(name, "reload")
        return True
    except Failed as e:
        emit("warning", message="the data is restored but %s did not reload: %s; reload it with "
                                "'hoist deploy' or restart it" % (name, e))
        return False


def swap_database(live, old, new):
    """Closes `live` to new connections, ends its sessions, renames it to `old` and `new` to `live`.
    Terminated sessions may take a moment to go, so the rename is retried for a while."""
    end = time.time() + 30
    while True:
        rc, _, err = psql(
            "ALTER DATABASE %s ALLOW_CONNECTIONS false;\n"
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s;\n"
            "ALTER DATABASE %s RENAME TO %s;\nALTER DATABASE %s RENAME TO %s;\n"
            # In the same psql (the 503 window is on): once both renames are done the swap is, and
            # this statement's failure would only keep the old database closed, so it does not count.
            "\\set ON_ERROR_STOP off\nALTER DATABASE %s ALLOW_CONNECTIONS true;\n"
            % (ident(live), literal(live), ident(live), ident(old), ident(new), ident(live), ident(old)),
            check=False)
        if rc == 0:
            return
        if "being accessed by other users" not in err or time.time() > end:
            psql("ALTER DATABASE %s ALLOW_CONNECTIONS true;" % ident(live), check=False)
            raise Failed("could not swap database %s: %s" % (live, tail(err, 400)))
        time.sleep(0.1)


def leftover_patterns(app, old):
    """LIKE patterns of the databases a killed run left (and with old=True those restores kept): a
    first cut in SQL only, since a prefix also matches another app's (shop's shop_old_% takes in
    app shop-old's shop_old_old_<time>); is_leftover() decides."""
    aid = app_id(app).replace("_", "\\_")
    return [aid + "\\_restore\\_%", aid + "\\_drill"] + ([aid + "\\_old\\_%"] if old else [])


LEFTOVER_SHAPES = {"restore": r"_restore_[0-9]{14}", "drill": r"_drill", "old": r"_old_[0-9]{14}"}


def is_leftover(app, name, kinds=("restore", "drill", "old")):
    """Whether database `name` is exactly one this app's restores or drills name (stamp()'s 14
    digits): the only names root drops for it, whatever else a pattern or psql's output held."""
    shapes = "|".join(LEFTOVER_SHAPES[k] for k in kinds)
    return re.fullmatch(re.escape(app_id(app)) + "(?:" + shapes + ")", name) is not None


def drop_leftovers(app, old, dbs=None):
    """Drops staging a killed run left (and with old=True the data restores kept); the caller holds
    the app's lock, so nothing else is using them. `dbs`: those databases, when the caller listed
    them already (pg_facts). Returns what was removed."""
    removed = []
    if dbs is None:
        try:
            dbs = [d for pat in leftover_patterns(app, old) for d in pg_databases(pat)]
        except Failed:
            dbs = []
    live = live_databases()
    kinds = ("restore", "drill", "old") if old else ("restore", "drill")
    for d in dbs:
        if d in live or not is_leftover(app, d, kinds):
            continue  # another app's database that matches this app's patterns
        pg_drop(d)
        removed.append("database " + d)
    suffixes = [".restore-"] + ([".old-"] if old else [])
    conf = redis_conf(app)
    if conf:
        base = conf["dir"].rstrip("/")
        for d in _siblings(base, suffixes):
            shutil.rmtree(d)
            removed.append(d)
    for d in _siblings(uploads_dir(app), suffixes):
        remove_app_dir(app, d)
        removed.append(d)
    return removed


def _siblings(base, suffixes):
    parent, name = os.path.split(base)
    try:
        entries = os.listdir(parent)
    except FileNotFoundError:
        return []
    return sorted(os.path.join(parent, e) for e in entries
                  if any(re.match(re.escape(name + s) + r"[0-9]{14}\Z", e) for s in suffixes))


def kept_data(app):
    aid = app_id(app).replace("_", "\\_")
    out = {"databases": [], "dirs": []}
    try:
        out["databases"] = [d for d in pg_databases(aid + "\\_old\\_%") if is_leftover(app, d, ("old",))]
    except Failed:
        pass
    conf = redis_conf(app)
    bases = [uploads_dir(app)] + ([conf["dir"].rstrip("/")] if conf else [])
    out["dirs"] = [d for b in bases for d in _siblings(b, [".old-"])]
    return out


# ---------------------------------------------------------------------------------------------
# Drill

class DrillHandler:
    """Restores only the dump, into the scratch database; the other parts are checksummed."""

    def __init__(self, app, db, extensions):
        self.app, self.db, self.extensions = app, db, extensions
        self.sink, self.failure = None, None

    def header(self, h):
        if h["app"] != self.app:
            raise Bad("this bundle is of app %s, not %s" % (h["app"], self.app))
        if "postgres" not in h["parts"]:
            raise Bad("this bundle has no PostgreSQL part to drill")
        pg_create_staging(self.db, app_id(self.app), self.extensions)

    def chunk(self, key, data):
        if key == "postgres/dump":
            if self.sink is None:
                self.sink = DumpRestore(self.app, self.db)
            self.sink.write(data)

    def part_end(self, key):
        if key == "postgres/dump" and self.sink is not None:
            self.failure = self.sink.close(timeout=3600)
            self.sink = None


def local_bundles(app):
    """The names of the app's whole local bundles, oldest first (their names sort by time)."""
    try:
        names = os.listdir(backups_dir(app))
    except FileNotFoundError:
        return []
    return sorted(n for n in names if BUNDLE.match(n) and BUNDLE.match(n).group(1) == app)


def newest_bundle(app):
    d = backups_dir(app)
    names = local_bundles(app)
    if not names:
        raise Failed("no local backup of %s in %s; run 'hoist backup' or wait for the schedule" % (app, d))
    return os.path.join(d, names[-1])


def drill(app, file=None):
    config = read_json(os.path.join(services_dir(app), "backup.json"), default={}) or {}
    check = config.get("drill_check")
    bundle = file or newest_bundle(app)
    db = app_id(app) + "_drill"
    started = time.time()
    record = {"at": iso(started), "bundle": os.path.basename(bundle), "ok": False}
    facts = pg_facts(app)
    lock = Lock(app)
    handler = DrillHandler(app, db, facts["extensions"])
    try:
        pg_drop(db)
        with open(bundle, "rb") as f:
            Reader(f).run(handler)
        record["check"], record["output"] = run_check(app, db, check)
        record["ok"] = True
    except (Bad, Failed) as e:
        record["error"] = str(e)
        raise
    finally:
        if handler.sink is not None:
            kill(handler.sink.proc)
        try:
            pg_drop(db)
        finally:
            record["seconds"] = round(time.time() - started, 3)
            update_state(app, lambda s: s.update(last_drill=record))
            lock.close()
    return record


def run_check(app, db, check):
    if not check:
        return "restore only (no drill_check)", ""
    if isinstance(check, dict) and isinstance(check.get("sql"), str):
        rc, out, err = psql(check["sql"] + "\n", db=db, timeout=CHECK_TIMEOUT, check=False, app=app)
        if rc != 0:
            raise Failed("drill_check (sql) failed: %s" % tail(err, 800))
        return "sql", tail(out, 500)
    if isinstance(check, str):
        argv = shlex.split(check)
        with_env = path("/srv/%s/etc/with-env" % app)
        url = drill_url(app, db)
        # The URL holds the password: in the environment, never in an argv (/proc shows argv to
        # every user). After with-env, which sets the live DATABASE_URL, a fixed script points it
        # at the scratch database.
        point = ["/bin/sh", "-c", 'DATABASE_URL=$HOIST_DRILL_DATABASE_URL; export DATABASE_URL; exec "$@"', "sh"]
        full = ([with_env] if os.path.exists(with_env) else []) + point + argv
        rc, out, err = run(full, user=app, timeout=CHECK_TIMEOUT,
                           env={"HOME": "/", "HOIST_DRILL_DATABASE_URL": url})
        if rc != 0:
            raise Failed("drill_check %r failed (exit %d): %s" % (check, rc, tail(out + err, 800)))
        return "command", tail(out + err, 500)
    raise Failed("drill_check in backup.json is neither a command nor {\"sql\": ...}")


def drill_url(app, db):
    """The app's DATABASE_URL with the scratch database in it."""
    url = None
    try:
        with open(path("/srv/%s/etc/services" % app)) as f:
            for line in f:
                if line.startswith("DATABASE_URL="):
                    url = line.split("=", 1)[1].strip().strip("'\"")
    except FileNotFoundError:
        pass
    if not url:
        pw = (credentials(app).get("postgres") or {}).get("password", "")
        url = "postgresql://%s:%s@127.0.0.1:%s/%s" % (app_id(app), urllib.parse.quote(pw, safe=""), PGPORT, db)
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + db))


# ---------------------------------------------------------------------------------------------
# Scheduled

def scheduled(app):
    config = read_json(os.path.join(services_dir(app), "backup.json"), default=None)
    if config is None:
        raise Bad("no backup.json for %s (%s); add 'backup:' to hoist.yml and deploy" % (app, services_dir(app)))
    keep = config.get("keep", 14)
    if not isinstance(keep, int) or keep < 1:
        raise Bad("backup.json: keep must be a positive number")
    started = time.time()
    record = {"started": iso(started), "ok": False}
    try:
        lock = Lock(app)
    except Failed as e:
        record.update(error=str(e), finished=iso())
        update_state(app, lambda s: s.update(last_scheduled=record))
        raise
    try:
        name, size = local_backup(app, started)
        record.update(bundle=name, size=size)
        target = os.path.join(backups_dir(app), name)
        with open(target, "rb") as f:
            verify_stream(f)
        update_state(app, lambda s: s.setdefault("backups", {}).update(
            {name: {"size": size, "created": iso(started), "verified": True, "verified_at": iso()}}))
        record["verified"] = True
        record["pruned"] = prune(app, keep)
        if config.get("to"):
            copy_off(app, target, config["to"])
            record["copied"] = True
            update_state(app, lambda s: s["backups"][name].update(copied=config["to"].get("host")))
            record["copied_late"] = copy_missed(app, name, config["to"])
    except (Bad, Failed, OSError) as e:
        record["error"] = str(e)
    finally:
        lock.close()
    if config.get("drill") and "error" not in record:
        try:
            d = drill(app, os.path.join(backups_dir(app), record["bundle"]))
            record["drill"] = {"ok": True, "check": d["check"]}
        except (Bad, Failed, OSError) as e:
            record["drill"] = {"ok": False, "error": str(e)}
            record["error"] = "drill failed: %s" % e
    record["ok"] = "error" not in record
    record["finished"] = iso()
    record["seconds"] = round(time.time() - started, 3)
    update_state(app, lambda s: s.update(last_scheduled=record))
    if not record["ok"]:
        raise Failed(record["error"])
    return record


def local_backup(app, t):
    d = backups_dir(app)
    os.makedirs(d, mode=0o700, exist_ok=True)
    os.chmod(d, 0o700)
    name = bundle_name(app, t)
    partial = os.path.join(d, name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            _, size = backup(app, f)
            f.flush()
            os.fsync(f.fileno())
        os.rename(partial, os.path.join(d, name))
    except BaseException:
        os.unlink(partial)
        raise
    return name, size


def prune(app, keep):
    d = backups_dir(app)
    names = local_bundles(app)
    gone = names[:-keep] if len(names) > keep else []
    for n in gone:
        os.unlink(os.path.join(d, n))
    for n in os.listdir(d):
        if n.endswith(".partial"):
            os.unlink(os.path.join(d, n))
    if gone:
        update_state(app, lambda s: [s.get("backups", {}).pop(n, None) for n in gone])
    return gone


SAFE_REMOTE = re.compile(r"[A-Za-z0-9_./@:+-]+\Z")


def sftp_command(to, key, known_hosts):
    for k in ("host", "user", "path"):
        if not isinstance(to.get(k), str) or not SAFE_REMOTE.match(to[k]) or to[k].startswith("-"):
            raise Bad("backup.json: to.%s is missing or has characters hoist does not pass on" % k)
    port = int(to.get("port") or 22)
    return ["sftp", "-b", "-", "-i", key, "-P", str(port), "-o", "UserKnownHostsFile=" + known_hosts,
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=30",
            "%s@%s" % (to["user"], to["host"])]


def sftp_batch(local, remote_dir, name):
    # The target's key may only create, write and rename (internal-sftp -p, docs/backups.md): the
    # deploy made the directory, and a bundle's name is new, so nothing is removed or overwritten.
    # The partial name is new on every attempt: one a cut transfer left is 0400 and cannot be
    # opened again by the key.
    remote = remote_dir.rstrip("/") + "/" + name
    partial = "%s.%d.partial" % (remote, time.time_ns())
    return ("put %s %s\nrename %s %s\n" % (local, partial, partial, remote)).encode()


def known_hosts_line(to):
    host_key = to.get("host_key")
    if not isinstance(host_key, str) or not re.match(r"(ssh|ecdsa)-[a-z0-9-]+ [A-Za-z0-9+/=]+\Z", host_key.strip()):
        raise Bad("backup.json: to.host_key must be the target's public host key ('ssh-ed25519 AAAA...')")
    port = int(to.get("port") or 22)
    host = to["host"] if port == 22 else "[%s]:%d" % (to["host"], port)
    return "%s %s\n" % (host, host_key.strip())


def copy_missed(app, newest, to):
    """Copies the kept bundles an earlier run could not (the target was down, or the first run
    ticked before the deploy's target step let this node's key in), oldest first; returns those
    copied. Runs after the newest bundle's copy worked, so the target answers: a bundle that still
    fails (most likely one whose copy landed before its run was cut, and a copy is never
    overwritten) keeps its copy_error and is not tried again, nor does it fail the run."""
    known = read_state(app).get("backups", {})
    d = backups_dir(app)
    missed = [n for n in local_bundles(app) if n != newest and n in known
              and not known[n].get("copied") and not known[n].get("copy_error")]
    copied = []
    for n in missed:
        try:
            copy_off(app, os.path.join(d, n), to)
        except Failed as e:
            error = str(e)
            update_state(app, lambda s: s["backups"][n].update(copy_error=error))
            continue
        update_state(app, lambda s: s["backups"][n].update(copied=to.get("host")))
        copied.append(n)
    return copied


def copy_off(app, local, to):
    known = os.path.join(state_dir(app), "known_hosts")
    argv = sftp_command(to, path("/etc/hoist/backup/id_ed25519"), known)
    with open(known, "w") as f:
        f.write(known_hosts_line(to))
    rc, out, err = run(argv, input_data=sftp_batch(local, to["path"], os.path.basename(local)),
                       timeout=6 * 3600)
    if rc != 0:
        raise Failed("copy to %s@%s:%s failed (sftp exit %d): %s" % (
            to["user"], to["host"], to["path"], rc, tail(err or out, 500)))


KEY_LINE = re.compile(r"ssh-ed25519 [A-Za-z0-9+/]+=*")


def backup_key():
    """The node's own key for off-node copies, made once (the private half never leaves the node);
    prints the public key on stdout, the one line the deploy reads."""
    key = path("/etc/hoist/backup/id_ed25519")
    os.makedirs(os.path.dirname(key), mode=0o700, exist_ok=True)
    os.chmod(os.path.dirname(key), 0o700)
    if not os.path.exists(key):
        for stale in (key + ".tmp", key + ".tmp.pub"):
            if os.path.lexists(stale):
                os.unlink(stale)
        rc, out, err = run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hoist-backup",
                            "-f", key + ".tmp"])
        if rc != 0:
            raise Failed("ssh-keygen failed (exit %d): %s" % (rc, tail(err or out, 300)))
        os.rename(key + ".tmp.pub", key + ".pub")
        os.rename(key + ".tmp", key)
    with open(key + ".pub") as f:
        words = f.read().split()
    line = " ".join(words[:2])
    if not KEY_LINE.match(line):
        raise Failed("%s.pub is not an ed25519 public key; remove both halves and deploy again" % key)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
    return {"public_key": line}


# ---------------------------------------------------------------------------------------------
# Purge: deletes the data a service left when it went from services: ('hoist services purge').
# A deploy never deletes data (docs/services.md "Removing a service"); this does, only for a
# service the last deploy no longer serves, and only with --yes; without, it says what it would.

PURGE_SUFFIXES = [".old-", ".restore-"]


def still_served(app, services):
    """Those of `services` the last deploy here serves to the app (its services.json has them)."""
    config = read_json(os.path.join(services_dir(app), "services.json"), default=None)
    return [s for s in services if isinstance(config, dict) and config.get(s)]


def du(d, user):
    """Bytes under d, counted by du running as `user` (the tree's owner: root never walks a tree
    another user can write); None when that user is gone."""
    if not user_exists(user):
        return None
    rc, out, err = run(["du", "-s", "-b", "--", d], user=user, timeout=600)
    if rc != 0:
        raise Failed("du %s: %s" % (d, tail(err, 200)))
    return int(out.split()[0])


def real_dirs(base):
    """base and the copies restores kept or left beside it (.old-TIME, .restore-TIME), if dirs."""
    found = [base] + _siblings(base, PURGE_SUFFIXES)
    return [d for d in found if os.path.isdir(d) and not os.path.islink(d)]


def purge_postgres_facts(app):
    """The app's databases (the live one, those restores kept, staging and drill leftovers) with
    their sizes, and its role; nothing where PostgreSQL is not installed."""
    if not os.path.exists(os.path.join(PGBIN, "psql")):
        return {}
    aid = app_id(app)
    others = live_databases() - {aid}
    patterns = [aid.replace("_", "\\_")] + leftover_patterns(app, old=True)
    rc, out, err = psql("SELECT 'db|' || datname || '|' || pg_database_size(datname) FROM pg_database "
                        "WHERE %s ORDER BY datname;\nSELECT 'role|' || rolname FROM pg_roles WHERE "
                        "rolname = %s;\n" % (" OR ".join("datname LIKE %s" % literal(p) for p in patterns),
                                             literal(aid)), check=False, timeout=60)
    if rc != 0:
        raise pg_down(rc, err)
    facts = {"databases": [], "role": None}
    for line in out.splitlines():
        kind, _, rest = line.partition("|")
        if kind == "db":
            name, _, size = rest.rpartition("|")
            # Only the names hoist gives this app's databases, never another app's live one.
            if (name == aid or is_leftover(app, name)) and name not in others and re.fullmatch(r"[0-9]+", size):
                facts["databases"].append({"name": name, "size": int(size)})
        elif kind == "role" and rest == aid:
            facts["role"] = rest
    return facts if facts["databases"] or facts["role"] else {}


def purge_redis_facts(app):
    """The app's Redis data dirs with their sizes and the live one's key count, its config and ACL
    files; nothing when none is left."""
    name = "hoist-redis-" + app
    base = path("/var/lib/hoist/redis/" + app)
    dirs = [{"dir": d, "size": du(d, "redis")} for d in real_dirs(base)]
    files = [p for p in (os.path.join(services_dir(app), f) for f in ("redis.conf", "redis.acl"))
             if os.path.lexists(p)]
    if not dirs and not files:
        return {}
    keys = None
    rdb = os.path.join(base, "dump.rdb")
    if os.path.isfile(rdb) and not os.path.islink(rdb) and user_exists("redis"):
        # As redis, whose file it is; the dump holds what the app wrote.
        rc, out, _ = run(["redis-check-rdb", rdb], user="redis", timeout=600)
        found = re.search(r"\[info\] ([0-9]+) keys read", out)
        keys = int(found.group(1)) if rc == 0 and found else None
    elif dirs:
        keys = 0
    return {"instance": name, "dirs": dirs, "keys": keys, "files": files}


def purge_files_facts(app):
    """The app's uploads dir and those restores kept beside it, with their sizes."""
    dirs = [{"dir": d, "size": du(d, app)} for d in real_dirs(uploads_dir(app))]
    return {"dirs": dirs} if dirs else {}


PURGE_FACTS = {"postgres": purge_postgres_facts, "redis": purge_redis_facts, "files": purge_files_facts}


def take_node_lock(app, by):
    """The app's node lock, as a deploy takes it (agent.py's node_lock: a flock on
    /srv/APP/.hoist/lock), so no deploy of the app runs while its data goes; held until exit."""
    root = path("/srv/" + app)
    os.makedirs(root, mode=0o755, exist_ok=True)
    d = os.path.join(root, ".hoist")
    try:
        os.mkdir(d, 0o700)
    except FileExistsError:
        pass
    fd = os.open(os.path.join(d, "lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        h = read_json(os.path.join(d, "holder"), default={}) or {}
        raise Failed("another hoist run holds this node: %s since %s (%s); wait for it to finish and "
                     "try again" % (h.get("by", "someone"), h.get("since", "an unknown time"),
                                    h.get("command", "a deploy")))
    write_json_atomic(os.path.join(d, "holder"), {"by": by or "someone", "since": iso(),
                                                  "command": "hoist services purge", "pid": os.getpid()})
    return fd


def purge(app, services, yes, by=None):
    """What `services` left of the app here; with yes, deleted (under the node lock and the app's
    data lock). Refused while the last deploy still serves one of them."""
    served = still_served(app, services)
    if served:
        raise Bad("%s still served to app %s here (the last deploy's %s has %s): remove %s from "
                  "services: in hoist.yml and deploy first; nothing was deleted"
                  % (" and ".join(served), app, os.path.join(services_dir(app), "services.json"),
                     " and ".join(served), "it" if len(served) == 1 else "them"))
    locks = []
    try:
        if yes:
            locks = [take_node_lock(app, by)]
            locks.append(Lock(app).fd)
        found = {s: PURGE_FACTS[s](app) for s in services}
        if not yes or not any(found.values()):
            return {"services": found, "deleted": False}
        supervised = supervisor("hoist-redis-" + app) if found.get("redis") else None
        if supervised:
            raise Bad("the app's Redis hoist-redis-%s still runs under %s though the last deploy dropped "
                      "it; run 'hoist deploy' once (it stops it), then purge; nothing was deleted"
                      % (app, supervised))
        removed = []
        for s in services:
            if found[s]:
                removed += PURGE_REMOVE[s](app, found[s])
        forget_credentials(app, [s for s in services if s != "files"])
        return {"services": found, "deleted": True, "removed": removed}
    finally:
        for fd in locks:
            os.close(fd)


def purge_postgres(app, facts):
    dbs = [d["name"] for d in facts["databases"]]
    sql = "".join("DROP DATABASE IF EXISTS %s WITH (FORCE);\n" % ident(d) for d in dbs)
    if facts["role"]:
        sql += "DROP ROLE IF EXISTS %s;\n" % ident(facts["role"])
    psql(sql, timeout=600)
    return ["database " + d for d in dbs] + (["role " + facts["role"]] if facts["role"] else [])


def purge_redis(app, facts):
    removed = []
    for p in facts["files"]:
        os.unlink(p)
        removed.append(p)
    for d in facts["dirs"]:
        # redis's own dirs (0750, not the app's): rmtree works by directory fd, never following a link.
        shutil.rmtree(d["dir"])
        removed.append(d["dir"])
    return removed


def purge_files(app, facts):
    removed = []
    for d in facts["dirs"]:
        if user_exists(app):
            remove_app_dir(app, d["dir"])
        else:
            # No app user left to race it: by directory fd, never following a link.
            shutil.rmtree(d["dir"])
        removed.append(d["dir"])
    return removed


PURGE_REMOVE = {"postgres": purge_postgres, "redis": purge_redis, "files": purge_files}


def forget_credentials(app, services):
    """The purged services' passwords leave credentials.json (a service added back gets new ones);
    an empty credentials.json goes, and the app's services dir with it once nothing is left."""
    p = os.path.join(services_dir(app), "credentials.json")
    creds = credentials(app)
    if not any(s in creds for s in services):
        return
    for s in services:
        creds.pop(s, None)
    if creds:
        write_json_atomic(p, creds)
        return
    os.unlink(p)
    try:
        os.rmdir(services_dir(app))
    except OSError:
        pass  # other files of the app's are still there


# ---------------------------------------------------------------------------------------------
# Status

def services_status(app):
    """Each of the app's services on this node for 'hoist status': running or not (and why), its
    version and size. Never fails: what cannot be read is said in "error"."""
    out = {}
    for part in present_parts(app):
        try:
            out[part] = dict(running=True, **SERVICE_STATUS[part](app))
        except (Failed, OSError, ValueError) as e:
            out[part] = {"running": False, "error": str(e)}
    return out


def _postgres_status(app):
    rc, out, err = psql("SELECT current_setting('server_version'), pg_database_size(%s);"
                        % literal(app_id(app)), timeout=30)
    version, size = out.strip().split("|")
    return {"version": version.split()[0], "size": int(size), "database": app_id(app)}


def _redis_status(app):
    conf, r = redis_connect(app)
    try:
        server, memory = r.info("server"), r.info("memory")
        keys = sum(int(re.search(r"keys=([0-9]+)", v).group(1))
                   for k, v in r.info("keyspace").items() if k.startswith("db"))
    finally:
        r.close()
    return {"version": server.get("redis_version"), "size": int(memory.get("used_memory", 0)),
            "keys": keys, "port": int(conf["port"])}


def _files_status(app):
    return {"size": du(uploads_dir(app), app), "dir": uploads_dir(app)}


SERVICE_STATUS = {"postgres": _postgres_status, "redis": _redis_status, "files": _files_status}


def status(app, services=False):
    """services: each service's own state too (services_status), for 'hoist status'."""
    state = read_state(app)
    config = read_json(os.path.join(services_dir(app), "backup.json"), default=None)
    known = state.get("backups", {})
    local = []
    d = backups_dir(app)
    names = local_bundles(app)
    for n in reversed(names):
        st = os.stat(os.path.join(d, n))
        created = datetime.datetime.strptime(BUNDLE.match(n).group(2), "%Y%m%dT%H%M%SZ")
        info = known.get(n, {})
        local.append({"name": n, "size": st.st_size, "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                      "verified": info.get("verified", False), "verified_at": info.get("verified_at"),
                      "copied": info.get("copied"), "copy_error": info.get("copy_error")})
    out = {"app": app, "dir": d, "backups": local, "last_scheduled": state.get("last_scheduled"),
           "last_drill": state.get("last_drill"), "schedule": (config or {}).get("schedule"),
           "configured": config is not None, "kept": kept_data(app)}
    if services:
        out["services"] = services_status(app)
    return out


# ---------------------------------------------------------------------------------------------
# Command line

def parse(argv):
    p = argparse.ArgumentParser(prog="hoist-data")
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("backup", "cleanup", "scheduled", "status"):
        sub.add_parser(name).add_argument("--app", required=True)
    sub.choices["status"].add_argument("--services", action="store_true",
                                       help="each service's state, version and size too")
    sub.add_parser("key")
    v = sub.add_parser("verify")
    v.add_argument("file", nargs="?", default="-")
    r = sub.add_parser("restore")
    r.add_argument("--app", required=True)
    r.add_argument("--as", dest="as_app")
    r.add_argument("--yes", action="store_true")
    r.add_argument("--latest", action="store_true", help="the newest local bundle")
    r.add_argument("--no-app", action="store_true",
                   help="the app runs on other nodes: no maintenance flag or reload here")
    r.add_argument("--wait-go", action="store_true",
                   help="after staging and verifying, wait for 'go' on stdin before the swap")
    r.add_argument("file", nargs="?", default="-")
    d = sub.add_parser("drill")
    d.add_argument("--app", required=True)
    d.add_argument("file", nargs="?")
    u = sub.add_parser("purge")
    u.add_argument("--app", required=True)
    u.add_argument("--service", action="append", choices=SERVICES, required=True)
    u.add_argument("--yes", action="store_true", help="delete; without, only say what would go")
    u.add_argument("--by", help="who purges (user@host), named to a deploy refused meanwhile")
    return p.parse_args(argv)


def open_input(name):
    if name == "-":
        return os.fdopen(os.dup(0), "rb", buffering=0)
    try:
        return open(name, "rb")
    except OSError as e:
        raise Bad("cannot read %s: %s" % (name, e.strerror))


def main(argv):
    try:
        args = parse(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    os.umask(0o077)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    app = getattr(args, "app", None)
    for a in (app, getattr(args, "as_app", None)):
        if a is not None and not APP.match(a):
            emit("result", ok=False, error="bad app name %r" % a)
            return 2
    try:
        if os.geteuid() != 0:
            raise Bad("hoist-data runs as root")
        result = dict(dispatch(args))
        result.pop("ok", None)
        emit("result", ok=True, **result)
        return 0
    except Bad as e:
        emit("result", ok=False, error=str(e))
        return 2
    except (Failed, Interrupted, OSError) as e:
        msg = str(e)
        if isinstance(e, OSError) and e.errno == 28:
            msg = "the disk is full (%s); nothing was changed" % e
        elif isinstance(e, BrokenPipeError):
            msg = "the output was closed (the caller went away)"
        emit("result", ok=False, error=msg)
        return 1
    finally:
        kill_children()


def dispatch(args):
    if args.cmd == "backup":
        out = os.fdopen(os.dup(1), "wb", buffering=0)
        if out.isatty():
            raise Bad("the bundle goes to stdout: redirect it to a file or a pipe")
        manifest, size = backup(args.app, out)
        return {"bytes": size, "parts": manifest["parts"]}
    if args.cmd == "verify":
        with open_input(args.file) as f:
            header, manifest = verify_stream(f)
        return bundle_summary(header, manifest)
    if args.cmd == "restore":
        if args.latest and args.file != "-":
            raise Bad("give a FILE or --latest, not both")
        with open_input(newest_bundle(args.app) if args.latest else args.file) as f:
            control = None
            if args.wait_go:
                control = f if args.file == "-" and not args.latest else open_input("-")
            try:
                return restore(args.app, args.as_app, args.yes, f, here=not args.no_app, control=control)
            finally:
                if control is not None and control is not f:
                    control.close()
    if args.cmd == "cleanup":
        pg_version()
        lock = Lock(args.app)
        try:
            return {"removed": drop_leftovers(args.app, old=True)}
        finally:
            lock.close()
    if args.cmd == "drill":
        return drill(args.app, args.file)
    if args.cmd == "purge":
        return purge(args.app, [s for s in SERVICES if s in args.service], args.yes, args.by)
    if args.cmd == "scheduled":
        return scheduled(args.app)
    if args.cmd == "key":
        return backup_key()
    if args.cmd == "status":
        s = status(args.app, args.services)
        sys.stdout.write(json.dumps(s, sort_keys=True) + "\n")
        sys.stdout.flush()
        return s
    raise Bad("unknown command %s" % args.cmd)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
