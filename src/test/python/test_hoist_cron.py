"""Unit tests of the job runner hoist-cron (run by dev.hoist.node.AgentPythonTest from mvn test).

The schedule cases are src/test/resources/dev/hoist/cron-cases.json, which CronScheduleTest checks
on the Java side: both parsers must agree on every run. The run tests start real processes as
user nobody through a stand-in for with-env, under a temporary state directory (they need root,
as the runner on a node does; as another user they are skipped). CronIT runs the installed runner.
"""
import calendar
import fcntl
import importlib.util
import json
import os
import pwd
import subprocess
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "..", "..", "main", "resources", "dev", "hoist", "stack", "hoist-cron.py")
CASES = os.path.join(HERE, "..", "resources", "dev", "hoist", "cron-cases.json")


def load_runner():
    spec = importlib.util.spec_from_file_location("hoist_cron", RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cron = load_runner()


def epoch(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


class ScheduleTest(unittest.TestCase):
    def setUp(self):
        with open(CASES, encoding="utf-8") as f:
            self.cases = json.load(f)

    def test_next_runs_are_the_shared_cases(self):
        for case in self.cases["schedules"]:
            with self.subTest(schedule=case["schedule"]):
                s = cron.Schedule(case["schedule"])
                t = epoch(self.cases["after"])
                runs = []
                for _ in case["next"]:
                    t = s.next(t)
                    runs.append(cron.iso(t))
                self.assertEqual(case["next"], runs)

    def test_bad_schedules_are_refused(self):
        for case in self.cases["errors"]:
            with self.subTest(schedule=case["schedule"]):
                with self.assertRaises(ValueError):
                    s = cron.Schedule(case["schedule"])
                    s.next(epoch(self.cases["after"]))

    def test_a_restarted_loop_never_runs_a_slot_twice(self):
        s = cron.Schedule("* * * * *")
        now = epoch("2026-12-03T06:08:30Z")
        # The 06:08 slot ran; the loop restarts 30 s later: the next is 06:09.
        self.assertEqual("2026-12-03T06:09:00Z",
                         cron.iso(cron.next_slot(s, {"slot": "2026-12-03T06:08:00Z"}, now)))
        # Ran before, but not 06:08: missed by less than a minute, it still runs.
        self.assertEqual("2026-12-03T06:08:00Z",
                         cron.iso(cron.next_slot(s, {"slot": "2026-12-01T00:00:00Z"}, now)))
        # Never ran (just installed): the next slot from now, as cron would.
        self.assertEqual("2026-12-03T06:09:00Z", cron.iso(cron.next_slot(s, {}, now)))

    def test_next_command_prints_runs(self):
        out = subprocess.run(["/usr/bin/python3", "-I", RUNNER, "next", "0", "3", "*", "*", "*",
                              "--after", "2026-12-03T06:08:44Z", "-n", "2"],
                             capture_output=True, text=True, check=True).stdout
        self.assertEqual("2026-12-04T03:00:00Z\n2026-12-05T03:00:00Z\n", out)


@unittest.skipUnless(os.geteuid() == 0, "the runner drops privileges: root only")
class RunTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        os.chmod(self.tmp.name, 0o755)
        self.state = os.path.join(self.tmp.name, "state")
        os.mkdir(self.state, 0o755)
        self.etc = os.path.join(self.tmp.name, "etc")
        os.mkdir(self.etc, 0o755)
        # Where the job (as nobody) writes what it saw.
        self.out = os.path.join(self.tmp.name, "out")
        os.mkdir(self.out)
        os.chmod(self.out, 0o777)
        # A stand-in for /srv/<app>/etc/with-env: loads an env as the user, runs the command.
        self.with_env = os.path.join(self.etc, "with-env")
        with open(self.with_env, "w") as f:
            f.write("#!/bin/sh\nexport APP_SETTING=from-env\nexec \"$@\"\n")
        os.chmod(self.with_env, 0o755)

    def tearDown(self):
        self.tmp.cleanup()

    def config(self, argv, timeout=30, **extra):
        config = {"app": "hello", "job": "tick", "schedule": "* * * * *", "timeout": timeout,
                  "argv": argv, "as_root": False, "user": "nobody", "with_env": self.with_env,
                  "state_dir": self.state}
        config.update(extra)
        path = os.path.join(self.etc, "tick.json")
        with open(path, "w") as f:
            json.dump(config, f)
        os.chmod(path, 0o600)
        return path

    def state_of(self):
        with open(os.path.join(self.state, "tick.json")) as f:
            return json.load(f)

    def test_runs_as_the_user_with_the_env_and_records_the_run(self):
        path = self.config(["/bin/sh", "-c", 'id -u > "$1"/uid; echo "$APP_SETTING" > "$1"/env; '
                            'echo "$HOME" > "$1"/home; exit 3', "sh", self.out])
        self.assertEqual(3, cron.run_once(cron.load_config(path)))
        with open(os.path.join(self.out, "uid")) as f:
            self.assertEqual(str(pwd.getpwnam("nobody").pw_uid), f.read().strip())
        with open(os.path.join(self.out, "env")) as f:
            self.assertEqual("from-env", f.read().strip())
        state = self.state_of()
        self.assertEqual(("failed", 3), (state["result"], state["exit"]))
        self.assertGreaterEqual(state["duration"], 0)
        self.assertTrue(state["start"] <= state["end"])

    def test_a_timeout_kills_the_whole_process_group(self):
        path = self.config(["/bin/sh", "-c", 'sleep 300 & echo $! > "$1"/child; wait', "sh", self.out],
                           timeout=1)
        cron.KILL_GRACE = 2
        t0 = time.monotonic()
        self.assertEqual(cron.TIMED_OUT, cron.run_once(cron.load_config(path)))
        self.assertLess(time.monotonic() - t0, 10)
        with open(os.path.join(self.out, "child")) as f:
            child = int(f.read())
        time.sleep(0.2)
        self.assertFalse(os.path.exists("/proc/%d" % child) and
                         open("/proc/%d/stat" % child).read().split()[2] != "Z",
                         "the job's background child was killed too")
        self.assertEqual("timeout", self.state_of()["result"])

    def test_a_run_while_one_is_running_is_skipped(self):
        path = self.config(["/bin/true"])
        config = cron.load_config(path)
        lock = os.open(os.path.join(self.state, "tick.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.assertEqual(cron.SKIPPED, cron.run_once(config))
        finally:
            os.close(lock)
        self.assertEqual(1, self.state_of()["skipped"])
        self.assertEqual(0, cron.run_once(config))
        self.assertEqual("ok", self.state_of()["result"])

    def test_the_loop_records_the_slot_and_runs_it_once(self):
        path = self.config(["/bin/true"])
        now = [epoch("2026-12-03T06:08:30Z")]

        def sleep(seconds):
            now[0] += seconds

        cron.schedule_loop(path, clock=lambda: now[0], sleep=sleep, rounds=2)
        state = self.state_of()
        self.assertEqual("2026-12-03T06:10:00Z", state["slot"])
        self.assertEqual("ok", state["result"])

    def test_unsafe_configs_are_refused(self):
        path = self.config(["/bin/true"])
        os.chmod(path, 0o620)
        with self.assertRaisesRegex(cron.BadConfig, "writable by root alone"):
            cron.load_config(path)
        path = self.config(["/tmp/x"], as_root=True)
        with self.assertRaisesRegex(cron.BadConfig, "under /usr/local/lib/hoist/ only"):
            cron.load_config(path)
        path = self.config(["/usr/local/lib/hoist/../../../tmp/x"], as_root=True)
        with self.assertRaisesRegex(cron.BadConfig, "only"):
            cron.load_config(path)
        path = self.config(["/bin/true"], user="")
        with self.assertRaisesRegex(cron.BadConfig, "user is missing"):
            cron.load_config(path)
        path = self.config(["/bin/true"], user="root")
        with self.assertRaisesRegex(cron.BadConfig, "is root"):
            cron.load_config(path)


if __name__ == "__main__":
    unittest.main()
