# Hoist's node agent: sent with every run (python3 -c), never installed.
# Reads one JSON request line from stdin (then an optional binary payload of
# request["payload_size"] bytes) and answers with JSON lines on stdout:
#   {"ev": "step", "id": ..., "status": "ok"|"skip"|"fail", "note": ...}
#   {"ev": "log", "id": ..., "line": ...}
#   {"ev": "result", "ok": bool, ...}
# Everything it changes is written atomically (write, then rename), and Ctrl-C
# or a cut pipe stops it only at a step boundary where the node still serves a
# complete release.
#
# Modules only some apply steps need (base64, shutil, tarfile) are imported where used: every
# probe pays for each import at start-up, on every node of a fleet.
import grp
import hashlib
import json
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import time

INTERRUPTED = False


def _interrupt(signum, frame):
    global INTERRUPTED
    INTERRUPTED = True


signal.signal(signal.SIGINT, _interrupt)
signal.signal(signal.SIGTERM, _interrupt)
signal.signal(signal.SIGHUP, _interrupt)
signal.signal(signal.SIGPIPE, signal.SIG_IGN)


def emit(obj):
    try:
        sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
        sys.stdout.flush()
    except (BrokenPipeError, OSError):
        # The admin side went away; keep going to a safe point.
        global INTERRUPTED
        INTERRUPTED = True


class StepError(Exception):
    pass


# ---------------------------------------------------------------- facts

def facts():
    try:
        with open("/proc/1/comm") as f:
            init = f.read().strip()
    except OSError:
        init = "unknown"
    return {
        "init": init,
        "supervisor": "systemd" if init == "systemd" else "runit",
        "cores": os.cpu_count() or 1,
        "python": "%d.%d" % sys.version_info[:2],
        "euid": os.geteuid(),
        "hostname": socket.gethostname(),
    }


# ---------------------------------------------------------------- probes

_DPKG = None


def dpkg_installed(path="/var/lib/dpkg/status"):
    global _DPKG
    if _DPKG is None:
        _DPKG = {}
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                block = {}
                for line in f:
                    line = line.rstrip("\n")
                    if not line:
                        _dpkg_add(block)
                        block = {}
                    elif line[0] not in " \t" and ":" in line:
                        k, v = line.split(":", 1)
                        block[k] = v.strip()
                _dpkg_add(block)
        except OSError:
            pass
    return _DPKG


def _dpkg_add(block):
    if block.get("Status", "").endswith(" installed") and "Package" in block:
        _DPKG[block["Package"]] = block.get("Version")


def owner_of(st):
    try:
        user = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        user = str(st.st_uid)
    try:
        group = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        group = str(st.st_gid)
    return user, group


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def probe_path(path):
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return {"exists": False}
    import stat as S
    kind = "link" if S.S_ISLNK(st.st_mode) else "dir" if S.S_ISDIR(st.st_mode) else "file" if S.S_ISREG(st.st_mode) else "other"
    user, group = owner_of(st)
    out = {"exists": True, "type": kind, "owner": user, "group": group, "mode": "%04o" % (st.st_mode & 0o7777)}
    if kind == "link":
        out["target"] = os.readlink(path)
    return out


def probe_user(r):
    try:
        p = pwd.getpwnam(r["name"])
        return {"exists": True, "home": p.pw_dir, "shell": p.pw_shell, "group": grp.getgrgid(p.pw_gid).gr_name}
    except KeyError:
        return {"exists": False}


def probe_group(r):
    try:
        grp.getgrnam(r["name"])
        return {"exists": True}
    except KeyError:
        return {"exists": False}


def probe_file(r):
    out = probe_path(r["path"])
    if out.get("type") == "file":
        out["sha256"] = sha256_file(r["path"])
        if out["sha256"] != r.get("sha256") and os.path.getsize(r["path"]) <= 65536:
            with open(r["path"], "rb") as f:
                data = f.read()
            try:
                out["text"] = data.decode("utf-8")
            except UnicodeDecodeError:
                pass
    return out


def probe_exec(r):
    out = {}
    if r.get("creates"):
        out["created"] = os.path.exists(r["creates"])
    if r.get("unless"):
        out["unless_ok"] = subprocess.run(r["unless"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL).returncode == 0
    return out


def probe_lb(r):
    if not os.path.exists(r["socket"]):
        return {"error": "no admin socket %s: haproxy is not running" % r["socket"]}
    return {"servers": lb_servers(r["socket"], r["backend"]), "pid": lb_pid(r["socket"])}


def probe(r):
    kind = r["kind"]
    if kind not in PROBES:
        raise StepError("unknown probe kind " + kind)
    return PROBES[kind](r)


def runsvdir_pids():
    """runsvdirs that supervise this machine's /etc/service.

    Containers and lab nodes on the same kernel show their own runsvdir in our /proc; one whose
    root directory is not ours watches another /etc/service and must be neither counted nor woken.
    """
    pids = []
    here = os.stat("/")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and os.path.basename(argv[0]) == b"runsvdir" and b"/etc/service" in argv:
            if proc_state(int(pid)) not in ("Z", "X", None) and same_root(pid, here):
                pids.append(int(pid))
    return pids


def same_root(pid, here):
    try:
        there = os.stat("/proc/%s/root" % pid)
    except OSError:
        return False
    return (there.st_dev, there.st_ino) == (here.st_dev, here.st_ino)


def proc_state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def runit_status(name, services="/etc/service"):
    """(state, pid, seconds up) from runsv's binary status file, or (None, None, None)."""
    try:
        with open("%s/%s/supervise/status" % (services, name), "rb") as f:
            data = f.read()
    except OSError:
        return None, None, None
    if len(data) < 20:
        return None, None, None
    secs = int.from_bytes(data[0:8], "big") - 4611686018427387914
    pid = int.from_bytes(data[12:16], "little")
    want_up = data[17:18] == b"u"
    if pid and proc_state(pid) in (None, "Z", "X"):
        pid = 0  # a status file left by a runsv that is gone (e.g. after a reboot)
    state = "run" if pid else ("down" if not want_up else "starting")
    return state, pid or None, max(0, int(time.time()) - secs)


# ---------------------------------------------------------------- systemd

def init_is_systemd():
    try:
        with open("/proc/1/comm") as f:
            return f.read().strip() == "systemd"
    except OSError:
        return False


def uses_systemd(step, name):
    """The step's supervisor; a step that guessed runit on a node whose PID 1 is systemd (commands
    that read before they know the node, e.g. rollback) gets systemd unless runit has the service."""
    if step.get("supervisor") == "systemd":
        return True
    return init_is_systemd() and not os.path.isdir("/etc/sv/" + name)


def unit_show(name):
    """A unit's properties that hoist reads, in one systemctl call."""
    out = subprocess.run(["systemctl", "show", "--property=ActiveState,SubState,UnitFileState,MainPID,"
                          "NeedDaemonReload,LoadState,ActiveEnterTimestampMonotonic", name],
                         capture_output=True, text=True).stdout
    props = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return props


def unit_state(props):
    """runit's words for a unit's state: run, down, or systemd's own (activating, failed...)."""
    active = props.get("ActiveState", "")
    if active in ("active", "reloading"):
        return "run"
    return "down" if active in ("inactive", "") else active


def journal_tail(name, n=15):
    out = subprocess.run(["journalctl", "--no-pager", "--quiet", "-o", "cat", "-n", str(n), "-u", name],
                         capture_output=True, text=True)
    return out.stdout.splitlines()[-n:]


def daemon_reload_if_needed(sid, name):
    """daemon-reload only when the unit's file changed since systemd read it (or is new)."""
    props = unit_show(name)
    if props.get("NeedDaemonReload") == "yes" or props.get("LoadState") == "not-found":
        run_checked(sid, ["systemctl", "daemon-reload"])
        return True
    return False


def unit_wait_active(name, timeout):
    """Waits until the unit is active and has stayed so for a moment (a crash at import shows as
    'activating' with Restart=); raises with its last journal lines otherwise."""
    end = time.time() + timeout
    steady_since = None
    props = {}
    while time.time() < end:
        props = unit_show(name)
        if unit_state(props) == "run":
            steady_since = steady_since or time.time()
            if time.time() - steady_since >= 0.5:
                return int(props.get("MainPID") or 0) or None
        else:
            steady_since = None
            if props.get("ActiveState") == "failed":
                break
        time.sleep(0.1)
    raise StepError("service %s does not stay up (%s/%s); its journal ends with:\n%s" % (
        name, props.get("ActiveState", "?"), props.get("SubState", "?"), "\n".join(journal_tail(name))))


def systemd_up(sid, step):
    name = step["service"]
    daemon_reload_if_needed(sid, name)
    props = unit_show(name)
    if props.get("UnitFileState") != "enabled":
        run_checked(sid, ["systemctl", "enable", "--quiet", name])
    rc, tail = run_cmd(sid, ["systemctl", "start", name])
    if rc != 0:
        raise StepError("systemctl start %s failed (exit %d); its journal ends with:\n%s" % (
            name, rc, "\n".join(journal_tail(name))))
    unit_wait_active(name, step.get("timeout", 30))
    return "started"


def probe_service(r):
    name = r["name"]
    if uses_systemd(r, name):
        props = unit_show(name)
        return {"enabled": props.get("UnitFileState") == "enabled", "state": unit_state(props),
                "pid": int(props.get("MainPID") or 0) or None}
    link = "/etc/service/" + name
    state, pid, up = runit_status(name)
    return {
        "enabled": os.path.islink(link) or os.path.isdir(link),
        "state": state,
        "pid": pid,
        "uptime": up,
        "supervisor_running": bool(runsvdir_pids()),
    }


def state_dir(root):
    """hoist's own state on the node (markers, previous release, the node lock): root-only."""
    d = os.path.join(root, ".hoist")
    try:
        os.mkdir(d, 0o700)
    except FileExistsError:
        pass
    return d


def read_small(path):
    """A small root-owned state file, never through a link."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except (FileNotFoundError, NotADirectoryError):
        return None
    with os.fdopen(fd) as f:
        return f.read(65536)


def probe_release(root):
    rel_dir = os.path.join(root, "releases")
    hoist_dir = os.path.join(root, ".hoist")
    out = {"current": None, "releases": []}
    try:
        target = os.readlink(os.path.join(root, "current"))
        out["current"] = os.path.basename(target.rstrip("/"))
    except OSError:
        pass
    try:
        names = sorted(n for n in os.listdir(rel_dir) if not n.startswith("."))
    except OSError:
        names = []
    for n in names:
        meta = {"id": n}
        try:
            meta.update(json.loads(read_small(os.path.join(rel_dir, n, ".hoist-release.json")) or "x"))
        except (OSError, ValueError):
            meta["incomplete"] = True
        try:
            # A release the app user could change (made before hoist kept releases root-owned).
            meta["app_writable"] = os.lstat(os.path.join(rel_dir, n)).st_uid != 0
        except OSError:
            meta["incomplete"] = True
        meta["failed"] = os.path.exists(os.path.join(hoist_dir, "failed", n))
        out["releases"].append(meta)
    out["previous"] = (read_small(os.path.join(hoist_dir, "previous")) or "").strip() or None
    return out


def listeners(port):
    """Processes listening on TCP port (IPv4/IPv6), as [{pid, comm}], read from /proc."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    cols = line.split()
                    if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(cols[9])
        except OSError:
            pass
    found = {}
    if not inodes:
        return []
    # Reading every process's fd table is the slow part on a busy server: look at nginx's processes
    # first (the usual owner of port 80) and at the rest only if a socket is still unaccounted for.
    comms = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%s/comm" % pid) as f:
                    comms[pid] = f.read().strip()
            except OSError:
                continue
    owned = set()
    for pid in sorted(comms, key=lambda p: comms[p] != "nginx"):
        if owned >= inodes and comms[pid] != "nginx":
            break
        try:
            for fd in os.listdir("/proc/%s/fd" % pid):
                try:
                    link = os.readlink("/proc/%s/fd/%s" % (pid, fd))
                except OSError:
                    continue
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    owned.add(link[8:-1])
                    found[int(pid)] = comms[pid]
        except OSError:
            continue
    return [{"pid": p, "comm": c} for p, c in sorted(found.items())]


# ---------------------------------------------------------------- load balancer (HAProxy runtime API)

def haproxy_cmd(sock_path, command, timeout=5.0):
    """One command on HAProxy's admin socket (it answers and closes), as text."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock_path)
        s.sendall(command.encode("ascii") + b"\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    return data.decode("utf-8", "replace")


def lb_stats(sock_path, backend):
    """{server: {status, scur, qcur, check}} of one backend, from 'show stat' (one command: what
    the drain and ready loops poll)."""
    lines = haproxy_cmd(sock_path, "show stat").splitlines()
    if not lines or not lines[0].startswith("#"):
        raise StepError("haproxy's admin socket did not answer 'show stat': %r" % lines[:1])
    header = lines[0].lstrip("# ").split(",")
    out = {}
    for line in lines[1:]:
        row = dict(zip(header, line.split(",")))
        if row.get("pxname") == backend and row.get("svname") not in (None, "FRONTEND", "BACKEND"):
            out[row["svname"]] = {"status": row.get("status", ""), "scur": int(row.get("scur") or 0),
                                  "qcur": int(row.get("qcur") or 0), "check": row.get("check_status", ""),
                                  "drained": False, "maint": False}
    return out


def lb_servers(sock_path, backend):
    """lb_stats plus whether each server was drained or put in maintenance."""
    out = lb_stats(sock_path, backend)
    # The admin flags say what an operator or hoist set, whatever the check says (a drained server
    # whose check fails reads DOWN in 'show stat'): 0x08 drained, 0x01 forced maintenance.
    header = None
    for line in haproxy_cmd(sock_path, "show servers state " + backend).splitlines():
        if line.startswith("# "):
            header = line[2:].split()
        elif header and line.strip():
            row = dict(zip(header, line.split()))
            if row.get("srv_name") in out:
                admin = int(row.get("srv_admin_state") or 0)
                out[row["srv_name"]]["drained"] = bool(admin & 0x08)
                out[row["srv_name"]]["maint"] = bool(admin & 0x01)
    return out


def lb_pid(sock_path):
    """The pid of the worker answering on the admin socket (it changes with each reload)."""
    for line in haproxy_cmd(sock_path, "show info").splitlines():
        if line.startswith("Pid:"):
            return int(line.split(":", 1)[1])
    return None


def lb_wait_reload(step):
    """After a (re)start: waits until a new worker answers on the admin socket, so later commands
    reach the one that stays (old_pid null: any worker, after a first start)."""
    t0 = time.time()
    while time.time() - t0 < step["timeout"]:
        try:
            if lb_pid(step["socket"]) not in (None, step.get("old_pid")):
                return "new worker after %.2fs" % (time.time() - t0)
        except OSError:
            pass
        time.sleep(0.05)
    raise StepError("haproxy did not finish reloading within %ss" % step["timeout"])


def lb_set(step, state):
    for name in step["servers"]:
        reply = haproxy_cmd(step["socket"], "set server %s/%s state %s" % (step["backend"], name, state)).strip()
        if reply:
            raise StepError("haproxy refused 'set server %s/%s state %s': %s" % (step["backend"], name, state, reply))


def lb_drain(step):
    """Stops new requests to the servers and waits (up to 'timeout') until none is in flight;
    requests still running after the wait finish on their own. They stay in 'drain', not 'maint':
    HAProxy keeps checking a drained server, so 'ready' brings it back only once its check passes
    (from 'maint' it would be UP at once, sick or not)."""
    states = lb_servers(step["socket"], step["backend"])
    batch = set(step["servers"])
    others_up = [n for n, st in states.items()
                 if n not in batch and st["status"] == "UP" and not st["drained"] and not st["maint"]]
    if not others_up and any(states.get(n, {}).get("status", "").startswith("UP") for n in batch):
        if len(states) == len(batch):
            return "not drained: no other web node to take its requests (gunicorn's graceful reload keeps serving)"
        raise StepError("taking %s out would leave no web node UP in the balancer (%s); bring the others"
                        " back first" % (", ".join(sorted(batch)), "; ".join(
                            "%s %s" % (n, st["status"]) for n, st in sorted(states.items()) if n not in batch)))
    lb_set(step, "drain")
    t0 = time.time()
    while True:
        states = lb_stats(step["socket"], step["backend"])
        busy = sum(states.get(n, {}).get("scur", 0) + states.get(n, {}).get("qcur", 0) for n in step["servers"])
        if not busy or time.time() - t0 >= step["timeout"]:
            break
        time.sleep(0.02)
    if busy:
        return "drain time %.1fs passed with %d request(s) in flight; they finish on the old workers" % (
            time.time() - t0, busy)
    return "drained in %.2fs" % (time.time() - t0)


def lb_ready(step):
    """Puts the servers back and waits until HAProxy's own health check sees every one UP."""
    lb_set(step, "ready")
    t0 = time.time()
    while True:
        states = lb_stats(step["socket"], step["backend"])
        down = {n: states.get(n, {}) for n in step.get("wait", step["servers"]) if states.get(n, {}).get("status") != "UP"}
        if not down:
            return "in the balancer after %.2fs" % (time.time() - t0)
        if time.time() - t0 >= step["timeout"]:
            raise StepError("the balancer does not see %s as UP after %ss: %s" % (
                ", ".join(sorted(down)), step["timeout"],
                "; ".join("%s %s %s" % (n, d.get("status", "missing"), d.get("check", "")) for n, d in sorted(down.items()))))
        time.sleep(0.05)


# ---------------------------------------------------------------- environment lock

def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except ValueError:
        return {"unreadable": True}


def tls_probe(r):
    """The served certificate (public PEM, never the key) and the ACME runner's last result, from
    the app's root-only TLS directory; links are not followed."""
    def read_small(path):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as f:
            return f.read(65536).decode("ascii", "replace")
    state = read_small(os.path.join(r["dir"], "state.json"))
    try:
        state = json.loads(state) if state else None
    except ValueError:
        state = {"unreadable": True}
    text = read_small(os.path.join(r["dir"], "cert.pem"))
    # Only certificate blocks leave the node, whatever else the file holds.
    blocks = re.findall(r"-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----",
                        text or "")
    return {"cert": "\n".join(blocks) + "\n" if blocks else None, "state": state}


def lock_take(step):
    """Takes the lock file atomically (O_EXCL); a held lock is refused, naming its holder."""
    path = step["path"]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        holder = read_json(path) or {}
        raise StepError("held by %s since %s (%s)" % (
            holder.get("by", "someone"), holder.get("since", "an unknown time"), holder.get("command", "a deploy")))
    with os.fdopen(fd, "w") as f:
        json.dump(step["holder"], f)
    return "taken"


def lock_release(step):
    holder = read_json(step["path"])
    if holder is None:
        return "not held"
    if not step.get("force") and holder.get("token") != step["token"]:
        raise StepError("the lock is now held by %s; left alone" % holder.get("by", "someone"))
    os.unlink(step["path"])
    return "released"


# ---------------------------------------------------------------- secrets
# 'hoist secrets' (docs/secrets.md). /srv/<app>/etc/secrets: root:<app> 0640, KEY='value' lines
# quoted by shlex.quote, sorted, read by gunicorn's config on every (re)load; secrets.json beside
# it: root:root 0600, {KEY: {"set": time, "by": user@host}}, names only. No value ever goes into
# an event, a note or an error message: notes and errors name keys.

SECRETS_HEADER = ("# Managed by 'hoist secrets': the secrets of app '%s'. root:%s 0640; the app reads"
                  " it, only root writes it.\n")


def secret_name_ok(name):
    import re
    return bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name)) and not name.startswith("HOIST_")


def secrets_read(path):
    """{KEY: value} from a secrets file; {} when there is none."""
    import shlex
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return {}
    try:
        words = shlex.split(text, comments=True)
    except ValueError:
        raise StepError("%s is damaged (unbalanced quotes); fix or remove it" % path)
    return dict(w.split("=", 1) for w in words if "=" in w)


def secrets_index(path):
    found = read_json(path)
    return {k: v for k, v in found.items() if isinstance(v, dict)} if isinstance(found, dict) else {}


def secrets_probe(r):
    """The names and when each was set, never a value."""
    index = secrets_index(r["index"])
    return {"names": {k: index.get(k, {}) for k in sorted(secrets_read(r["file"]))}}


def secrets_root_dir(path):
    """Makes (or checks) a root-owned 0755 directory that is not a link: root writes in it."""
    import stat as S
    try:
        os.mkdir(path, 0o755)
        os.chown(path, 0, 0)
    except FileExistsError:
        pass
    st = os.lstat(path)
    if not S.S_ISDIR(st.st_mode) or st.st_uid != 0 or st.st_mode & 0o022:
        raise StepError("%s must be a directory owned by root and writable only by it" % path)


def secrets_update(sid, step):
    """Sets and unsets secrets on this node as a whole: checks everything before writing."""
    sets, unsets = step.get("set", {}), step.get("unset", [])
    bad = sorted(k for k in list(sets) + list(unsets) if not secret_name_ok(k))
    if bad:
        raise StepError("not a secret name (an environment variable name, not HOIST_*): %s" % ", ".join(bad))
    nul = sorted(k for k, v in sets.items() if "\0" in v)
    if nul:
        raise StepError("the value of %s contains a NUL byte, which no environment can hold" % ", ".join(nul))
    app = step["app"]
    try:
        grp.getgrnam(app)
    except KeyError:
        # Before the first deploy: the group the deploy would make, so the file can be the app's.
        run_checked(sid, ["groupadd", "--system", app])
    for d in (os.path.dirname(os.path.dirname(step["file"])), os.path.dirname(step["file"])):
        secrets_root_dir(d)
    values = secrets_read(step["file"])
    index = secrets_index(step["index"])
    absent = [k for k in unsets if k not in values]
    for k in unsets:
        values.pop(k, None)
        index.pop(k, None)
    for k, v in sets.items():
        values[k] = v
        index[k] = {"set": step["at"], "by": step["by"]}
    index = {k: index.get(k, {}) for k in sorted(values)}
    import shlex
    text = SECRETS_HEADER % (app, app) + "".join("%s=%s\n" % (k, shlex.quote(values[k])) for k in sorted(values))
    # write_atomic: a 0600 temp file given its owner and mode before any byte, then renamed.
    write_atomic(step["file"], text.encode("utf-8"), "root", app, "0640")
    write_atomic(step["index"], (json.dumps(index, indent=1, sort_keys=True) + "\n").encode(), "root", "root",
                 "0600")
    removed = sorted(set(unsets) - set(absent))
    parts = [("set ", sorted(sets)), ("unset ", removed), ("not set before: ", sorted(absent))]
    return "; ".join(what + ", ".join(keys) for what, keys in parts if keys)



# ---------------------------------------------------------------- apply steps

class TimedOut(StepError):
    pass


def run_cmd(step_id, argv, user=None, cwd=None, env=None, timeout=None, stdin_data=None):
    """Runs argv (a list, never a shell string), streaming its output as log events. After
    `timeout` seconds its whole process group is killed and TimedOut raised: a hook that never ends
    (or left a child holding its output) must not hold the deploy, and the old release serves."""
    full_env = None
    if env is not None:
        full_env = dict(env)
    preexec = None
    if user:
        pw = pwd.getpwnam(user)
        if full_env is None:
            full_env = {"PATH": "/usr/local/bin:/usr/bin:/bin"}
        full_env.setdefault("HOME", pw.pw_dir)
        full_env.setdefault("USER", user)
        full_env.setdefault("LOGNAME", user)

        def preexec():
            os.setgid(pw.pw_gid)
            os.initgroups(user, pw.pw_gid)
            os.setuid(pw.pw_uid)
    proc = subprocess.Popen(argv, cwd=cwd, env=full_env, preexec_fn=preexec,
                            stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    if stdin_data is not None:
        proc.stdin.write(stdin_data)
        proc.stdin.close()
    tail = []
    deadline = time.time() + timeout if timeout else None

    def expired():
        return deadline is not None and time.time() > deadline

    for line in _lines(proc.stdout, expired):
        tail.append(line)
        del tail[:-40]
        emit({"ev": "log", "id": step_id, "line": line})
    try:
        rc = proc.wait(timeout=max(0.0, deadline - time.time()) if deadline else None)
    except subprocess.TimeoutExpired:
        rc = None
    proc.stdout.close()
    if rc is not None and user:
        # What a hook left running in its group (a stray background job) ends with it.
        _kill_group(proc.pid)
    if rc is None:
        _kill_group(proc.pid)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        raise TimedOut("`%s` did not finish within %s; its process group was killed%s" % (
            " ".join(argv), _human_seconds(timeout), (":\n" + "\n".join(tail[-10:])) if tail else ""))
    return rc, tail


def _lines(stream, expired):
    """The lines of a pipe until EOF, or until expired() (checked at least every 0.5 s)."""
    import select
    fd = stream.fileno()
    buf = b""
    while True:
        if expired():
            break
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            raw, buf = buf.split(b"\n", 1)
            yield raw.decode("utf-8", "replace")
    if buf:
        yield buf.decode("utf-8", "replace")


def _kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass


def _human_seconds(secs):
    secs = int(secs)
    if secs % 60 == 0 and secs >= 60:
        return "%dm" % (secs // 60)
    return "%ds" % secs


def write_atomic(path, data, owner=None, group=None, mode=None):
    """Writes a temp file beside `path` and renames it over. The temp file is made 0600 and given
    its owner and mode before any byte is written, so a secret is never readable by others, even
    for an instant; O_EXCL|O_NOFOLLOW refuse a planted file or link."""
    d = os.path.dirname(path) or "."
    tmp = os.path.join(d, ".%s.hoist-tmp" % os.path.basename(path))
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            uid, gid = _ids(owner, group)
            if uid != -1 or gid != -1:
                os.fchown(fd, uid, gid)
            os.fchmod(fd, int(mode, 8) if mode else 0o644)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _ids(owner, group):
    uid = pwd.getpwnam(owner).pw_uid if owner else -1
    gid = grp.getgrnam(group).gr_gid if group else -1
    return uid, gid


def set_attrs(path, owner=None, group=None, mode=None):
    import shutil
    if owner or group:
        shutil.chown(path, owner, group)
    if mode:
        os.chmod(path, int(mode, 8))


def symlink_atomic(path, target):
    # A dot name: runsvdir skips those, so it never starts a runsv for the half-made link.
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".hoist-tmp")
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    os.symlink(target, tmp)
    os.rename(tmp, path)


def apt_lists_present():
    try:
        return any(n.endswith("_Packages") or n.endswith("_Packages.lz4") for n in os.listdir("/var/lib/apt/lists"))
    except OSError:
        return False


# Another apt (unattended-upgrades on a real server, a user's apt-get) holding dpkg's lock is
# waited for, up to 5 minutes, instead of failing the deploy at once.
APT = ["apt-get", "-o", "DPkg::Lock::Timeout=300"]


def apt_install(step_id, names):
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = APT + ["install", "-y", "-q", "--no-install-recommends", "-o", "Dpkg::Options::=--force-confold"] + names
    if not apt_lists_present():
        run_cmd(step_id, APT + ["update", "-q"], env=env)
    rc, tail = run_cmd(step_id, cmd, env=env)
    if rc != 0:
        # Stale package lists are the usual cause; refresh once and retry.
        run_cmd(step_id, APT + ["update", "-q"], env=env)
        rc, tail = run_cmd(step_id, cmd, env=env)
    if rc != 0:
        raise StepError("apt-get install failed (exit %d):\n%s" % (rc, "\n".join(tail[-12:])))


def ensure_runsvdir(step_id):
    if runsvdir_pids():
        return False
    # Started detached with a clean environment, as Debian's /etc/runit/2 does.
    subprocess.Popen(["runsvdir", "-P", "/etc/service", "log: " + "." * 100],
                     env={"PATH": "/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin"},
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True, close_fds=True, cwd="/", preexec_fn=normal_priority)
    return True


def wake_runsvdir():
    # runsvdir rescans every 5 s; Debian's rescans at once on SIGALRM (measured: 0.01 s).
    for pid in runsvdir_pids():
        try:
            os.kill(pid, signal.SIGALRM)
        except ProcessLookupError:
            pass  # it exited since it was listed (a runsvdir being replaced)


def wait_supervised(name, timeout=12.0):
    ok = "/etc/service/%s/supervise/ok" % name
    end = time.time() + timeout
    nudge = 0
    while time.time() < end:
        if time.time() > nudge:
            # A signal that lands while runsvdir is busy can be lost: repeat it while waiting.
            wake_runsvdir()
            nudge = time.time() + 0.25
        if os.path.exists(ok):
            try:
                fd = os.open(ok, os.O_WRONLY | os.O_NONBLOCK)
                os.close(fd)
                return True
            except OSError:
                pass
        time.sleep(0.05)
    return False


def wait_running(name, timeout):
    end = time.time() + timeout
    while time.time() < end:
        state, pid, up = runit_status(name)
        if state == "run" and pid:
            return pid
        time.sleep(0.05)
    return None


def children(pid):
    out = []
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            out = [int(p) for p in f.read().split()]
    except OSError:
        pass
    return [p for p in out if proc_state(p) not in ("Z", "X", None)]


def master_status(step):
    """(state, pid) of a service's main process under runit or systemd."""
    name = step["service"]
    if uses_systemd(step, name):
        props = unit_show(name)
        pid = int(props.get("MainPID") or 0)
        return (unit_state(props) if pid else "down"), pid or None
    state, pid, _ = runit_status(name)
    return state, pid


def gunicorn_reload(step, sid):
    """HUP the gunicorn master and wait until every old worker has gone and new ones run."""
    state, pid = master_status(step)
    if state != "run" or not pid:
        service_up(sid, step)
        return "started"
    old = set(children(pid))
    os.kill(pid, signal.SIGHUP)
    end = time.time() + step.get("timeout", 60)
    while time.time() < end:
        now = set(children(pid))
        s2, pid2 = master_status(step)
        if pid2 != pid:
            raise StepError("gunicorn master exited during reload; see 'hoist logs'")
        if now and not (now & old) and len(now) >= min(len(old), 1):
            return "reloaded (workers %s)" % " ".join(str(p) for p in sorted(now))
        time.sleep(0.05)
    raise StepError("gunicorn did not replace its workers within %ss" % step.get("timeout", 60))


def service_enable(sid, step):
    """Links a runit service in, held down, so runsvdir's next scan (every 5 s) overlaps other work."""
    name = step["service"]
    if uses_systemd(step, name):
        daemon_reload_if_needed(sid, name)
        run_checked(sid, ["systemctl", "enable", "--quiet", name])
        return "enabled"
    link = "/etc/service/" + name
    if not os.path.lexists(link):
        os.makedirs("/etc/service", exist_ok=True)
        with open("/etc/sv/%s/down" % name, "w"):
            pass
        symlink_atomic(link, "/etc/sv/" + name)
        wake_runsvdir()
    return "enabled"


def service_up(sid, step):
    name = step["service"]
    if uses_systemd(step, name):
        return systemd_up(sid, step)
    link = "/etc/service/" + name
    if not os.path.lexists(link):
        service_enable(sid, step)
    started = ensure_runsvdir(sid)
    if not wait_supervised(name, 12.0):
        raise StepError("runsvdir did not pick up /etc/service/%s within 12s" % name)
    try:
        # runsv read it at its start; gone, so the service comes up after a reboot.
        os.unlink("/etc/sv/%s/down" % name)
    except FileNotFoundError:
        pass
    rc, tail = run_cmd(sid, ["sv", "up", link])
    if rc != 0 and any("runsv not running" in line for line in tail):
        # Seen on lab nodes: runsv replaced right after it answered; wait for the new one once.
        if not wait_supervised(name, 12.0):
            raise StepError("runsvdir did not pick up /etc/service/%s within 12s" % name)
        run_checked(sid, ["sv", "up", link])
    elif rc != 0:
        raise StepError("sv up %s failed (exit %d):\n%s" % (link, rc, "\n".join(tail[-15:])))
    if not wait_running(name, step.get("timeout", 30)):
        raise StepError("service %s does not stay up; see 'hoist logs'" % name)
    return "started" + (" (and runsvdir)" if started else "")


def run_checked(sid, argv, **kw):
    rc, tail = run_cmd(sid, argv, **kw)
    if rc != 0:
        raise StepError("%s failed (exit %d):\n%s" % (" ".join(argv), rc, "\n".join(tail[-15:])))
    return tail


def service_signal(sid, step):
    name, how = step["service"], step["how"]
    if uses_systemd(step, name):
        reloaded = daemon_reload_if_needed(sid, name)
        if unit_state(unit_show(name)) != "run":
            return systemd_up(sid, step)
        # A changed unit file takes effect on a restart only; a reload would keep the old one.
        verb = "restart" if how == "restart" or reloaded else "reload"
        rc, tail = run_cmd(sid, ["systemctl", verb, name])
        if rc != 0:
            raise StepError("systemctl %s %s failed (exit %d); its journal ends with:\n%s" % (
                verb, name, rc, "\n".join(journal_tail(name))))
        if verb == "restart":
            unit_wait_active(name, step.get("timeout", 30))
        return verb + "ed"
    state, pid, up = runit_status(name)
    if state != "run":
        return service_up(sid, step)
    if how == "reload":
        run_checked(sid, ["sv", "hup", "/etc/service/" + name])
        return "reloaded"
    run_checked(sid, ["sv", "-w", str(step.get("stop_timeout", 10)), "restart", "/etc/service/" + name])
    return "restarted"


class NotConnected(Exception):
    """The TCP connection to nginx itself failed: nothing could answer yet."""


def http_get(address, port, host, path, timeout, tls=False):
    """One HTTP/1.0 GET, as (status, first 64 KiB of the body, Location or None): all a health
    check needs, without the import cost of http.client. tls: over HTTPS with SNI, trusting any
    certificate (this checks the app, not the certificate). Raises NotConnected when the
    connection cannot be made."""
    try:
        conn = socket.create_connection((address, port), timeout=timeout)
    except OSError as e:
        raise NotConnected(e)
    if tls:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        try:
            conn = context.wrap_socket(conn, server_hostname=host)
        except (OSError, ValueError) as e:
            conn.close()
            raise NotConnected(e)
    with conn:
        conn.sendall(("GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: hoist-health\r\n"
                      "Connection: close\r\n\r\n" % (path, host)).encode("ascii"))
        data = b""
        while len(data) < 65536 + 16384:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status_line = lines[0].split()
    if len(status_line) < 2 or not status_line[0].startswith(b"HTTP/") or not status_line[1].isdigit():
        raise ValueError("not an HTTP response: %r" % head[:60])
    location = None
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"location":
            location = value.strip().decode("latin-1")
    return int(status_line[1]), body[:65536].decode("utf-8", "replace"), location


# nginx's own answer when the app behind it is not there (yet): no socket or refused (502), no
# upstream (503), no answer in time (504). Its error pages end with "<center>nginx...</center>".
NGINX_WAITING = {
    502: "the app is not accepting connections yet",
    503: "nginx has no app to send to yet",
    504: "the app did not answer nginx in time",
}


def health_observe(step):
    """One GET of the health URL, as ("http", status, body), ("connect", error) or ("error", error)."""
    try:
        address = step.get("connect", "127.0.0.1")
        status, body, location = http_get(address, step.get("port", 80), step["host"],
                                          step["path"], step["timeout"])
        # nginx serving the app over HTTPS answers plain HTTP with its redirect: follow that one.
        if status in (301, 308) and location == "https://%s%s" % (step["host"], step["path"]):
            status, body, _ = http_get(address, 443, step["host"], step["path"], step["timeout"],
                                       tls=True)
        return ("http", status, body)
    except NotConnected as e:
        return ("connect", e.args[0])
    except (OSError, ValueError) as e:
        return ("error", e)


def health_verdict(observation, expect, contains=None):
    """What one observation means, as (verdict, text): "good"; "bad", a definite wrong answer; or
    "starting", a sign that nothing answers yet (the connection to nginx failed, or nginx's own
    502/503/504), which counts as bad only once the app has answered or the start period is over."""
    kind = observation[0]
    if kind == "connect":
        e = observation[1]
        if isinstance(e, ConnectionRefusedError):
            return "starting", "connection refused (nothing listens yet)"
        if isinstance(e, FileNotFoundError):
            return "starting", "no socket yet"
        if isinstance(e, (socket.timeout, TimeoutError)):
            return "starting", "timed out connecting"
        return "bad", "cannot connect: %s: %s" % (type(e).__name__, e)
    if kind == "error":
        e = observation[1]
        return "bad", "%s: %s" % (type(e).__name__, e)
    status, body = observation[1], observation[2]
    if status in NGINX_WAITING and status != expect and "<center>nginx" in body:
        return "starting", "HTTP %d from nginx (%s)" % (status, NGINX_WAITING[status])
    if status != expect:
        return "bad", "HTTP %d" % status
    if contains and contains not in body:
        return "bad", "HTTP %d, body lacks %r" % (status, contains)
    return "good", "HTTP %d" % status


def http_check(step):
    """GETs the health URL until `healthy` passes in a row, or `unhealthy` failures in a row / deadline.

    Until the app first answers definitely, or `start_period` passes, "starting" observations (see
    health_verdict) do not count: a first deploy on a busy node may take seconds to bind its socket."""
    ok_run = bad_run = 0
    answered = False
    last = ""
    now = time.time()
    end = now + step["deadline"]
    start_end = now + step.get("start_period", step["deadline"])
    while True:
        verdict, last = health_verdict(health_observe(step), step["expect"], step.get("contains"))
        if verdict != "starting":
            answered = True
        elif answered or time.time() >= start_end:
            verdict = "bad"
        if verdict == "good":
            ok_run, bad_run = ok_run + 1, 0
            if ok_run >= step["healthy"]:
                return True, last
        elif verdict == "bad":
            ok_run, bad_run = 0, bad_run + 1
            if bad_run >= step["unhealthy"]:
                return False, health_failure(step, answered, bad_run, last)
        if time.time() + step["interval"] > end:
            return False, health_failure(step, answered, bad_run, last, deadline=True)
        time.sleep(step["interval"])


def health_failure(step, answered, bad_run, last, deadline=False):
    """Why the check failed: an app that never answered, or one that answered wrongly."""
    period = step.get("start_period", step["deadline"])
    if not answered and period > 0:
        within = "start_period %gs" % period if period <= step["deadline"] else (
            "the deadline %gs" % step["deadline"])
        return "the app never answered within %s: last %s" % (within, last)
    if deadline:
        return "deadline %gs passed: last %s" % (step["deadline"], last)
    return "unhealthy %d times in a row: %s" % (bad_run, last)


def unpack(step, payload):
    """Unpacks the release archive into releases/<id> (root-owned: the app can read its code, never
    change it), via a temp dir renamed when complete. Members are owned by root with modes made
    from the archive's (no setuid/setgid/sticky, never group- or world-writable); the release's
    config files come with their own owner group and mode (0640 root:<app> when they hold env
    values)."""
    import shutil
    import base64
    final = step["path"]
    if os.path.lexists(final):
        raise StepError("release %s already exists on this node; deploy again for a new id" % os.path.basename(final))
    tmp = final + ".hoist-tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.mkdir(tmp, 0o755)
    try:
        import io
        import tarfile
        try:
            with tarfile.open(fileobj=io.BytesIO(payload), mode="r:gz") as tar:
                links = set()
                for m in tar.getmembers():
                    if (m.name.startswith("/") or ".." in m.name.split("/")
                            or not (m.isfile() or m.isdir() or inside_link(m))
                            or any(m.name.startswith(link + "/") for link in links)):
                        raise StepError("refusing archive member " + m.name)
                    if m.issym():
                        links.add(m.name)
                    # Root's, whatever the admin machine's owners; no setuid, never writable by others.
                    m.uid = m.gid = 0
                    m.uname = m.gname = "root"
                    m.mode = (0o755 if m.isdir() or m.mode & 0o111 else 0o644)
                tar.extractall(tmp, numeric_owner=True)
        except (tarfile.TarError, EOFError) as e:  # a cut-short gzip stream is an EOFError
            raise StepError("the release archive is damaged: %s" % e)
        for rel, f in step.get("files", {}).items():
            p = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(p), mode=0o755, exist_ok=True)
            write_atomic(p, base64.b64decode(f["content"]), "root", f.get("group", "root"), f.get("mode", "0644"))
        for rel, group in step.get("private", {}).items():
            # hoist.yml and the like: for the app's group only, not for other users on the node.
            p = os.path.join(tmp, rel)
            if os.path.isfile(p) and not os.path.islink(p):
                os.chown(p, 0, grp.getgrnam(group).gr_gid)
                os.chmod(p, 0o640)
        write_atomic(os.path.join(tmp, ".hoist-release.json"), json.dumps(step["meta"]).encode())
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def inside_link(member):
    """A symlink member whose target stays inside the release (the project's own links)."""
    if not member.issym() or member.linkname.startswith("/"):
        return False
    target = os.path.normpath(os.path.join(os.path.dirname(member.name), member.linkname))
    return target != "." and not target.startswith("..")


def link_shared(step):
    """Links each shared dir into the release. shared/ is root-owned; a new shared dir is made and
    seeded by root, then handed to the app bottom-up (so the app owns nothing in it until root is
    done). An existing one is never walked or followed by root: it belongs to the app."""
    import shutil
    rel, shared_root, user = step["path"], step["shared"], step["user"]
    for d in step["dirs"]:
        target = os.path.join(shared_root, d)
        inside = os.path.join(rel, d)
        if not os.path.lexists(target):
            _makedirs_root(os.path.dirname(target), shared_root)
            # Seed a new shared dir with what the project ships there.
            if os.path.isdir(inside) and not os.path.islink(inside):
                shutil.copytree(inside, target, symlinks=True)
            else:
                os.mkdir(target, 0o755)
            give_tree(target, user)
        if os.path.islink(inside) or os.path.isfile(inside):
            os.unlink(inside)
        elif os.path.isdir(inside):
            shutil.rmtree(inside)
        os.makedirs(os.path.dirname(inside), exist_ok=True)
        os.symlink(target, inside)


def open_dirs(step):
    """Gives the release's output dirs (static files a hook collects) to the app user for its
    hooks: made by root if missing, handed over bottom-up. release.seal takes them back."""
    rel = step["path"]
    for d in step["dirs"]:
        target = os.path.join(rel, d)
        _makedirs_root(target, rel)
        give_tree(target, step["user"])
    return "writable for the hooks: " + ", ".join(step["dirs"])


def seal_dirs(step):
    """Takes the output dirs back from the app user after the hooks: each dir is made root-owned
    and 0755 before it is listed (so the app can no longer change what is in it), then its entries,
    by directory fd, never following a link; files become 0644."""
    import stat as S
    rel = step["path"]
    for d in step["dirs"]:
        top = os.path.join(rel, d)
        st = os.lstat(top)
        if not S.S_ISDIR(st.st_mode):
            raise StepError("%s is no longer a directory (the hooks replaced it); the release is not used" % top)
        os.chown(top, 0, 0, follow_symlinks=False)
        os.chmod(top, 0o755)
        for base, dirs, files, dfd in os.fwalk(top, topdown=True, follow_symlinks=False):
            for n in dirs:
                os.chown(n, 0, 0, dir_fd=dfd, follow_symlinks=False)
                os.chmod(n, 0o755, dir_fd=dfd)
            for n in files:
                os.chown(n, 0, 0, dir_fd=dfd, follow_symlinks=False)
                if S.S_ISREG(os.stat(n, dir_fd=dfd, follow_symlinks=False).st_mode):
                    fd = os.open(n, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dfd)
                    try:
                        os.fchmod(fd, 0o644)
                    finally:
                        os.close(fd)
    return "sealed " + ", ".join(step["dirs"])


def _makedirs_root(path, top):
    """Makes the parents of a nested shared dir, refusing any part that is not a root-owned dir."""
    import stat as S
    parts = os.path.relpath(path, top).split("/")
    cur = top
    for part in ([] if parts == ["."] else parts):
        cur = os.path.join(cur, part)
        try:
            st = os.lstat(cur)
        except FileNotFoundError:
            os.mkdir(cur, 0o755)
            continue
        if not S.S_ISDIR(st.st_mode) or st.st_uid != 0:
            raise StepError("%s is not a root-owned directory; shared dirs nest only in root-owned ones" % cur)


def give_tree(path, user):
    """Gives a tree root just made to the app user, children before parents and by directory file
    descriptor without following links, so no link the app could plant is ever followed."""
    pw = pwd.getpwnam(user)
    for base, dirs, files, dfd in os.fwalk(path, topdown=False, follow_symlinks=False):
        for n in dirs + files:
            os.chown(n, pw.pw_uid, pw.pw_gid, dir_fd=dfd, follow_symlinks=False)
    os.chown(path, pw.pw_uid, pw.pw_gid, follow_symlinks=False)


def prune(step):
    import shutil
    root, keep = step["root"], step["keep"]
    rel_dir = os.path.join(root, "releases")
    info = probe_release(root)
    protect = {info["current"], info.get("previous")}
    ids = [r["id"] for r in info["releases"]]
    removed = []
    # Failed and incomplete releases go first, then the oldest.
    doomed = [r["id"] for r in info["releases"] if (r["failed"] or r.get("incomplete")) and r["id"] not in protect]
    good = [i for i in ids if i not in doomed]
    doomed += good[:max(0, len(good) - keep)]
    for rid in doomed:
        if rid in protect:
            continue
        # rmtree works by directory fd and never follows links (also in an old app-owned release).
        shutil.rmtree(os.path.join(rel_dir, rid), ignore_errors=True)
        try:
            os.unlink(os.path.join(root, ".hoist", "failed", rid))
        except OSError:
            pass
        removed.append(rid)
    return "removed " + ", ".join(removed) if removed else "nothing to remove"


def tail_file(path, n=20):
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - 16384))
            return f.read().decode("utf-8", "replace").splitlines()[-n:]
    except OSError:
        return []


def log_tail(path, n=20):
    """A log's last lines under a header. A supervised service's log (runit's svlogd writes
    /var/log/hoist/X/current for service hoist-X) is the unit's journal on a systemd node."""
    parts = path.split("/")
    svlogd = len(parts) == 6 and parts[:4] == ["", "var", "log", "hoist"] and parts[5] == "current"
    if svlogd and not os.path.exists(path) and init_is_systemd():
        unit = "hoist-" + parts[4]
        return ["==> journalctl -u %s <==" % unit] + journal_tail(unit, n)
    return ["==> %s <==" % path] + tail_file(path, n)


def step_apt_install(sid, step, payload):
    apt_install(sid, step["names"])
    return "installed " + " ".join(step["names"])


def step_group_create(sid, step, payload):
    run_checked(sid, ["groupadd", "--system", step["name"]])
    return "created"


def step_user_create(sid, step, payload):
    run_checked(sid, ["useradd", "--system", "--gid", step["group"], "--home-dir", step["home"],
                      "--no-create-home", "--shell", step["shell"], step["name"]])
    return "created"


def step_dir_ensure(sid, step, payload):
    os.makedirs(step["path"], exist_ok=True)
    set_attrs(step["path"], step.get("owner"), step.get("group"), step.get("mode"))
    return "ok"


def step_file_write(sid, step, payload):
    import base64
    path = step["path"]
    data = base64.b64decode(step["content"])
    old = None
    if step.get("validate") and os.path.isfile(path):
        with open(path, "rb") as f:
            old = f.read()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_atomic(path, data, step.get("owner"), step.get("group"), step.get("mode"))
    if step.get("validate"):
        rc, tail = run_cmd(sid, step["validate"])
        if rc != 0:
            if old is None:
                os.unlink(path)
            else:
                write_atomic(path, old, step.get("owner"), step.get("group"), step.get("mode"))
            raise StepError("%s rejected the new %s, so the old one was kept:\n%s"
                            % (" ".join(step["validate"]), path, "\n".join(tail[-10:])))
    return "written"


def step_file_attrs(sid, step, payload):
    set_attrs(step["path"], step.get("owner"), step.get("group"), step.get("mode"))
    return "ok"


def step_link_ensure(sid, step, payload):
    os.makedirs(os.path.dirname(step["path"]), exist_ok=True)
    symlink_atomic(step["path"], step["target"])
    return "-> " + step["target"]


def step_exec(sid, step, payload):
    rc, tail = run_cmd(sid, step["argv"], user=step.get("user"), cwd=step.get("cwd"), env=step.get("env"),
                       timeout=step.get("timeout"))
    if rc != 0:
        raise StepError("`%s` failed (exit %d):\n%s" % (" ".join(step["argv"]), rc, "\n".join(tail[-15:])))
    return "ran"


def step_release_unpack(sid, step, payload):
    unpack(step, payload)
    return "unpacked %d bytes" % len(payload)


def step_release_shared(sid, step, payload):
    link_shared(step)
    return "linked " + ", ".join(step["dirs"])


def step_release_switch(sid, step, payload):
    root = step["root"]
    before = probe_release(root)["current"]
    if before and before != step["release"]:
        write_atomic(os.path.join(state_dir(root), "previous"), before.encode(), mode="0600")
    symlink_atomic(os.path.join(root, "current"), "releases/" + step["release"])
    return "current -> releases/%s (was %s)" % (step["release"], before or "none")


def step_release_mark_failed(sid, step, payload):
    if not step.get("switched") and probe_release(step["root"])["current"] == step["release"]:
        # Not this deploy's own switch (a discard): another deploy made it live; keep it unmarked.
        return "not marked: it is the live release"
    failed = os.path.join(state_dir(step["root"]), "failed")
    os.makedirs(failed, mode=0o700, exist_ok=True)
    write_atomic(os.path.join(failed, step["release"]), (step.get("why", "") + "\n").encode(), mode="0600")
    return "marked failed"


def step_http_check(sid, step, payload):
    ok, last = http_check(step)
    if not ok:
        tail = []
        for path in step.get("logs", []):
            tail += log_tail(path)
        raise StepError("health check GET http://%s%s failed: %s (wanted HTTP %d%s)\n%s" % (
            step["host"], step["path"], last, step["expect"],
            " containing %r" % step["contains"] if step.get("contains") else "", "\n".join(tail)))
    return "healthy: " + last


def step_path_remove(sid, step, payload):
    try:
        os.unlink(step["path"])
        return "removed"
    except FileNotFoundError:
        return "absent"


# ---------------------------------------------------------------- scheduled jobs (hoist-cron)

CRON_NAME = re.compile(r"[a-z][a-z0-9-]{0,40}\Z")


def cron_jobs(config_dir):
    """The app jobs (from hoist.yml, not Hoist's root jobs) whose configs are in config_dir."""
    jobs = []
    try:
        names = sorted(os.listdir(config_dir))
    except FileNotFoundError:
        return jobs
    for name in names:
        job = name[:-5]
        if not name.endswith(".json") or not CRON_NAME.match(job):
            continue
        value = read_json(os.path.join(config_dir, name))
        if isinstance(value, dict) and not value.get("as_root"):
            jobs.append(job)
    return jobs


SERVICE_NAME = re.compile(r"hoist-[a-z0-9-]{1,80}\Z")


def remove_supervised(sid, name, units):
    """Stops a service of hoist's and removes it from its supervisor: its systemd units (NAME plus
    each suffix of units), or its runit service and the link to it. Absent is fine; logs stay."""
    import shutil
    if init_is_systemd() and not os.path.isdir("/etc/sv/" + name):
        first = name + units[0]
        run_cmd(sid, ["systemctl", "disable", "--now", "--quiet", first])
        for unit in units[1:]:
            run_cmd(sid, ["systemctl", "stop", name + unit])
        for unit in units:
            try:
                os.unlink("/etc/systemd/system/" + name + unit)
            except FileNotFoundError:
                pass
        run_checked(sid, ["systemctl", "daemon-reload"])
        return
    link = "/etc/service/" + name
    if os.path.lexists(link):
        run_cmd(sid, ["sv", "-w", "30", "force-stop", link])
        # runsv (and the log's) exit, so none writes supervise/ while the directory goes.
        run_cmd(sid, ["sv", "exit", link, link + "/log"])
        os.unlink(link)
        wake_runsvdir()
    deadline = time.time() + 15
    while os.path.lexists("/etc/sv/" + name) and time.time() < deadline:
        shutil.rmtree("/etc/sv/" + name, ignore_errors=True)
        if os.path.lexists("/etc/sv/" + name):
            time.sleep(0.2)
    if os.path.lexists("/etc/sv/" + name):
        raise StepError("cannot remove /etc/sv/%s: its runsv still runs" % name)


def service_remove(sid, step):
    """A backing service no longer in hoist.yml (e.g. the app's Redis): stopped and removed from
    its supervisor; its data and config stay."""
    name = step["name"]
    if not SERVICE_NAME.match(name):
        raise StepError("bad service name %r" % name)
    remove_supervised(sid, name, (".service",))
    return "removed service " + name


def cron_remove(sid, step):
    """Stops and removes one app job: its timer and unit, or its runit service; then its config
    and last-run state (its log stays)."""
    app, job = step["app"], step["job"]
    if not CRON_NAME.match(app) or not CRON_NAME.match(job):
        raise StepError("bad job name %s/%s" % (app, job))
    remove_supervised(sid, "hoist-cron-%s-%s" % (app, job), (".timer", ".service"))
    for path in (os.path.join(step["config_dir"], job + ".json"),
                 os.path.join(step["state_dir"], job + ".json")):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    return "removed job " + job


# ---------------------------------------------------------------- dispatch
#
# The one list of what the agent can do: a step's "do" -> fn(sid, step, payload) returning a note
# (raising StepError on failure); a probe's "kind" -> fn(request) returning its state. The Java
# side declares the same names once each (engine.AgentOp and engine.ProbeKind, @Wire), and
# AgentProtocolTest fails when the two lists differ. A new op is one entry here, e.g. what used to
# be `if op == "x": return f(sid, step)` is `"x": lambda sid, step, payload: f(sid, step),`.

OPS = {
    "apt.install": step_apt_install,
    "group.create": step_group_create,
    "user.create": step_user_create,
    "dir.ensure": step_dir_ensure,
    "file.write": step_file_write,
    "file.attrs": step_file_attrs,
    "link.ensure": step_link_ensure,
    "exec": step_exec,
    "service.enable": lambda sid, step, payload: service_enable(sid, step),
    "service.up": lambda sid, step, payload: service_up(sid, step),
    "service.signal": lambda sid, step, payload: service_signal(sid, step),
    "gunicorn.reload": lambda sid, step, payload: gunicorn_reload(step, sid),
    "release.unpack": step_release_unpack,
    "release.open": lambda sid, step, payload: open_dirs(step),
    "release.seal": lambda sid, step, payload: seal_dirs(step),
    "release.shared": step_release_shared,
    "release.switch": step_release_switch,
    "release.mark_failed": step_release_mark_failed,
    "release.prune": lambda sid, step, payload: prune(step),
    "http.check": step_http_check,
    "lb.drain": lambda sid, step, payload: lb_drain(step),
    "lb.ready": lambda sid, step, payload: lb_ready(step),
    "lb.wait_reload": lambda sid, step, payload: lb_wait_reload(step),
    "lock.take": lambda sid, step, payload: lock_take(step),
    "lock.release": lambda sid, step, payload: lock_release(step),
    "path.remove": step_path_remove,
    "secrets.update": lambda sid, step, payload: secrets_update(sid, step),
    "cron.remove": lambda sid, step, payload: cron_remove(sid, step),
    "service.remove": lambda sid, step, payload: service_remove(sid, step),
}

PROBES = {
    "package": lambda r: {"version": dpkg_installed().get(r["name"])},
    "user": probe_user,
    "group": probe_group,
    "dir": lambda r: probe_path(r["path"]),
    "link": lambda r: probe_path(r["path"]),
    "file": probe_file,
    "exec": probe_exec,
    "service": probe_service,
    "release": lambda r: probe_release(r["root"]),
    "port": lambda r: {"listeners": listeners(r["port"])},
    "json": lambda r: {"value": read_json(r["path"])},
    "lb": probe_lb,
    "secrets": secrets_probe,
    "secrets.values": lambda r: {"values": secrets_read(r["file"])},
    "tls": tls_probe,
    "cron": lambda r: {"jobs": cron_jobs(r["dir"])},
}


def do_step(step, payload):
    """Runs one step; returns a note. Raises StepError on failure."""
    op = step["do"]
    if op not in OPS:
        raise StepError("unknown step " + op)
    return OPS[op](step["id"], step, payload)


def run_steps(steps, payload, phase):
    done = []
    for step in steps:
        if INTERRUPTED and phase != "rescue" and not step.get("finish"):
            return False, done, "interrupted before %s" % step["id"]
        emit({"ev": "step", "id": step["id"], "status": "start", "phase": phase})
        t0 = time.time()
        try:
            note = do_step(step, payload)
        except (StepError, OSError, subprocess.SubprocessError, KeyError, ValueError) as e:
            msg = str(e) if isinstance(e, StepError) else "%s: %s" % (type(e).__name__, e)
            emit({"ev": "step", "id": step["id"], "status": "fail", "error": msg, "secs": time.time() - t0,
                  "phase": phase})
            return False, done, msg
        emit({"ev": "step", "id": step["id"], "status": "ok", "note": note, "secs": time.time() - t0,
              "phase": phase})
        done.append(step["id"])
    return True, done, None


def node_lock(root, holder=None):
    """Takes the node lock of the app at `root` (a flock on .hoist/lock, held until this agent
    exits, so a killed deploy never leaves it behind) and records who holds it; raises naming the
    holder when another run has it."""
    import fcntl
    os.makedirs(root, mode=0o755, exist_ok=True)
    d = state_dir(root)
    fd = os.open(os.path.join(d, "lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise StepError("another hoist run holds this node: %s" % describe_holder(read_json(os.path.join(d, "holder"))))
    if holder is not None:
        try:
            write_atomic(os.path.join(d, "holder"), json.dumps(dict(holder, pid=os.getpid())).encode(),
                         mode="0600")
        except OSError:
            pass  # a full disk: the flock alone still keeps others out; the steps will say what fails
    return fd


def describe_holder(h):
    h = h or {}
    return "%s since %s (%s); wait for it to finish" % (
        h.get("by", "someone"), h.get("since", "an unknown time"), h.get("command", "a deploy"))


def probe_node_lock(root):
    """Whether another run holds the node now, and how many applies changed it (the generation)."""
    import fcntl
    out = {"busy": False, "generation": generation(root).get("n", 0)}
    path = os.path.join(root, ".hoist", "lock")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except (FileNotFoundError, NotADirectoryError):
        return out
    except PermissionError:
        # Not root: the caller refuses on the probe's facts (uid) with what to do.
        return out
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        out["busy"] = True
        out["holder"] = describe_holder(read_json(os.path.join(root, ".hoist", "holder")))
    finally:
        os.close(fd)
    return out


def generation(root):
    try:
        return json.loads(read_small(os.path.join(root, ".hoist", "generation")) or "{}")
    except (OSError, ValueError):
        return {}


def bump_generation(root, holder):
    n = generation(root).get("n", 0) + 1
    h = holder or {}
    write_atomic(os.path.join(state_dir(root), "generation"),
                 json.dumps({"n": n, "by": h.get("by"), "at": h.get("since"), "command": h.get("command")}).encode(),
                 mode="0600")
    return n


# hoist's own work on a node (unpacking, building virtualenvs, hooks) yields the CPU to the app the
# node serves; what it starts for the long run gets the priority the agent was started with back.
AGENT_NICENESS = 10
BASE_PRIORITY = None


def normal_priority():
    try:
        if BASE_PRIORITY is not None:
            os.setpriority(os.PRIO_PROCESS, 0, BASE_PRIORITY)
    except OSError:
        pass


def main():
    global BASE_PRIORITY
    # Root works from / : nothing the caller's working directory holds is read or imported.
    os.chdir("/")
    try:
        BASE_PRIORITY = os.getpriority(os.PRIO_PROCESS, 0)
        os.nice(AGENT_NICENESS)
    except OSError:
        pass
    header = sys.stdin.buffer.readline()
    req = json.loads(header)
    payload = sys.stdin.buffer.read(req["payload_size"]) if req.get("payload_size") else b""
    op = req["op"]
    if op == "probe":
        states = {}
        if req.get("lock"):
            states["node-lock"] = probe_node_lock(req["lock"])
        for r in req["resources"]:
            try:
                states[r["id"]] = probe(r)
            except (OSError, StepError, subprocess.SubprocessError) as e:
                states[r["id"]] = {"error": "%s: %s" % (type(e).__name__, e)}
        result = {"ev": "result", "ok": True, "facts": facts(), "states": states}
        if req.get("health"):
            ok, last = http_check(req["health"])
            result["health"] = {"ok": ok, "detail": last}
        emit(result)
        return 0
    if op == "apply":
        root = req.get("lock")
        try:
            held = node_lock(root, req.get("holder")) if root else None
            expected = req.get("expect_generation")
            if root and expected is not None and generation(root).get("n", 0) != expected:
                last = generation(root)
                raise StepError("%s changed this node after this deploy read it (%s); nothing was changed:"
                                " deploy again" % (last.get("by") or "another hoist run", last.get("command") or "a deploy"))
        except (StepError, OSError) as e:
            msg = str(e) if isinstance(e, StepError) else "cannot take the node lock: %s" % e
            emit({"ev": "result", "ok": False, "error": msg, "done": [], "rescued": False})
            return 1
        ok, done, err = run_steps(req["steps"], payload, "main")
        rescued = None
        if not ok and req.get("guard") in done:
            # The switch happened: put the previous release back before reporting.
            rescued, _, rerr = run_steps(req.get("rescue", []), payload, "rescue")
            if not rescued:
                err += "\nrollback also failed: " + rerr
        elif not ok:
            run_steps(req.get("cleanup", []), payload, "rescue")
        result = {"ev": "result", "ok": ok, "error": err, "done": done, "rescued": rescued}
        if held is not None:
            try:
                result["generation"] = bump_generation(root, req.get("holder"))
            except OSError:
                pass  # a full disk: what the steps did stands; the counter is only for later deploys
            try:
                os.unlink(os.path.join(root, ".hoist", "holder"))
            except OSError:
                pass
            os.close(held)
        emit(result)
        return 0 if ok else 1
    emit({"ev": "result", "ok": False, "error": "unknown op " + op})
    return 2


if __name__ == "__main__":
    sys.exit(main())
