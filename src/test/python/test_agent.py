"""Unit tests of the node agent's pure parts (run by dev.hoist.node.AgentPythonTest from mvn test).

Each test feeds a part what the node would: a runsv status file, dpkg's status database, an HTTP
server, HAProxy's admin socket, a release archive, all made in a temporary directory.
"""
import importlib.util
import io
import os
import socket
import stat
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import unittest

AGENT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                     "..", "..", "main", "resources", "dev", "hoist", "node", "agent.py")


def load_agent():
    spec = importlib.util.spec_from_file_location("agent", AGENT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


agent = load_agent()

TAI_OFFSET = 4611686018427387914  # 2^62 + 10: TAI64's label for the Unix epoch, as runsv writes it


def runsv_status(since, pid, want):
    """The 20 bytes runsv writes to supervise/status."""
    return ((TAI_OFFSET + since).to_bytes(8, "big") + b"\0" * 4 + pid.to_bytes(4, "little")
            + b"\0" + want + b"\0\0")


class Temp(unittest.TestCase):
    def setUp(self):
        self._dir = tempfile.TemporaryDirectory()
        self.tmp = self._dir.name

    def tearDown(self):
        self._dir.cleanup()

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)


class RunitStatus(Temp):
    def write_status(self, data):
        os.makedirs(self.path("web", "supervise"))
        with open(self.path("web", "supervise", "status"), "wb") as f:
            f.write(data)

    def test_a_running_process_gives_its_pid_and_uptime(self):
        self.write_status(runsv_status(int(time.time()) - 30, os.getpid(), b"u"))
        state, pid, up = agent.runit_status("web", self.tmp)
        self.assertEqual(("run", os.getpid()), (state, pid))
        self.assertTrue(29 <= up <= 32, up)

    def test_no_pid_is_starting_when_wanted_up_and_down_when_wanted_down(self):
        self.write_status(runsv_status(int(time.time()), 0, b"u"))
        self.assertEqual("starting", agent.runit_status("web", self.tmp)[0])
        os.unlink(self.path("web", "supervise", "status"))
        with open(self.path("web", "supervise", "status"), "wb") as f:
            f.write(runsv_status(int(time.time()), 0, b"d"))
        self.assertEqual(("down", None), agent.runit_status("web", self.tmp)[:2])

    def test_a_pid_that_is_gone_counts_as_no_process(self):
        gone = subprocess.Popen(["true"])
        gone.wait()
        self.write_status(runsv_status(int(time.time()), gone.pid, b"u"))
        self.assertEqual(("starting", None), agent.runit_status("web", self.tmp)[:2])

    def test_a_missing_or_short_file_says_nothing(self):
        self.assertEqual((None, None, None), agent.runit_status("web", self.tmp))
        self.write_status(b"\0" * 19)
        self.assertEqual((None, None, None), agent.runit_status("web", self.tmp))


class DpkgStatus(Temp):
    def test_only_installed_packages_with_their_versions(self):
        with open(self.path("status"), "w") as f:
            f.write("Package: nginx\nStatus: install ok installed\nVersion: 1.22.1-9\n"
                    "Description: small, powerful\n a continuation line: with a colon\n\n"
                    "Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\n\n"
                    "Package: runit\nStatus: install ok installed\nVersion: 2.1.2-54\n")
        agent._DPKG = None
        try:
            self.assertEqual({"nginx": "1.22.1-9", "runit": "2.1.2-54"}, agent.dpkg_installed(self.path("status")))
        finally:
            agent._DPKG = None

    def test_no_database_is_no_packages(self):
        agent._DPKG = None
        try:
            self.assertEqual({}, agent.dpkg_installed(self.path("missing")))
        finally:
            agent._DPKG = None


class ProbePath(Temp):
    def test_a_file_with_its_owner_and_mode(self):
        with open(self.path("f"), "w"):
            pass
        os.chmod(self.path("f"), 0o640)
        got = agent.probe_path(self.path("f"))
        self.assertEqual({"exists": True, "type": "file", "mode": "0640"},
                         {k: got[k] for k in ("exists", "type", "mode")})
        self.assertEqual(agent.owner_of(os.stat(self.path("f"))), (got["owner"], got["group"]))

    def test_a_link_is_not_followed(self):
        os.symlink("/etc/passwd", self.path("l"))
        got = agent.probe_path(self.path("l"))
        self.assertEqual(("link", "/etc/passwd"), (got["type"], got["target"]))

    def test_a_directory_and_nothing(self):
        self.assertEqual("dir", agent.probe_path(self.tmp)["type"])
        self.assertEqual({"exists": False}, agent.probe_path(self.path("none")))


def serve_once(listener, reply):
    """Accepts one connection, reads the request head, answers `reply` and closes."""
    def run():
        conn, _ = listener.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data and b"\n" not in data[-1:]:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            served.append(data)
            conn.sendall(reply)
    served = []
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, served


class HttpGet(unittest.TestCase):
    def get(self, reply):
        with socket.create_server(("127.0.0.1", 0)) as listener:
            thread, served = serve_once(listener, reply)
            try:
                return agent.http_get("127.0.0.1", listener.getsockname()[1], "example.org", "/health", 5), served
            finally:
                thread.join(5)

    def test_status_and_body(self):
        (status, body, location), served = self.get(b"HTTP/1.1 503 Service Unavailable\r\nX: y\r\n\r\nstarting")
        self.assertEqual((503, "starting", None), (status, body, location))
        self.assertTrue(served[0].startswith(b"GET /health HTTP/1.0\r\n"), served)
        self.assertIn(b"\r\nHost: example.org\r\n", served[0])

    def test_a_redirect_gives_its_location(self):
        (status, body, location), _ = self.get(
            b"HTTP/1.1 301 Moved Permanently\r\nlocation: https://example.org/health\r\n\r\n")
        self.assertEqual((301, "https://example.org/health"), (status, location))

    def test_a_status_line_that_is_not_http_is_refused(self):
        for reply in (b"SSH-2.0-OpenSSH_9.2\r\n\r\n", b"HTTP/1.1 OK\r\n\r\n", b""):
            with self.subTest(reply=reply), self.assertRaises(ValueError):
                self.get(reply)

    def test_nobody_listening_is_not_connected(self):
        # Not an answer at all: the health gate waits for it during start_period.
        with socket.create_server(("127.0.0.1", 0)) as listener:
            port = listener.getsockname()[1]
        with self.assertRaises(agent.NotConnected):
            agent.http_get("127.0.0.1", port, "h", "/", 2)


SHOW_STAT = (
    "# pxname,svname,qcur,qmax,scur,smax,slim,stot,status,check_status\n"
    "web,FRONTEND,,,3,5,,10,OPEN,\n"
    "app,web1,0,0,2,4,,9,UP,L7OK\n"
    "app,web2,1,1,0,3,,8,DOWN,L7STS\n"
    "app,BACKEND,1,1,2,5,,17,UP,\n"
    "other,x1,0,0,0,0,,0,UP,L4OK\n")
SHOW_SERVERS_STATE = (
    "1\n"
    "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state\n"
    "3 app 1 web1 10.0.0.1 2 0\n"
    "3 app 2 web2 10.0.0.2 0 8\n")


class FakeHaproxy(threading.Thread):
    """HAProxy's admin socket: one command a connection, answered, then closed."""

    def __init__(self, path, answers):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(8)
        self.answers = answers
        self.commands = []

    def run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                command = conn.makefile("rb").readline().decode().strip()
                self.commands.append(command)
                conn.sendall(self.answers.get(command.rsplit(" ", 1)[0] if command.startswith("show servers")
                                              else command, "Unknown command.\n").encode())

    def close(self):
        self.sock.close()


class LoadBalancer(Temp):
    def setUp(self):
        super().setUp()
        self.socket = self.path("admin.sock")
        self.haproxy = FakeHaproxy(self.socket, {"show stat": SHOW_STAT, "show servers state": SHOW_SERVERS_STATE})
        self.haproxy.start()
        self.addCleanup(self.haproxy.close)

    def test_stats_of_one_backend_without_its_frontend_and_backend_rows(self):
        self.assertEqual({
            "web1": {"status": "UP", "scur": 2, "qcur": 0, "check": "L7OK", "drained": False, "maint": False},
            "web2": {"status": "DOWN", "scur": 0, "qcur": 1, "check": "L7STS", "drained": False, "maint": False},
        }, agent.lb_stats(self.socket, "app"))

    def test_servers_add_the_admin_flags(self):
        servers = agent.lb_servers(self.socket, "app")
        self.assertEqual((False, False), (servers["web1"]["drained"], servers["web1"]["maint"]))
        self.assertEqual((True, False), (servers["web2"]["drained"], servers["web2"]["maint"]))
        self.assertIn("show servers state app", self.haproxy.commands)

    def test_an_answer_that_is_not_a_stat_table_is_a_step_error(self):
        self.haproxy.answers["show stat"] = "Permission denied\n"
        with self.assertRaises(agent.StepError):
            agent.lb_stats(self.socket, "app")


class WriteAtomic(Temp):
    def test_content_and_mode_replace_the_old_file(self):
        target = self.path("conf")
        with open(target, "w") as f:
            f.write("old")
        agent.write_atomic(target, b"new", mode="0640")
        with open(target, "rb") as f:
            self.assertEqual(b"new", f.read())
        self.assertEqual(0o640, stat.S_IMODE(os.stat(target).st_mode))
        self.assertEqual(["conf"], os.listdir(self.tmp))

    def test_a_failed_write_leaves_the_old_file_and_no_temporary(self):
        target = self.path("conf")
        with open(target, "w") as f:
            f.write("old")
        with self.assertRaises((LookupError, OSError)):
            agent.write_atomic(target, b"new", owner="no-such-user-hoist")
        with open(target) as f:
            self.assertEqual("old", f.read())
        self.assertEqual(["conf"], os.listdir(self.tmp))

    def test_the_new_file_is_a_new_inode(self):
        # Readers holding the old file keep the old content: the new one is renamed in, not rewritten.
        target = self.path("conf")
        with open(target, "w") as f:
            f.write("old")
        with open(target) as reader:
            agent.write_atomic(target, b"new")
            self.assertEqual("old", reader.read())


class Lock(Temp):
    def step(self, **kw):
        return dict({"path": self.path("locks", "env.lock")}, **kw)

    def test_taken_once_refused_naming_the_holder_released_by_its_token(self):
        holder = {"by": "ann@desk", "since": "2026-01-01T10:00:00Z", "command": "deploy", "token": "t1"}
        self.assertEqual("taken", agent.lock_take(self.step(holder=holder)))
        self.assertEqual(0o600, stat.S_IMODE(os.stat(self.step()["path"]).st_mode))
        with self.assertRaises(agent.StepError) as refused:
            agent.lock_take(self.step(holder=dict(holder, by="bob", token="t2")))
        self.assertEqual("held by ann@desk since 2026-01-01T10:00:00Z (deploy)", str(refused.exception))
        with self.assertRaises(agent.StepError):
            agent.lock_release(self.step(token="t2"))
        self.assertTrue(os.path.exists(self.step()["path"]))
        self.assertEqual("released", agent.lock_release(self.step(token="t1")))
        self.assertEqual("not held", agent.lock_release(self.step(token="t1")))

    def test_force_releases_anyone_s_lock(self):
        agent.lock_take(self.step(holder={"by": "ann", "token": "t1"}))
        self.assertEqual("released", agent.lock_release(self.step(token="other", force=True)))


def archive(*members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def member(name, data=b"x", kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, data if kind == tarfile.REGTYPE else None


class Unpack(Temp):
    def step(self):
        return {"path": self.path("releases", "r1"), "meta": {"id": "r1"}}

    def test_files_and_meta_land_in_the_release(self):
        os.makedirs(self.path("releases"))
        agent.unpack(self.step(), archive(member("app.py", b"print(1)\n"), member("pkg", kind=tarfile.DIRTYPE)))
        with open(self.path("releases", "r1", "app.py"), "rb") as f:
            self.assertEqual(b"print(1)\n", f.read())
        self.assertTrue(os.path.exists(self.path("releases", "r1", ".hoist-release.json")))
        self.assertEqual(["r1"], os.listdir(self.path("releases")))

    def test_escaping_members_and_links_are_refused_and_nothing_stays(self):
        os.makedirs(self.path("releases"))
        for bad in (member("../evil"), member("a/../../evil"), member("/etc/evil"),
                    member("l", kind=tarfile.SYMTYPE, link="/etc/passwd"),
                    member("h", kind=tarfile.LNKTYPE, link="app.py"),
                    member("fifo", kind=tarfile.FIFOTYPE)):
            with self.subTest(member=bad[0].name):
                with self.assertRaises(agent.StepError) as refused:
                    agent.unpack(self.step(), archive(member("app.py"), bad))
                self.assertIn("refusing archive member " + bad[0].name, str(refused.exception))
                self.assertEqual([], os.listdir(self.path("releases")))
        self.assertFalse(os.path.exists(self.path("evil")))

    def test_a_damaged_archive_is_a_step_error(self):
        os.makedirs(self.path("releases"))
        with self.assertRaises(agent.StepError):
            agent.unpack(self.step(), archive(member("app.py"))[:20])
        self.assertEqual([], os.listdir(self.path("releases")))


if __name__ == "__main__":
    sys.exit(unittest.main())
