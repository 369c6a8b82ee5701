#!/usr/bin/python3 -I
# Hoist's job runner: installed as /usr/local/lib/hoist/hoist-cron (root, 0755), run as root.
#
#   hoist-cron run CONFIG        one run of the job now (a systemd timer's oneshot service)
#   hoist-cron schedule CONFIG   sleeps until each run of the schedule and runs it (a runit service)
#   hoist-cron next SCHEDULE [--after ISO] [-n N]   prints the next runs (UTC), to check a schedule
#
# CONFIG (/etc/hoist/cron/<app>/<job>.json, root 0600, written by a deploy): {"app", "job",
# "schedule", "timeout" (seconds), "argv", "as_root", "user", "with_env", "state_dir"}.
# An app job runs as the app user: the runner forks, the child makes its own process group, drops
# to the user (groups, gid, uid) with a clean environment and only then executes the root-owned
# with-env script, which loads the release's env, /srv/<app>/etc/services and the secrets as that
# user (root never reads them). A root job ("as_root") runs a Hoist-owned program under
# /usr/local/lib/hoist/ (a scheduled backup); hoist.yml cannot make one.
#
# A run holds a flock on <state_dir>/<job>.lock, so runs of one job never overlap (a run that finds
# it held is skipped and says so); after "timeout" the job's process group gets SIGTERM, then
# SIGKILL 10 s later. Output goes to the runner's stdout: runit's svlogd or the journal, which
# `hoist logs` shows. <state_dir>/<job>.json records the last run: {"slot", "start", "end",
# "exit", "duration", "result": "running"|"ok"|"failed"|"timeout"|"killed", "skipped"} (times
# ISO UTC), which `hoist status` reads. The schedule loop records the slot before it runs it, so a
# restarted loop never runs one slot twice; a slot missed by less than a minute (the loop restarted
# by a deploy) is still run.
# Exit codes of `run`: the job's, 124 after a timeout, 75 when skipped, 2 for a bad config.
import calendar
import datetime
import fcntl
import json
import os
import pwd
import re
import signal
import stat
import sys
import time

ROOT_PROGRAMS = "/usr/local/lib/hoist/"
NAME = re.compile(r"[a-z][a-z0-9-]{0,40}\Z")
KILL_GRACE = 10
SKIPPED = 75
TIMED_OUT = 124
PATH = "/usr/local/bin:/usr/bin:/bin"

# ---------------------------------------------------------------- schedules (as project.CronSchedule)

WORDS = {
    "hourly": "0 * * * *", "daily": "0 0 * * *", "midnight": "0 0 * * *", "weekly": "0 0 * * 0",
    "monthly": "0 0 1 * *", "yearly": "0 0 1 1 *", "annually": "0 0 1 1 *",
}
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
LOW = [0, 0, 1, 1, 0]
HIGH = [59, 23, 31, 12, 7]
MAX_DAYS = 366 * 29


class Schedule:
    """Five cron fields in UTC; day of month and day of week OR'ed when both are restricted."""

    def __init__(self, text):
        text = text.strip()
        word = text[1:] if text.startswith("@") else text
        expanded = WORDS.get(word.lower(), text)
        fields = expanded.split()
        if len(fields) != 5:
            raise ValueError("expected five fields or a word like daily, found %r" % text)
        self.text = text
        self.sets = [self._field(f, i) for i, f in enumerate(fields)]
        if 7 in self.sets[4]:
            self.sets[4] = (self.sets[4] - {7}) | {0}
        self.dom_star = fields[2].startswith("*")
        self.dow_star = fields[4].startswith("*")

    @staticmethod
    def _value(text, i):
        upper = text.upper()
        if i == 3 and upper in MONTHS:
            return MONTHS.index(upper) + 1
        if i == 4 and upper in DAYS:
            return DAYS.index(upper)
        if re.fullmatch(r"[0-9]{1,2}", text) and LOW[i] <= int(text) <= HIGH[i]:
            return int(text)
        raise ValueError("bad value %r" % text)

    def _field(self, text, i):
        out = set()
        for part in text.split(","):
            rng, _, step_text = part.partition("/")
            step = 1
            if _:
                if not re.fullmatch(r"[0-9]{1,3}", step_text) or int(step_text) == 0:
                    raise ValueError("bad step in %r" % part)
                step = int(step_text)
            top = 6 if i == 4 else HIGH[i]
            if rng == "*":
                low, high = LOW[i], top
            elif "-" in rng[1:]:
                a, b = rng.split("-", 1)
                low, high = self._value(a, i), self._value(b, i)
                if high < low:
                    raise ValueError("backwards range %r" % rng)
            else:
                low = self._value(rng, i)
                high = top if _ else low
            out.update(range(low, high + 1, step))
        return out

    def _day(self, d):
        if d.month not in self.sets[3]:
            return False
        dom = d.day in self.sets[2]
        dow = (d.isoweekday() % 7) in self.sets[4]
        return dom and dow if self.dom_star or self.dow_star else dom or dow

    def next(self, after):
        """The first run strictly after `after` (epoch seconds), as epoch seconds."""
        t = datetime.datetime.fromtimestamp(int(after) // 60 * 60 + 60, datetime.timezone.utc)
        day = t.date()
        hours = sorted(self.sets[1])
        minutes = sorted(self.sets[0])
        for _ in range(MAX_DAYS):
            if self._day(day):
                today = day == t.date()
                for h in hours:
                    if today and h < t.hour:
                        continue
                    for m in minutes:
                        if today and h == t.hour and m < t.minute:
                            continue
                        return calendar.timegm((day.year, day.month, day.day, h, m, 0))
            day += datetime.timedelta(days=1)
        raise ValueError("schedule %r never runs" % self.text)


def iso(epoch):
    if epoch is None:
        return None
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


# ---------------------------------------------------------------- config and state

class BadConfig(Exception):
    pass


def load_config(path):
    """The job's config: a root-owned file no one else can write, in a directory likewise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as e:
        raise BadConfig("cannot open %s: %s" % (path, e.strerror))
    with os.fdopen(fd, encoding="utf-8") as f:
        st = os.fstat(f.fileno())
        parent = os.lstat(os.path.dirname(os.path.abspath(path)))
        for what, s in (("file", st), ("directory", parent)):
            if s.st_uid != 0 or s.st_mode & 0o022:
                raise BadConfig("%s of %s must be root's and writable by root alone" % (what, path))
        if not stat.S_ISREG(st.st_mode):
            raise BadConfig("%s is not a regular file" % path)
        try:
            config = json.load(f)
        except ValueError as e:
            raise BadConfig("%s is not JSON: %s" % (path, e))
    for key in ("app", "job"):
        if not isinstance(config.get(key), str) or not NAME.match(config[key]):
            raise BadConfig("%s: %s must be a name" % (path, key))
    argv = config.get("argv")
    if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
        raise BadConfig("%s: argv must be a list of words" % path)
    if config.get("as_root"):
        # Only Hoist's own programs run as root, never a path an app could have written.
        program = os.path.normpath(argv[0])
        if program != argv[0] or not program.startswith(ROOT_PROGRAMS):
            raise BadConfig("%s: a root job runs a program under %s only" % (path, ROOT_PROGRAMS))
    else:
        for key in ("user", "with_env"):
            if not isinstance(config.get(key), str) or not config[key]:
                raise BadConfig("%s: %s is missing" % (path, key))
        try:
            config["account"] = pwd.getpwnam(config["user"])
        except KeyError:
            raise BadConfig("%s: no user %s on this node" % (path, config["user"]))
        if config["account"].pw_uid == 0:
            raise BadConfig("%s: user %s is root; an app job never runs as root" % (path, config["user"]))
    timeout = config.get("timeout")
    if not isinstance(timeout, (int, float)) or timeout <= 0:
        raise BadConfig("%s: timeout must be a positive number of seconds" % path)
    if not isinstance(config.get("state_dir"), str) or not config["state_dir"].startswith("/"):
        raise BadConfig("%s: state_dir must be an absolute path" % path)
    try:
        config["parsed"] = Schedule(config.get("schedule", ""))
    except ValueError as e:
        raise BadConfig("%s: %s" % (path, e))
    return config


def state_paths(config):
    base = os.path.join(config["state_dir"], config["job"])
    return base + ".json", base + ".lock"


def read_state(config):
    try:
        with open(state_paths(config)[0], encoding="utf-8") as f:
            value = json.load(f)
            return value if isinstance(value, dict) else {}
    except (OSError, ValueError):
        return {}


def write_state(config, state):
    path = state_paths(config)[0]
    tmp = "%s.%d.tmp" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(state, f, sort_keys=True)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


def say(config, message):
    print("hoist-cron: %s: %s" % (config["job"], message), flush=True)


# ---------------------------------------------------------------- one run

def child_argv(config):
    if config.get("as_root"):
        return config["argv"]
    return [config["with_env"]] + config["argv"]


def start_child(config):
    """Forks the job into its own process group; an app job drops privileges before its exec."""
    argv = child_argv(config)
    env = {"PATH": PATH, "LANG": "C.UTF-8"}
    user = config.get("account")
    if user is not None:
        env["HOME"] = user.pw_dir
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.chdir("/")
            if user is not None:
                os.initgroups(user.pw_name, user.pw_gid)
                os.setgid(user.pw_gid)
                os.setuid(user.pw_uid)
                if os.getuid() == 0 or os.geteuid() == 0:
                    os._exit(70)
            os.execve(argv[0], argv, env)
        except BaseException as e:
            try:
                sys.stderr.write("hoist-cron: cannot start %s: %s\n" % (argv[0], e))
                sys.stderr.flush()
            finally:
                os._exit(127)
    return pid


class Stop(Exception):
    """The runner itself was asked to stop (SIGTERM, SIGINT)."""


def _stop(signum, frame):
    raise Stop()


def kill_group(pid, grace):
    """SIGTERM to the job's process group, SIGKILL after `grace` seconds; reaps the job."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            time.sleep(0.1)
    return os.waitpid(pid, 0)[1]


def run_once(config, slot=None):
    """Runs the job now under its lock; returns the runner's exit code."""
    state_file, lock_file = state_paths(config)
    st = os.lstat(config["state_dir"])
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != 0 or st.st_mode & 0o022:
        raise BadConfig("%s must be a directory of root's that only root can write" % config["state_dir"])
    lock = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            state = read_state(config)
            state["skipped"] = state.get("skipped", 0) + 1
            state["last_skipped"] = iso(time.time())
            write_state(config, state)
            say(config, "skipped: the previous run is still running")
            return SKIPPED
        return _run_locked(config, slot)
    finally:
        os.close(lock)


def _run_locked(config, slot):
    start = time.time()
    state = read_state(config)
    state.update({"job": config["job"], "schedule": config["schedule"], "slot": iso(slot),
                  "start": iso(start), "end": None, "exit": None, "duration": None,
                  "result": "running"})
    write_state(config, state)
    say(config, "started" + (" (run of %s)" % iso(slot) if slot else ""))
    pid = start_child(config)
    result = None
    old_term = signal.signal(signal.SIGTERM, _stop)
    old_int = signal.signal(signal.SIGINT, _stop)
    try:
        deadline = time.monotonic() + float(config["timeout"])
        status = None
        while status is None:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
            elif time.monotonic() >= deadline:
                say(config, "timed out after %ds: stopping it" % config["timeout"])
                status = kill_group(pid, KILL_GRACE)
                result = "timeout"
            else:
                time.sleep(0.2)
    except Stop:
        say(config, "the runner was stopped: stopping the job")
        status = kill_group(pid, KILL_GRACE)
        result = "killed"
    finally:
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGINT, old_int)
    code = os.waitstatus_to_exitcode(status)
    end = time.time()
    if result is None:
        result = "ok" if code == 0 else "failed"
    state.update({"end": iso(end), "exit": code, "duration": round(end - start, 3), "result": result})
    write_state(config, state)
    say(config, "%s, exit %d after %.1fs" % (result, code, end - start))
    if result == "timeout":
        return TIMED_OUT
    if result == "killed":
        raise SystemExit(143)
    return code if 0 <= code < 256 else 1


# ---------------------------------------------------------------- the schedule loop (runit)

def next_slot(schedule, state, now):
    """The next slot to run: after the last one run and no more than a minute in the past (a loop
    restarted by a deploy catches up the slot it just missed); a job that never ran starts with the
    next slot from now."""
    last = state.get("slot")
    if isinstance(last, str):
        try:
            return schedule.next(max(now - 60, parse_iso(last)))
        except ValueError:
            pass
    return schedule.next(now)


def schedule_loop(path, clock=time.time, sleep=time.sleep, rounds=None):
    """Runs the job at each slot, for ever (or `rounds` times, in tests). The config is re-read
    before each run, so a deploy that changes it needs no restart."""
    config = load_config(path)
    say(config, "scheduled %r (UTC)" % config["schedule"])
    done = 0
    while rounds is None or done < rounds:
        slot = next_slot(config["parsed"], read_state(config), clock())
        while True:
            wait = slot - clock()
            if wait <= 0:
                break
            sleep(min(wait, 60))
            fresh = load_config(path)
            if fresh["schedule"] != config["schedule"]:
                config = fresh
                slot = next_slot(config["parsed"], read_state(config), clock())
        config = load_config(path)
        run_once(config, slot)
        done += 1


def main(argv):
    if len(argv) >= 2 and argv[0] == "next":
        args = argv[1:]
        after, count = time.time(), 5
        if "--after" in args:
            i = args.index("--after")
            after = parse_iso(args[i + 1])
            del args[i:i + 2]
        if "-n" in args:
            i = args.index("-n")
            count = int(args[i + 1])
            del args[i:i + 2]
        schedule = Schedule(" ".join(args))
        for _ in range(count):
            after = schedule.next(after)
            print(iso(after))
        return 0
    if len(argv) != 2 or argv[0] not in ("run", "schedule"):
        sys.stderr.write("usage: hoist-cron run|schedule CONFIG | hoist-cron next SCHEDULE\n")
        return 2
    try:
        if argv[0] == "run":
            return run_once(load_config(argv[1]))
        signal.signal(signal.SIGTERM, _stop)
        try:
            schedule_loop(argv[1])
        except Stop:
            return 0
        return 0
    except BadConfig as e:
        sys.stderr.write("hoist-cron: %s\n" % e)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
