"""Unit tests of the ACME runner (run by dev.hoist.node.AgentPythonTest from mvn test).

Each test runs the runner the way a node does (python3 -I, one JSON line out) on a temporary DIR,
with fake_certbot.py in certbot's place and HOIST_ACME_NOW as the clock. The real certbot against
a real pebble is AcmeRunnerIT's part.
"""
import fcntl
import hashlib
import importlib.util
import json
import os
import stat
import subprocess
import tempfile
import time
import unicodedata
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "..", "..", "main", "resources", "dev", "hoist", "tls", "hoist-acme.py")
FAKE = os.path.join(HERE, "fake_certbot.py")
DAY = 86400


def load_runner():
    spec = importlib.util.spec_from_file_location("hoist_acme", RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


acme = load_runner()


class RunnerTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = os.path.join(self.tmp.name, "hello")
        os.mkdir(self.dir, 0o700)
        self.record = os.path.join(self.tmp.name, "calls.jsonl")
        self.clock = int(time.time())
        self.config = {
            "app": "hello", "names": ["hello.example.com", "www.hello.example.com"],
            "email": None, "directory": "https://localhost:14000/dir",
            "ca_file": "/etc/hoist/tls/hello/acme-ca.pem",
            "challenge": {"standalone": "127.0.0.1:8402"}, "renew_before_days": 30,
            "reload": [], "haproxy_pem": False}
        self.write_config()

    def tearDown(self):
        self.tmp.cleanup()

    def write_config(self, **changes):
        self.config.update(changes)
        with open(os.path.join(self.dir, "acme.json"), "w") as f:
            json.dump(self.config, f)

    def ensure(self, *flags, fail=False, days=90, certbot=FAKE, expect_code=None):
        env = dict(os.environ, HOIST_ACME_CERTBOT=certbot, HOIST_ACME_NOW=str(self.clock),
                   FAKE_CERTBOT_RECORD=self.record, FAKE_CERTBOT_DAYS=str(days))
        env.pop("FAKE_CERTBOT_FAIL", None)
        if fail:
            env["FAKE_CERTBOT_FAIL"] = "1"
        proc = subprocess.run(["/usr/bin/python3", "-I", RUNNER, "ensure", self.dir, *flags],
                              env=env, capture_output=True, text=True, timeout=60)
        self.last = proc
        if expect_code is not None:
            self.assertEqual(proc.returncode, expect_code, proc.stderr + proc.stdout)
        if "--quiet" in flags:
            return proc
        lines = proc.stdout.splitlines()
        self.assertEqual(len(lines), 1, proc.stdout + proc.stderr)
        return json.loads(lines[0])

    def calls(self):
        if not os.path.exists(self.record):
            return []
        with open(self.record) as f:
            return [json.loads(line) for line in f]

    def read(self, name, mode="r"):
        with open(os.path.join(self.dir, name), mode) as f:
            return f.read()

    def state(self):
        return json.loads(self.read("state.json"))

    def mode(self, name):
        return stat.S_IMODE(os.stat(os.path.join(self.dir, name)).st_mode)

    # ------------------------------------------------------------ decisions

    def test_missing_certificate_is_issued(self):
        out = self.ensure(expect_code=0)
        self.assertEqual(out["action"], "issued")
        self.assertEqual(out["names"], ["hello.example.com", "www.hello.example.com"])
        self.assertAlmostEqual(out["not_after"], self.clock + 90 * DAY, delta=DAY)
        self.assertIsNone(out["next_attempt"])
        self.assertEqual(self.mode("cert.pem"), 0o644)
        self.assertEqual(self.mode("key.pem"), 0o600)
        self.assertEqual(self.mode("last.log"), 0o600)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "haproxy.pem")))
        [call] = self.calls()
        argv = call["argv"]
        d = self.dir
        self.assertEqual(argv, [
            "certonly", "--non-interactive",
            "--config-dir", d + "/certbot/config", "--work-dir", d + "/certbot/work",
            "--logs-dir", d + "/certbot/logs", "--max-log-backups", "10",
            "--cert-name", "hello", "--server", "https://localhost:14000/dir", "--agree-tos",
            "--register-unsafely-without-email",
            "--standalone", "--http-01-address", "127.0.0.1", "--http-01-port", "8402",
            "-d", "hello.example.com", "-d", "www.hello.example.com"])
        self.assertEqual(call["ca"], "/etc/hoist/tls/hello/acme-ca.pem")
        self.assertIn("Successfully received certificate", self.read("last.log"))

    def test_covered_and_fresh_is_unchanged_without_certbot(self):
        self.ensure(expect_code=0)
        before = self.read("cert.pem")
        self.clock += 59 * DAY  # 31 days left, renewal starts at 30
        out = self.ensure(expect_code=0)
        self.assertEqual(out["action"], "unchanged")
        self.assertIn("expires in 31 days", out["message"])
        self.assertEqual(len(self.calls()), 1)
        self.assertEqual(self.read("cert.pem"), before)

    def test_due_certificate_is_renewed(self):
        self.ensure(expect_code=0)
        before = self.read("cert.pem")
        self.clock += 61 * DAY
        out = self.ensure(expect_code=0)
        self.assertEqual(out["action"], "renewed")
        self.assertIn("expires in 29 days", out["message"])
        self.assertIn("--force-renewal", self.calls()[-1]["argv"])
        self.assertNotEqual(self.read("cert.pem"), before)

    def test_changed_names_renew(self):
        self.ensure(expect_code=0)
        self.write_config(names=["hello.example.com", "api.hello.example.com"])
        out = self.ensure(expect_code=0)
        self.assertEqual(out["action"], "renewed")
        self.assertIn("does not cover api.hello.example.com", out["message"])
        self.assertEqual(out["names"], ["api.hello.example.com", "hello.example.com"])
        argv = self.calls()[-1]["argv"]
        self.assertIn("--force-renewal", argv)
        self.assertIn("api.hello.example.com", argv)

    def test_force_renews_a_fresh_certificate(self):
        self.ensure(expect_code=0)
        out = self.ensure("--force", expect_code=0)
        self.assertEqual(out["action"], "renewed")
        self.assertIn("forced", out["message"])
        self.assertEqual(len(self.calls()), 2)

    # ------------------------------------------------------------ failure and backoff

    def test_failure_keeps_the_old_certificate_and_backs_off(self):
        self.ensure(expect_code=0)
        cert, key = self.read("cert.pem"), self.read("key.pem")
        self.clock += 70 * DAY
        first_failure = self.clock
        out = self.ensure(fail=True, expect_code=1)
        self.assertEqual(out["action"], "failed")
        self.assertIn("connection refused", out["message"])
        self.assertIn("bad.example.com: connection", out["message"])
        self.assertIn("the CA connected to 127.0.0.2; this node has", out["message"])
        for address in acme.node_addresses():
            self.assertIn(address, out["message"])
        self.assertEqual(out["next_attempt"], first_failure + 300)
        self.assertEqual(out["names"], ["hello.example.com", "www.hello.example.com"])
        self.assertEqual((self.read("cert.pem"), self.read("key.pem")), (cert, key))
        state = self.state()
        self.assertEqual(state["failures"], 1)
        self.assertFalse(state["ok"])
        self.assertEqual(state["last_attempt"], first_failure)
        self.assertEqual(state["next_attempt"], first_failure + 300)
        self.assertEqual(state["message"], out["message"])
        self.assertLess(state["last_success"], first_failure)

        self.clock += 299
        out = self.ensure(expect_code=0)
        self.assertEqual(out["action"], "skipped")
        self.assertEqual(out["next_attempt"], first_failure + 300)
        self.assertIn("connection refused", out["message"])
        self.assertEqual(len(self.calls()), 2)

        out = self.ensure("--now", fail=True, expect_code=1)
        self.assertEqual(out["action"], "failed")
        self.assertEqual(self.state()["failures"], 2)
        self.assertEqual(out["next_attempt"], self.clock + 600)
        self.assertEqual(len(self.calls()), 3)

        self.clock += 600
        out = self.ensure(expect_code=0)
        self.assertEqual(out["action"], "renewed")
        state = self.state()
        self.assertEqual((state["failures"], state["ok"], state["next_attempt"]), (0, True, None))
        self.assertEqual(state["last_success"], self.clock)

    def test_shebang_isolates_python(self):
        with open(RUNNER) as f:
            self.assertEqual(f.readline(), "#!/usr/bin/python3 -I\n")

    def test_backoff_doubles_up_to_six_hours(self):
        self.assertEqual([acme.backoff(n) for n in (1, 2, 3, 7, 8, 30)],
                         [300, 600, 1200, 19200, 21600, 21600])

    def test_first_issuance_failure_leaves_no_certificate(self):
        out = self.ensure(fail=True, expect_code=1)
        self.assertEqual((out["action"], out["names"], out["not_after"]), ("failed", [], None))
        self.assertIn("issuing failed (no certificate yet)", out["message"])
        self.assertFalse(os.path.exists(os.path.join(self.dir, "cert.pem")))
        self.assertIsNone(self.state()["last_success"])

    def test_a_lost_key_means_no_certificate(self):
        self.ensure(expect_code=0)
        os.unlink(os.path.join(self.dir, "key.pem"))
        out = self.ensure(expect_code=0)
        self.assertEqual(out["action"], "issued")
        self.assertTrue(os.path.exists(os.path.join(self.dir, "key.pem")))

    def test_a_hanging_certbot_is_killed_with_its_children(self):
        hang = os.path.join(self.tmp.name, "hang")
        pid_file = os.path.join(self.tmp.name, "child.pid")
        with open(hang, "w") as f:
            f.write("#!/bin/sh\nsleep 60 &\necho $! > %s\nwait\n" % pid_file)
        os.chmod(hang, 0o755)
        saved = acme.CERTBOT, acme.CERTBOT_TIMEOUT
        acme.CERTBOT, acme.CERTBOT_TIMEOUT = hang, 1
        try:
            out = acme.ensure(self.dir, False, False)
        finally:
            acme.CERTBOT, acme.CERTBOT_TIMEOUT = saved
        self.assertEqual(out["action"], "failed")
        self.assertIn("certbot timed out after 1 s", out["message"])
        self.assertFalse(os.path.exists(os.path.join(self.dir, "cert.pem")))
        with open(pid_file) as f:
            child = int(f.read())
        deadline = time.time() + 5
        while time.time() < deadline and self.alive(child):
            time.sleep(0.05)
        self.assertFalse(self.alive(child), "certbot's child outlived the timeout")

    @staticmethod
    def alive(pid):
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().split(") ")[1][0] != "Z"
        except FileNotFoundError:
            return False

    def test_missing_certbot_is_named(self):
        out = self.ensure(certbot="/nonexistent/certbot", expect_code=1)
        self.assertIn("certbot is not installed", out["message"])
        self.assertEqual(self.state()["failures"], 1)

    # ------------------------------------------------------------ install and reload

    def test_reload_commands_run_after_install(self):
        marker = os.path.join(self.tmp.name, "reloaded")
        self.write_config(reload=[["/usr/bin/python3", "-c",
                                   "import sys; open(sys.argv[1], 'w').write(open(sys.argv[2]).read())",
                                   marker, os.path.join(self.dir, "cert.pem")]])
        self.ensure(expect_code=0)
        # The reload saw the new certificate already in place.
        with open(marker) as f:
            self.assertEqual(f.read(), self.read("cert.pem"))

    def test_failed_reload_is_reported_and_keeps_the_certificate(self):
        self.write_config(reload=[["/bin/sh", "-c", "echo nginx is down; exit 3"]])
        out = self.ensure(expect_code=0)
        self.assertEqual(out["action"], "issued")
        self.assertIn("reload failed: /bin/sh -c echo nginx is down; exit 3: exit 3: nginx is down",
                      out["message"])
        self.assertTrue(self.state()["ok"])

    def test_haproxy_pem_is_chain_then_key(self):
        self.write_config(haproxy_pem=True)
        self.ensure(expect_code=0)
        self.assertEqual(self.read("haproxy.pem"), self.read("cert.pem") + self.read("key.pem"))
        self.assertEqual(self.mode("haproxy.pem"), 0o600)
        self.assertIn("PRIVATE KEY", self.read("key.pem"))

    def test_no_key_material_on_stdout_or_in_state(self):
        self.write_config(haproxy_pem=True)
        self.ensure(expect_code=0)
        key_lines = [line for line in self.read("key.pem").splitlines() if "-----" not in line]
        self.assertTrue(key_lines)
        for text in (self.last.stdout + self.last.stderr, self.read("state.json")):
            self.assertNotIn("PRIVATE", text)
            for line in key_lines:
                self.assertNotIn(line, text)

    def test_email_and_webroot(self):
        webroot = os.path.join(self.tmp.name, "webroot")
        os.mkdir(webroot, 0o755)
        self.write_config(email="ops@example.com", challenge={"webroot": webroot}, ca_file=None)
        self.ensure(expect_code=0)
        [call] = self.calls()
        argv = call["argv"]
        self.assertIn(["-m", "ops@example.com", "--no-eff-email"], [argv[i:i + 3] for i in range(len(argv))])
        self.assertIn(["--webroot", "-w", webroot], [argv[i:i + 3] for i in range(len(argv))])
        self.assertNotIn("--standalone", argv)
        self.assertNotIn("--register-unsafely-without-email", argv)
        self.assertIsNone(call["ca"])

    def test_quiet_prints_one_line_on_stderr(self):
        proc = self.ensure("--quiet", expect_code=0)
        self.assertEqual(proc.stdout, "")
        self.assertRegex(proc.stderr, r"\Ahoist-acme .*/hello: issued: certificate issued .*\n\Z")

    # ------------------------------------------------------------ refusals and locking

    def test_a_directory_others_can_write_is_refused(self):
        os.chmod(self.dir, 0o770)
        out = self.ensure(expect_code=2)
        self.assertEqual(out["action"], "failed")
        self.assertIn("writable by it alone", out["message"])
        self.assertEqual(self.calls(), [])

    def test_a_webroot_others_can_write_is_refused(self):
        webroot = os.path.join(self.tmp.name, "webroot")
        os.mkdir(webroot)
        os.chmod(webroot, 0o777)
        self.write_config(challenge={"webroot": webroot})
        self.assertIn("writable by it alone", self.ensure(expect_code=2)["message"])

    def test_bad_names_are_refused(self):
        self.write_config(names=["-d", "hello.example.com"])
        self.assertIn("lower-case DNS names", self.ensure(expect_code=2)["message"])
        self.assertEqual(self.calls(), [])

    def test_a_second_run_waits_for_the_lock(self):
        with open(os.path.join(self.dir, "lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            env = dict(os.environ, HOIST_ACME_CERTBOT=FAKE, FAKE_CERTBOT_RECORD=self.record)
            proc = subprocess.Popen(["/usr/bin/python3", "-I", RUNNER, "ensure", self.dir],
                                    env=env, stdout=subprocess.PIPE, text=True)
            time.sleep(0.5)
            self.assertIsNone(proc.poll())
            self.assertEqual(self.calls(), [])
        out, _ = proc.communicate(timeout=60)
        self.assertEqual(json.loads(out)["action"], "issued")

    # ------------------------------------------------------------ certbot's output

    def test_failure_cause_of_an_unexpected_error(self):
        out = ("Saving debug log to /x/letsencrypt.log\nAn unexpected error occurred:\n"
               "ValueError: Requesting localhost/dir: Connection refused\n"
               "Ask for help or search for solutions at https://community.letsencrypt.org.\n")
        self.assertEqual(acme.failure_cause(out),
                         "ValueError: Requesting localhost/dir: Connection refused")

    def test_failure_cause_falls_back_to_the_last_line(self):
        out = ("Saving debug log to /x/letsencrypt.log\nCould not bind TCP port 80 because it is "
               "already in use by another process on this system (such as a web server).\n")
        self.assertIn("Could not bind TCP port 80", acme.failure_cause(out))

    def test_ca_addresses_of_pebble_and_boulder(self):
        def seen(detail):
            return acme.ca_addresses("  Domain: a\n  Type:   connection\n  Detail: " + detail)

        self.assertEqual(seen('Get "http://a:80/x": dial tcp 10.0.0.9:80: refused'), ["10.0.0.9"])
        self.assertEqual(seen("203.0.113.5: Fetching http://a/x: Timeout"), ["203.0.113.5"])
        self.assertEqual(seen("dial tcp [2001:db8::1]:80: refused"), ["2001:db8::1"])
        self.assertEqual(seen("DNS problem: NXDOMAIN looking up A for a"), [])
        # An ACME server this node cannot reach is not the CA connecting anywhere.
        self.assertEqual(acme.ca_addresses("An unexpected error occurred:\n"
                                           "ValueError: Requesting 10.0.0.1/dir: refused"), [])

    def test_node_addresses_are_global_ones(self):
        for address in acme.node_addresses():
            self.assertFalse(address.startswith(("127.", "::1", "fe80")), address)

    def test_read_cert_reads_names_and_expiry(self):
        path = os.path.join(self.tmp.name, "c.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=a.example",
                        "-addext", "subjectAltName=DNS:a.example,DNS:B.example,IP:10.0.0.1",
                        "-days", "10", "-keyout", os.path.join(self.tmp.name, "k.pem"), "-out", path],
                       check=True, capture_output=True)
        names, not_after = acme.read_cert(path)
        self.assertEqual(names, {"a.example", "b.example"})
        self.assertAlmostEqual(not_after, time.time() + 10 * DAY, delta=60)
        with open(path, "w") as f:
            f.write("not a certificate\n")
        self.assertIsNone(acme.read_cert(path))


    # ------------------------------------------------------------ what a hostile world can do

    def fake(self, body):
        """A certbot of this test's own: a Python script (argv in sys.argv) ending with body."""
        path = os.path.join(self.tmp.name, "certbot-%d" % len(os.listdir(self.tmp.name)))
        with open(path, "w") as f:
            f.write("#!/usr/bin/python3 -I\nimport json, os, subprocess, sys\n" + body)
        os.chmod(path, 0o755)
        return path

    def test_certbot_and_reloads_get_a_fixed_environment_and_run_from_root(self):
        seen = os.path.join(self.tmp.name, "seen.json")
        certbot = self.fake(
            "json.dump({'env': dict(os.environ), 'cwd': os.getcwd()}, open(%r, 'w'))\n" % seen
            + "live = sys.argv[sys.argv.index('--config-dir') + 1] + '/live/hello'\n"
            + "os.makedirs(live)\n"
            + "subprocess.run(['/usr/bin/python3', %r] + sys.argv[1:], check=True)\n" % FAKE)
        reloaded = os.path.join(self.tmp.name, "reloaded.json")
        self.write_config(reload=[["python3", "-I", "-c",
                                   "import json, os, sys; json.dump({'env': dict(os.environ),"
                                   " 'cwd': os.getcwd()}, open(sys.argv[1], 'w'))", reloaded]])
        # What the caller's environment may hold: none of it reaches certbot or a reload.
        hostile = dict(os.environ, HOIST_ACME_CERTBOT=certbot, HOIST_ACME_NOW=str(self.clock),
                       FAKE_CERTBOT_RECORD=self.record, PYTHONPATH=self.tmp.name,
                       PYTHONSTARTUP=self.record, HOME=self.tmp.name,
                       XDG_CONFIG_HOME=self.tmp.name, REQUESTS_CA_BUNDLE=self.record,
                       PATH=self.tmp.name + ":" + os.environ.get("PATH", "/usr/bin"))
        proc = subprocess.run(["/usr/bin/python3", "-I", RUNNER, "ensure", self.dir],
                              env=hostile, cwd=self.tmp.name, capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(json.loads(proc.stdout)["action"], "issued", proc.stdout + proc.stderr)
        with open(seen) as f:
            certbot_saw = json.load(f)
        own = self.dir + "/certbot"
        self.assertEqual(certbot_saw, {"cwd": "/", "env": {
            "PATH": acme.PATH, "LANG": "C.UTF-8", "HOME": own, "XDG_CONFIG_HOME": own,
            "REQUESTS_CA_BUNDLE": "/etc/hoist/tls/hello/acme-ca.pem",
            "FAKE_CERTBOT_RECORD": self.record}})
        with open(reloaded) as f:
            self.assertEqual(json.load(f), {"cwd": "/", "env": {"PATH": acme.PATH, "LANG": "C.UTF-8"}})
        self.assertEqual(acme.PATH, "/usr/sbin:/usr/bin:/sbin:/bin")

    def test_the_cas_words_reach_no_terminal_as_controls(self):
        detail = "\x1b]0;owned\x07\x1b[2J\u202egnp.exe\x1b[1A\x9b" + "x" * 100000 + "\rrest"
        certbot = self.fake("print('  Domain: hello.example.com\\n  Type: unauthorized\\n"
                            "  Detail: ' + %r)\nsys.exit(1)\n" % detail)
        out = self.ensure(certbot=certbot, expect_code=1)
        quiet = self.ensure("--now", "--quiet", certbot=certbot, expect_code=1).stderr
        for text in (out["message"], self.state()["message"], quiet[:-1]):
            self.assertIn("hello.example.com: unauthorized: ?]0;owned??[2J?gnp.exe?[1A?xxx", text)
            self.assertLessEqual(len(text), acme.MESSAGE_MAX + 100)
            self.assertFalse([c for c in text if unicodedata.category(c)[0] == "C"], repr(text[:200]))
        self.assertEqual(quiet.count("\n"), 1)

    def test_printable(self):
        self.assertEqual(acme.printable("a\tb\nc\x00d\x7fe\x9bf\u200eg\u2029h"), "a?b?c?d?e?f?g?h")
        self.assertEqual(acme.printable("caf\u00e9 \u00fcber"), "caf\u00e9 \u00fcber")
        self.assertEqual(acme.printable("y" * 50, 10), "yyyyyyy...")
        self.assertEqual(acme.printable("y" * 10, 10), "y" * 10)

    def test_a_key_that_is_not_the_certificates_is_never_installed(self):
        self.ensure(expect_code=0)
        cert, key = self.read("cert.pem"), self.read("key.pem")
        # The CA answered with a certificate for another key (a hostile or broken CA).
        other = os.path.join(self.tmp.name, "other.key")
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-out", other], check=True, capture_output=True)
        certbot = self.fake(
            "subprocess.run(['/usr/bin/python3', %r] + sys.argv[1:], check=True)\n" % FAKE
            + "live = sys.argv[sys.argv.index('--config-dir') + 1] + '/live/hello'\n"
            + "open(live + '/privkey.pem', 'wb').write(open(%r, 'rb').read())\n" % other)
        out = self.ensure("--force", certbot=certbot, expect_code=1)
        self.assertEqual(out["action"], "failed")
        self.assertIn("key and certificate do not go together", out["message"])
        self.assertEqual((self.read("cert.pem"), self.read("key.pem")), (cert, key))
        with open(other) as f:
            other_lines = [line for line in f.read().splitlines() if "-----" not in line]
        self.assertTrue(other_lines)
        for line in other_lines:
            self.assertNotIn(line, self.last.stdout + self.last.stderr + self.read("state.json"))

    def test_a_failed_write_installs_neither_key_nor_certificate(self):
        self.write_config(haproxy_pem=True)
        self.ensure(expect_code=0)
        # Digests: a failing assertion must not print a key.
        before = [hashlib.sha256(self.read(n, "rb")).hexdigest() for n in ("key.pem", "cert.pem", "haproxy.pem")]
        # The last file cannot be written (as on a full disk): the first two must not move either.
        os.mkdir(os.path.join(self.dir, ".haproxy.pem.tmp"))
        out = self.ensure("--force", expect_code=1)
        self.assertEqual(out["action"], "failed")
        self.assertIn("Is a directory", out["message"])
        self.assertEqual([hashlib.sha256(self.read(n, "rb")).hexdigest()
                          for n in ("key.pem", "cert.pem", "haproxy.pem")], before)
        self.assertEqual(sorted(n for n in os.listdir(self.dir) if n.endswith(".tmp")),
                         [".haproxy.pem.tmp"])

    def test_an_email_or_directory_that_is_not_one_argument_is_refused(self):
        for change in ({"email": "-m@example.com"}, {"email": "ops@example.com --staging"},
                       {"email": "ops\x00@example.com"}, {"email": "ops\x1b@example.com"},
                       {"directory": "https://ca.example/dir --dry-run"},
                       {"directory": "https://ca.example/\x00"},
                       {"ca_file": "/etc/hoist/tls/hello/ca\x00.pem"}):
            self.write_config(**change)
            out = self.ensure(expect_code=2)
            self.assertEqual(out["action"], "failed", change)
            self.config.update(email=None, directory="https://localhost:14000/dir",
                               ca_file="/etc/hoist/tls/hello/acme-ca.pem")
        self.assertEqual(self.calls(), [])
        self.write_config(email="o'neil+tls@example.com")
        self.ensure(expect_code=0)
        self.assertIn("o'neil+tls@example.com", self.calls()[0]["argv"])

    def test_a_reload_that_cannot_be_run_is_reported(self):
        self.write_config(reload=[["/bin/true\x00"], ["/nonexistent/reload"]])
        out = self.ensure(expect_code=0)
        self.assertEqual(out["action"], "issued")
        self.assertIn("embedded null byte", out["message"])
        self.assertIn("/nonexistent/reload: No such file or directory", out["message"])


if __name__ == "__main__":
    unittest.main()
