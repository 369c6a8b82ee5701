"""Integration test of the data runner (hoist-data.py) against a real PostgreSQL 15 and Redis 7.

Run by dev.hoist.it.DataRunnerIT (as root, under /work/it.lock); not by mvn test's discovery (its
name does not start with test). It starts its own throwaway PostgreSQL (initdb in a temporary dir,
on a free port) and, under its own runsvdir, its own Redis and a stand-in for the app's gunicorn
(which records the HUPs a reload sends), all under a temporary HOIST_DATA_ROOT; the app user
'hdtest' is created if missing and removed after. Everything started is stopped by its pid.

It writes rows, keys and files; backs up; verifies; wipes; restores and compares (row counts and a
checksum of every table, every Redis key and value, every file's sha256); then the failures: a
truncated and an altered bundle (refused naming the part, nothing changed), another app's bundle,
PostgreSQL down during a backup, a restore interrupted by SIGINT and by a cut stdin (live data
untouched, a rerun works); then drill, the scheduled job, status and cleanup.
"""
import hashlib
import importlib.util
import io
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tarfile
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "..", "..", "main", "resources", "dev", "hoist", "services", "hoist-data.py")
PGBIN = "/usr/lib/postgresql/15/bin"
APP = "hdtest"
ADMIN_PW = "admin-" + hashlib.sha256(os.urandom(8)).hexdigest()[:16]
APP_PW = "app-" + hashlib.sha256(os.urandom(8)).hexdigest()[:16]


def load_runner():
    spec = importlib.util.spec_from_file_location("hoist_data", RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


data = load_runner()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sh(argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, **kw)


class Lab:
    """The throwaway PostgreSQL, Redis, runsvdir and app layout."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="hoist-data-it-")
        os.chmod(self.root, 0o755)
        self.pg_port, self.redis_port = free_port(), free_port()
        self.pg = self.runsvdir = self.sshd = None
        self.made_user = self.mounted = False

    def p(self, rel):
        return self.root + rel

    def start(self):
        try:
            pwd.getpwnam(APP)
        except KeyError:
            sh(["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                "--shell", "/usr/sbin/nologin", APP])
            self.made_user = True
        self.uid = pwd.getpwnam(APP).pw_uid
        self.start_postgres()
        self.layout()
        self.runsvdir = subprocess.Popen(["runsvdir", "-P", self.p("/etc/service")],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.wait_redis()

    def start_postgres(self):
        d = self.p("/pg")
        os.mkdir(d, 0o700)
        shutil.chown(d, "postgres", "postgres")
        sh(["runuser", "-u", "postgres", "--", PGBIN + "/initdb", "-D", d + "/data", "--auth=trust",
            "-U", "postgres", "--no-sync"], cwd="/")
        self.pg_log = open(d + "/log", "ab")
        self.start_postgres_again()

    def start_postgres_again(self):
        d = self.p("/pg")
        self.pg = subprocess.Popen(["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups",
                                    PGBIN + "/postgres", "-D", d + "/data", "-p", str(self.pg_port), "-k", d,
                                    "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
                                   stdout=self.pg_log, stderr=self.pg_log, cwd="/")
        for _ in range(100):
            if subprocess.run([PGBIN + "/pg_isready", "-h", d, "-p", str(self.pg_port)],
                              capture_output=True).returncode == 0:
                return
            time.sleep(0.1)
        raise AssertionError("postgres did not start: " + open(d + "/log").read())

    def stop_postgres(self):
        if self.pg and self.pg.poll() is None:
            self.pg.send_signal(signal.SIGINT)
            self.pg.wait(60)

    def psql(self, sql, db=APP, user="postgres"):
        r = subprocess.run(["runuser", "-u", "postgres", "--", PGBIN + "/psql", "-X", "-q", "-A", "-t",
                            "-v", "ON_ERROR_STOP=1", "-h", self.p("/pg"), "-p", str(self.pg_port), "-U", user,
                            "-d", db], input=sql.encode(), capture_output=True, cwd="/")
        if r.returncode != 0:
            raise AssertionError("psql: " + r.stderr.decode())
        return r.stdout.decode()

    def layout(self):
        for d, mode in [("/etc/hoist/services/" + APP, 0o755), ("/etc/sv", 0o755), ("/etc/service", 0o755),
                        ("/var/lib/hoist/redis", 0o755), ("/srv/%s/shared" % APP, 0o755),
                        ("/srv/%s/releases/r1" % APP, 0o755), ("/etc/hoist/backup", 0o700)]:
            os.makedirs(self.p(d), mode)
        os.symlink("releases/r1", self.p("/srv/%s/current" % APP))
        # shared/ on a small filesystem of its own, so that a restore can meet a full disk.
        sh(["mount", "-t", "tmpfs", "-o", "size=24m,mode=0755", "hoist-data-it", self.p("/srv/%s/shared" % APP)])
        self.mounted = True
        creds = {"postgres": {"password": APP_PW}, "redis": {"password": APP_PW, "admin_password": ADMIN_PW}}
        with open(self.p("/etc/hoist/services/%s/credentials.json" % APP), "w") as f:
            json.dump(creds, f)
        os.chmod(self.p("/etc/hoist/services/%s/credentials.json" % APP), 0o600)
        # As the deploy writes it: which services the app has (the runner backs up those).
        with open(self.p("/etc/hoist/services/%s/services.json" % APP), "w") as f:
            json.dump({"app": APP, "app_id": APP, "user": APP,
                       "postgres": {"host": "127.0.0.1", "port": self.pg_port, "extensions": []},
                       "redis": {"host": "127.0.0.1", "port": self.redis_port},
                       "files": {"dir": "/srv/%s/shared/uploads" % APP, "url": "/uploads"}}, f)
        self.psql("CREATE ROLE %s LOGIN PASSWORD '%s'; CREATE DATABASE %s OWNER %s; "
                  "REVOKE CONNECT ON DATABASE %s FROM PUBLIC;" % (APP, APP_PW, APP, APP, APP), db="postgres")
        rdir = self.p("/var/lib/hoist/redis/" + APP)
        os.mkdir(rdir, 0o750)
        shutil.chown(rdir, "redis", "redis")
        conf = self.p("/etc/hoist/services/%s/redis.conf" % APP)
        with open(conf, "w") as f:
            f.write("port %d\nbind 127.0.0.1\ndir %s\ndbfilename dump.rdb\ndaemonize no\nsave \"\"\n"
                    "unixsocket %s/admin.sock\nunixsocketperm 700\n"
                    "appendonly no\nuser default off\nuser hoist on >%s ~* &* +@all\n"
                    "user %s on >%s ~* &* +@all -@admin -@dangerous\n"
                    % (self.redis_port, rdir, rdir, ADMIN_PW, APP, APP_PW))
        os.chmod(conf, 0o644)
        self.service("hoist-redis-" + APP, "exec chpst -u redis /usr/bin/redis-server %s" % conf)
        self.hups = self.p("/srv/%s/hups" % APP)
        os.mkdir(self.hups, 0o755)
        shutil.chown(self.hups, APP, APP)
        app = ("import signal, time\n"
               "signal.signal(signal.SIGHUP, lambda *a: open('%s/log', 'a').write('hup\\n'))\n"
               "while True:\n    time.sleep(1)\n" % self.hups)
        self.service("hoist-" + APP, "exec chpst -u %s:%s /usr/bin/python3 -c \"%s\"" % (APP, APP, app))
        up = self.p("/srv/%s/shared/uploads" % APP)
        os.mkdir(up, 0o755)
        shutil.chown(up, APP, APP)

    def service(self, name, command):
        d = self.p("/etc/sv/" + name)
        os.mkdir(d, 0o755)
        with open(d + "/run", "w") as f:
            f.write("#!/bin/sh\nexec 2>&1\n%s\n" % command)
        os.chmod(d + "/run", 0o755)
        os.symlink(d, self.p("/etc/service/" + name))

    def redis(self):
        return data.Redis({"unixsocket": self.p("/var/lib/hoist/redis/%s/admin.sock" % APP)}, ADMIN_PW)

    def wait_redis(self):
        end = time.time() + 30
        while True:
            try:
                self.redis().call("PING")
                return
            except data.Failed:
                if time.time() > end:
                    raise
                time.sleep(0.1)

    def hup_count(self):
        try:
            with open(self.hups + "/log") as f:
                return len(f.read().split())
        except FileNotFoundError:
            return 0

    def start_sshd(self):
        """An sshd on a free loopback port taking the backup key for the app user, sftp only (PAM on:
        without it sshd refuses the locked password of a system user even for a key)."""
        d = self.p("/ssh")
        os.mkdir(d, 0o755)
        sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", d + "/host"])
        sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.p("/etc/hoist/backup/id_ed25519")])
        shutil.copy(self.p("/etc/hoist/backup/id_ed25519.pub"), d + "/authorized_keys")
        os.chmod(d + "/authorized_keys", 0o644)
        self.ssh_port = free_port()
        with open(d + "/sshd_config", "w") as f:
            f.write("Port %d\nListenAddress 127.0.0.1\nHostKey %s/host\nAuthorizedKeysFile %s/authorized_keys\n"
                    "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM yes\nStrictModes no\n"
                    "AllowUsers %s\nSubsystem sftp internal-sftp\nForceCommand internal-sftp\nPidFile none\n"
                    % (self.ssh_port, d, d, APP))
        # sshd will not start without its privilege separation dir, which only a started ssh
        # service (or an earlier test's sshd, as OpenSsh.java makes it) leaves in /run.
        os.makedirs("/run/sshd", 0o755, exist_ok=True)
        self.sshd = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", d + "/sshd_config"],
                                     stdout=subprocess.DEVNULL, stderr=open(d + "/log", "ab"))
        end = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.ssh_port), timeout=1).close()
                break
            except OSError:
                if time.time() > end:
                    raise
                time.sleep(0.1)
        with open(d + "/host.pub") as f:
            return " ".join(f.read().split()[:2])

    def stop(self):
        if self.sshd and self.sshd.poll() is None:
            self.sshd.terminate()
            self.sshd.wait(30)
        if self.runsvdir and self.runsvdir.poll() is None:
            self.runsvdir.send_signal(signal.SIGHUP)
            self.runsvdir.wait(60)
            # runsv ends its service on the TERM runsvdir sends it; give them a moment.
            time.sleep(1)
        self.stop_postgres()
        if self.mounted:
            subprocess.run(["umount", self.p("/srv/%s/shared" % APP)], capture_output=True)
        if self.made_user:
            subprocess.run(["userdel", APP], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


def as_app(argv):
    return sh(["runuser", "-u", APP, "--"] + argv, cwd="/")


class DataRunnerIT(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("needs root (the runner does)")
        cls.lab = Lab()
        try:
            cls.lab.start()
            cls.seed()
        except BaseException:
            cls.lab.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.lab.stop()

    @classmethod
    def seed(cls):
        lab = cls.lab
        lab.psql("CREATE TABLE items (id serial PRIMARY KEY, name text, price numeric);"
                 "INSERT INTO items (name, price) SELECT 'item ' || g, g * 1.5 FROM generate_series(1, 3000) g;"
                 "CREATE TABLE notes (id int PRIMARY KEY, body text);"
                 "INSERT INTO notes SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 2000) g;",
                 user=APP)
        r = lab.redis()
        for i in range(200):
            r.call("SET", "session:%d" % i, "value-%d" % i)
        r.call("HSET", "cart:1", "apple", "3", "pear", "1")
        up = lab.p("/srv/%s/shared/uploads" % APP)
        with tempfile.TemporaryDirectory() as t:
            os.chmod(t, 0o755)
            with open(t + "/big.bin", "wb") as f:
                f.write(os.urandom(3 << 20))
            os.chmod(t + "/big.bin", 0o644)
            as_app(["mkdir", "-p", up + "/avatars"])
            as_app(["cp", t + "/big.bin", up + "/avatars/big.bin"])
        as_app(["sh", "-c", "echo hello > %s/readme.txt" % up])
        # A link the app made: archived and restored as a link, never followed by root.
        as_app(["ln", "-s", "/etc/shadow", up + "/shadow-link"])

    # --- helpers --------------------------------------------------------------------------------

    def runner(self, *args, stdin=None, stdout=None, input_data=None, check_exit=None, timeout=600):
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOIST_DATA_ROOT": self.lab.root,
               "HOIST_DATA_PGHOST": self.lab.p("/pg"), "HOIST_DATA_PGPORT": str(self.lab.pg_port),
               "HOIST_DATA_CHUNK": str(1 << 20), "HOIST_DATA_REDIS_START": "8"}
        r = subprocess.run(["/usr/bin/python3", "-I", RUNNER] + list(args), env=env, stdin=stdin,
                           stdout=stdout if stdout is not None else subprocess.PIPE, stderr=subprocess.PIPE,
                           input=input_data, cwd="/", timeout=timeout)
        lines = [json.loads(line) for line in r.stderr.decode().splitlines() if line.startswith("{")]
        result = lines[-1] if lines else {}
        self.events = lines
        self.assertEqual("result", result.get("event"), r.stderr.decode())
        if check_exit is not None:
            self.assertEqual(check_exit, r.returncode, result)
        return r.returncode, result, r.stdout

    def backup(self, name="b.hoistbak", timeout=600):
        target = self.lab.p("/" + name)
        with open(target, "wb") as f:
            rc, result, _ = self.runner("backup", "--app", APP, stdout=f, timeout=timeout)
        self.assertEqual(0, rc, result)
        return target

    def marks(self):
        return [e["what"] for e in self.events if e.get("event") == "mark"]

    def snapshot(self):
        lab = self.lab
        tables = {}
        for t in lab.psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1;").split():
            count = lab.psql("SELECT count(*) FROM %s;" % t).strip()
            digest = lab.psql("SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM %s x;" % t).strip()
            owner = lab.psql("SELECT tableowner FROM pg_tables WHERE tablename = '%s';" % t).strip()
            tables[t] = (count, digest, owner)
        r = lab.redis()
        keys = {}
        for k in r.call("KEYS", "*"):
            kind = r.call("TYPE", k)
            keys[k] = r.call("GET", k) if kind == "string" else sorted(r.call("HGETALL", k))
        files = {}
        up = lab.p("/srv/%s/shared/uploads" % APP)
        for d, dirs, names in os.walk(up):
            for n in names:
                f = os.path.join(d, n)
                rel = os.path.relpath(f, up)
                if os.path.islink(f):
                    files[rel] = "link:" + os.readlink(f)
                else:
                    with open(f, "rb") as fh:
                        st = os.stat(f)
                        files[rel] = (hashlib.sha256(fh.read()).hexdigest(), st.st_uid, oct(st.st_mode))
        st = os.stat(up)
        files["."] = (st.st_uid, oct(st.st_mode))
        return {"tables": tables, "keys": keys, "files": files}

    def wipe(self):
        self.lab.psql("DROP TABLE items; DROP TABLE notes;", user=APP)
        self.lab.redis().call("FLUSHALL")
        up = self.lab.p("/srv/%s/shared/uploads" % APP)
        as_app(["find", up, "-mindepth", "1", "-delete"])

    def leftovers(self):
        dbs = self.lab.psql("SELECT datname FROM pg_database WHERE datname LIKE '%\\_restore\\_%' OR "
                            "datname LIKE '%\\_drill';", db="postgres").split()
        dirs = [e for d in ("/var/lib/hoist/redis", "/srv/%s/shared" % APP)
                for e in os.listdir(self.lab.p(d)) if ".restore-" in e]
        return dbs + dirs

    def rewrite(self, bundle, change):
        """A copy of the bundle with header and manifest changed alike (a valid bundle of another app)."""
        out = io.BytesIO()
        with tarfile.open(bundle, "r:") as src, tarfile.open(fileobj=out, mode="w:", format=tarfile.USTAR_FORMAT) as dst:
            for m in src.getmembers():
                content = src.extractfile(m).read()
                if m.name.startswith("hoist-backup/"):
                    obj = json.loads(content)
                    change(obj)
                    content = json.dumps(obj).encode()
                    m.size = len(content)
                dst.addfile(m, io.BytesIO(content))
        target = bundle + ".rewritten"
        with open(target, "wb") as f:
            f.write(out.getvalue())
        return target

    def altered(self, bundle, member):
        with tarfile.open(bundle, "r:") as t:
            m = t.getmember(member)
        raw = bytearray(open(bundle, "rb").read())
        raw[m.offset_data + m.size // 2] ^= 0x55
        target = bundle + ".altered"
        with open(target, "wb") as f:
            f.write(raw)
        return target

    # --- the tests, in order (unittest sorts them by name) --------------------------------------

    def test_1_backup_verify_wipe_restore_compare(self):
        before = self.snapshot()
        self.assertEqual("3000", before["tables"]["items"][0])
        self.assertEqual(201, len(before["keys"]))
        self.assertEqual("link:/etc/shadow", before["files"]["shadow-link"])

        bundle = self.backup()
        with tarfile.open(bundle, "r:") as t:
            names = t.getnames()
            sizes = [m.size for m in t.getmembers()]
        self.assertEqual("hoist-backup/header.json", names[0])
        self.assertEqual("hoist-backup/manifest.json", names[-1])
        self.assertIn("postgres/roles.sql", names)
        self.assertIn("redis/dump.rdb.000000", names)
        self.assertIn("files/uploads.tar.000003", names)  # 3 MiB of uploads in 1 MiB chunks
        self.assertTrue(all(s <= 1 << 20 for s in sizes))
        # Redis saved while pg_dump ran, not after it.
        marks = self.marks()
        self.assertLess(marks.index("redis BGSAVE started"), marks.index("pg_dump done"), marks)
        # Saves finishing within one second of each other (LASTSAVE would not move): each backup
        # still ends at once.
        for n in range(3):
            self.backup("again-%d.hoistbak" % n, timeout=60)

        rc, result, _ = self.runner("verify", bundle, check_exit=0)
        self.assertEqual(APP, result["app"])
        self.assertEqual("r1", result["release"])
        self.assertTrue(result["postgres_version"].startswith("15"))
        self.assertTrue(result["redis_version"].startswith("7"))
        self.assertEqual({"postgres/roles.sql", "postgres/dump", "redis/dump.rdb", "files/uploads.tar"},
                         set(result["parts"]))
        with open(bundle, "rb") as f:
            self.runner("verify", "-", stdin=f, check_exit=0)

        # Data in the target: refused without --yes, nothing changed.
        rc, result, _ = self.runner("restore", "--app", APP, bundle, check_exit=2)
        self.assertIn("already has data", result["error"])
        self.assertIn("--yes", result["error"])

        self.wipe()
        self.assertEqual({}, self.snapshot()["keys"])
        hups = self.lab.hup_count()
        with open(bundle, "rb") as f:
            rc, result, _ = self.runner("restore", "--app", APP, stdin=f, check_exit=0)
        self.assertLess(result["window_seconds"], 30)
        self.assertTrue(result["reloaded"])
        # The staging database was made while the dump's head arrived, before pg_restore started.
        marks = self.marks()
        self.assertLess(marks.index("staging database made"), marks.index("pg_restore started"), marks)
        self.assertTrue(result["kept"]["database"].startswith(APP + "_old_"))
        self.assertEqual(before, self.snapshot())
        self.assertEqual([], self.leftovers())
        self.assertFalse(os.path.exists(self.lab.p("/etc/hoist/maintenance/" + APP)))
        self.assertEqual(hups + 1, self.wait_hups(hups + 1))
        # The app's role can use its restored database and owns what is in it.
        self.assertEqual("3000", self.lab.psql("SELECT count(*) FROM items;", user=APP).strip())

        # With --yes over live data: replaced, the old kept aside.
        self.lab.psql("INSERT INTO items (name) VALUES ('after the backup');", user=APP)
        rc, result, _ = self.runner("restore", "--app", APP, "--yes", bundle, check_exit=0)
        self.assertEqual(before, self.snapshot())
        old = result["kept"]["database"]
        self.assertEqual("3001", self.lab.psql("SELECT count(*) FROM items;", db=old).strip())

    def wait_hups(self, n):
        end = time.time() + 10
        while self.lab.hup_count() < n and time.time() < end:
            time.sleep(0.1)
        return self.lab.hup_count()

    def test_2_truncated_and_altered_bundles_change_nothing(self):
        bundle = self.backup()
        before = self.snapshot()
        raw = open(bundle, "rb").read()
        cut = bundle + ".cut"
        with tarfile.open(bundle, "r:") as t:
            at = t.getmember("postgres/dump.000000").offset_data + 1000
        with open(cut, "wb") as f:
            f.write(raw[:at])
        rc, result, _ = self.runner("verify", cut, check_exit=2)
        self.assertIn("truncated", result["error"])
        self.assertIn("postgres/dump", result["error"])
        rc, result, _ = self.runner("restore", "--app", APP, "--yes", cut, check_exit=2)
        self.assertIn("truncated", result["error"])
        self.assertEqual(before, self.snapshot())
        self.assertEqual([], self.leftovers())
        # Cut after the parts, before the manifest: every part read, still refused.
        with open(cut, "wb") as f:
            f.write(raw[:raw.index(b"hoist-backup/manifest.json")])
        rc, result, _ = self.runner("restore", "--app", APP, "--yes", cut, check_exit=2)
        self.assertIn("no manifest", result["error"])
        self.assertEqual(before, self.snapshot())
        self.assertEqual([], self.leftovers())

        for member, part in [("postgres/dump.000000", "postgres/dump"), ("redis/dump.rdb.000000", "redis/dump.rdb"),
                             ("files/uploads.tar.000002", "files/uploads.tar")]:
            with self.subTest(part=part):
                bad = self.altered(bundle, member)
                rc, result, _ = self.runner("verify", bad)
                self.assertEqual(2, rc, result)
                self.assertIn("part " + part, result["error"])
                rc, result, _ = self.runner("restore", "--app", APP, "--yes", bad)
                self.assertEqual(2, rc, result)
                self.assertIn("part %s: sha256 does not match" % part, result["error"])
                self.assertEqual(before, self.snapshot())
                self.assertEqual([], self.leftovers())

    def test_3_another_apps_bundle_needs_as(self):
        bundle = self.backup()
        before = self.snapshot()
        other = self.rewrite(bundle, lambda h: h.update(app="other-shop", app_id="other_shop"))
        self.runner("verify", other, check_exit=0)
        rc, result, _ = self.runner("restore", "--app", APP, "--yes", other, check_exit=2)
        self.assertIn("of app other-shop", result["error"])
        self.assertIn("--as other-shop", result["error"])
        self.assertEqual(before, self.snapshot())
        rc, result, _ = self.runner("restore", "--app", APP, "--as", "other-shop", "--yes", other, check_exit=0)
        self.assertEqual(before, self.snapshot())

    def test_4_postgres_down_during_a_backup(self):
        self.lab.stop_postgres()
        try:
            rc, result, out = self.runner("backup", "--app", APP, check_exit=1)
            self.assertIn("PostgreSQL is not answering", result["error"])
            self.assertEqual(b"", out)
            rc, result, _ = self.runner("scheduled", "--app", APP, check_exit=2)
            self.assertIn("backup.json", result["error"])
        finally:
            self.lab.start_postgres_again()

    def test_5_interrupted_restores_leave_live_data_and_a_rerun_works(self):
        bundle = self.backup()
        before = self.snapshot()
        raw = open(bundle, "rb").read()
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOIST_DATA_ROOT": self.lab.root,
               "HOIST_DATA_PGHOST": self.lab.p("/pg"), "HOIST_DATA_PGPORT": str(self.lab.pg_port)}
        for how in ("SIGINT", "SIGTERM", "cut"):
            with self.subTest(how=how):
                p = subprocess.Popen(["/usr/bin/python3", "-I", RUNNER, "restore", "--app", APP, "--yes"],
                                     env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, cwd="/")
                p.stdin.write(raw[:len(raw) // 2])
                p.stdin.flush()
                end = time.time() + 30
                while not self.leftovers() and time.time() < end:
                    time.sleep(0.05)
                self.assertTrue(self.leftovers(), "staging was made")
                if how == "cut":
                    p.stdin.close()
                else:
                    p.send_signal(getattr(signal, how))
                p.wait(120)
                err = p.stderr.read().decode()
                result = json.loads(err.splitlines()[-1])
                self.assertEqual(2 if how == "cut" else 1, p.returncode, err)
                self.assertIn("truncated" if how == "cut" else "interrupted", result["error"])
                self.assertEqual([], self.leftovers())
                self.assertEqual(before, self.snapshot())
        # A full disk: the uploads do not fit beside the live ones.
        shared = self.lab.p("/srv/%s/shared" % APP)
        fs = os.statvfs(shared)
        with open(shared + "/filler", "wb") as f:
            f.write(b"\0" * (fs.f_bavail * fs.f_frsize - (1 << 20)))
        try:
            rc, result, _ = self.runner("restore", "--app", APP, "--yes", bundle, check_exit=1)
            self.assertIn("is full", result["error"])
            self.assertEqual(before, self.snapshot())
            self.assertEqual([], self.leftovers())
        finally:
            os.unlink(shared + "/filler")
        rc, result, _ = self.runner("restore", "--app", APP, "--yes", bundle, check_exit=0)
        self.assertEqual(before, self.snapshot())

    def test_6_drill_scheduled_status_cleanup(self):
        config = self.lab.p("/etc/hoist/services/%s/backup.json" % APP)
        with open(config, "w") as f:
            json.dump({"schedule": "daily", "keep": 2, "to": None, "drill": True,
                       "drill_check": {"sql": "SELECT count(*) FROM items"}}, f)
        names = []
        for _ in range(3):
            rc, result, _ = self.runner("scheduled", "--app", APP, check_exit=0)
            names.append(result["bundle"])
            self.assertTrue(result["verified"])
            self.assertTrue(result["drill"]["ok"])
            time.sleep(1.1)
        d = self.lab.p("/var/backups/hoist/" + APP)
        self.assertEqual(sorted(names[1:]), sorted(os.listdir(d)))
        self.assertEqual(0o700, os.stat(d).st_mode & 0o777)
        self.assertEqual(0o600, os.stat(os.path.join(d, names[-1])).st_mode & 0o777)

        rc, drill, _ = self.runner("drill", "--app", APP, check_exit=0)
        self.assertEqual(names[-1], drill["bundle"])
        self.assertIn("3000", drill["output"])
        self.assertEqual([], self.leftovers())
        with open(config, "w") as f:
            json.dump({"keep": 2, "drill_check": {"sql": "SELECT count(*) FROM no_such_table"}}, f)
        rc, drill, _ = self.runner("drill", "--app", APP, check_exit=1)
        self.assertIn("no_such_table", drill["error"])
        # A command, as the app user, with DATABASE_URL naming the scratch database.
        command = ("python3 -c \"import os, psycopg2; c = psycopg2.connect(os.environ['DATABASE_URL']); "
                   "k = c.cursor(); k.execute('SELECT current_database(), current_user, count(*) FROM items'); "
                   "print(*k.fetchone(), os.getuid())\"")
        with open(config, "w") as f:
            json.dump({"keep": 2, "drill_check": command}, f)
        rc, good, _ = self.runner("drill", "--app", APP, check_exit=0)
        self.assertIn("%s_drill %s 3000 %d" % (APP, APP, self.lab.uid), good["output"])
        self.assertNotIn(APP_PW, json.dumps(good))

        rc, status, out = self.runner("status", "--app", APP, check_exit=0)
        s = json.loads(out)
        self.assertEqual(names[-1], s["backups"][0]["name"])
        self.assertTrue(s["backups"][0]["verified"])
        self.assertTrue(s["last_scheduled"]["ok"])
        self.assertTrue(s["last_drill"]["ok"])
        self.assertEqual("command", s["last_drill"]["check"])
        self.assertTrue(s["kept"]["databases"])
        self.assertTrue(s["kept"]["dirs"])

        # PostgreSQL down: the run fails, says so in state.json, and leaves no partial bundle.
        self.lab.stop_postgres()
        try:
            rc, result, _ = self.runner("scheduled", "--app", APP, check_exit=1)
            self.assertIn("PostgreSQL is not answering", result["error"])
            self.assertEqual(sorted(names[1:]), sorted(os.listdir(d)))
        finally:
            self.lab.start_postgres_again()
        rc, status, out = self.runner("status", "--app", APP, check_exit=0)
        self.assertFalse(json.loads(out)["last_scheduled"]["ok"])
        self.assertIn("PostgreSQL", json.loads(out)["last_scheduled"]["error"])

        # Off the node over SFTP, pinned to the target's host key; a wrong key is refused.
        host_key = self.lab.start_sshd()
        offsite = self.lab.p("/offsite")
        os.mkdir(offsite, 0o755)
        # The target's stack makes the app's directory; the runner's key may only put and rename.
        os.mkdir(offsite + "/" + APP, 0o755)
        shutil.chown(offsite + "/" + APP, APP, APP)
        to = {"host": "127.0.0.1", "port": self.lab.ssh_port, "user": APP, "path": offsite + "/" + APP,
              "host_key": host_key}
        with open(config, "w") as f:
            json.dump({"keep": 2, "to": to, "drill": False}, f)
        rc, result, _ = self.runner("scheduled", "--app", APP)
        with open(self.lab.p("/ssh/log")) as log:
            self.assertEqual(0, rc, (result, log.read()[-2000:]))
        self.assertTrue(result["copied"])
        copied = os.path.join(offsite, APP, result["bundle"])
        with open(copied, "rb") as a, open(os.path.join(d, result["bundle"]), "rb") as b:
            self.assertEqual(hashlib.sha256(b.read()).hexdigest(), hashlib.sha256(a.read()).hexdigest())
        self.runner("verify", copied, check_exit=0)
        # The kept bundles made while there was no target are copied after the run's own, oldest first.
        older = sorted(n for n in os.listdir(d) if n != result["bundle"])
        self.assertEqual([names[-1]], older)
        self.assertEqual(older, result["copied_late"])
        self.assertEqual(sorted(os.listdir(d)), sorted(os.listdir(os.path.join(offsite, APP))))
        sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.lab.p("/ssh/other")])
        with open(self.lab.p("/ssh/other.pub")) as f:
            other_key = " ".join(f.read().split()[:2])
        with open(config, "w") as f:
            json.dump({"keep": 2, "to": dict(to, host_key=other_key)}, f)
        time.sleep(1.1)
        rc, result, _ = self.runner("scheduled", "--app", APP, check_exit=1)
        self.assertIn("copy to", result["error"])
        self.assertIn("verification failed", result["error"].lower())
        self.assertEqual(2, len(os.listdir(os.path.join(offsite, APP))))

        # The newest local bundle, restored by name.
        rc, result, _ = self.runner("restore", "--app", APP, "--yes", "--latest", check_exit=0)
        rc, newest, _ = self.runner("verify", os.path.join(d, sorted(os.listdir(d))[-1]), check_exit=0)
        self.assertEqual(newest["parts"], result["bundle"]["parts"])
        rc, result, _ = self.runner("restore", "--app", APP, "--latest", "x.hoistbak", check_exit=2)

        rc, result, _ = self.runner("cleanup", "--app", APP, check_exit=0)
        self.assertTrue(any(r.startswith("database %s_old_" % APP) for r in result["removed"]))
        rc, status, out = self.runner("status", "--app", APP, check_exit=0)
        self.assertEqual({"databases": [], "dirs": []}, json.loads(out)["kept"])

    def test_7_what_the_app_put_in_its_database_never_runs_as_the_superuser(self):
        # The app owns its database: it plants a CHECK whose function tries to become the session user
        # (the superuser, were the dump restored under --role) and a search_path that shadows the
        # catalogs the runner reads. Either, run by the superuser, would make a role: a mark that
        # outlives the scratch databases.
        mark = "hdtest_pwned"
        escalate = ("IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = session_user AND rolsuper) "
                    "THEN RESET ROLE; CREATE ROLE %s; END IF;" % mark)
        self.lab.psql(
            "CREATE FUNCTION ok(int) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN BEGIN %s "
            "EXCEPTION WHEN OTHERS THEN NULL; END; RETURN true; END $$;\n"
            "CREATE TABLE checked (x int CHECK (ok(x)));\nINSERT INTO checked VALUES (1);\n"
            "CREATE SCHEMA shadow;\n"
            "CREATE FUNCTION shadow.f() RETURNS name LANGUAGE plpgsql AS $$ BEGIN BEGIN %s "
            "EXCEPTION WHEN OTHERS THEN NULL; END; RETURN 'plpgsql'; END $$;\n"
            "CREATE VIEW shadow.pg_extension AS SELECT shadow.f() AS extname;\n"
            "CREATE VIEW shadow.pg_class AS SELECT c.*, shadow.f() AS f FROM pg_catalog.pg_class c;\n"
            "ALTER DATABASE %s SET search_path = shadow, pg_catalog, public;\n"
            % (escalate, escalate, APP), user=APP)
        config = self.lab.p("/etc/hoist/services/%s/backup.json" % APP)
        with open(config, "w") as f:
            json.dump({"keep": 5, "drill_check": {"sql": "SELECT count(*) FROM checked WHERE ok(x)"}}, f)
        try:
            bundle = self.backup("planted.hoistbak")
            self.runner("restore", "--app", APP, bundle, check_exit=2)  # holds data: counted, refused
            self.runner("restore", "--app", APP, "--yes", bundle, check_exit=0)
            self.assertEqual("1", self.lab.psql("SELECT count(*) FROM checked;", user=APP).strip())
            self.runner("drill", "--app", APP, bundle, check_exit=0)
            self.assertEqual("", self.lab.psql("SELECT rolname FROM pg_roles WHERE rolname = '%s';" % mark,
                                               db="postgres").strip())
        finally:
            self.lab.psql("DROP ROLE IF EXISTS %s;" % mark, db="postgres")


if __name__ == "__main__":
    unittest.main()
