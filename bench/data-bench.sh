#!/usr/bin/env bash
# Backups and restores of a PostgreSQL database of about 1 GB on one lab node, side by side with the
# plain tools: `hoist backup` (the whole bundle streamed over SSH to this machine, verified on the
# way) against `pg_dump -Fc` streamed over the same SSH to a file here, and `hoist restore` (check
# the file, stream it verified, restore into a new database, swap) against `pg_restore` of the plain dump
# into an empty database. Also: the bytes the node's disk holds more during a backup, and the 503
# window of a restore; the CPU each action cost here (the command and its children) and on the node
# (every process in lab1's PID namespace). Prints markdown tables. See bench/README.md, "Backups and restores".
#
#   bash bench/data-bench.sh              # medians of RUNS runs (default 3)
#   SCALE=10 RUNS=1 bash bench/data-bench.sh   # a quick check (~150 MB)
#
# Environment:
#   RUNS=N      runs (default 3); each run times the four actions, the order of hoist/plain alternating
#   SCALE=S     pgbench scale factor (default 68: about 1 GB of tables and indexes)
#   HOIST=PATH  the hoist launcher to time (default: a snapshot of ./hoist + target/hoist.jar)
#   OUT=FILE    also write the report to FILE
#   KEEP_LAB=1  leave the lab node up at the end
#   SPLIT_CPUS=1  as if the node and this machine were two machines: every process of lab1 on the
#               last CPU, the timed commands (hoist, or ssh for the plain tools) on the others; else
#               both share every CPU, so hoist's JVM and pg_dump slow each other down
#
# hoist runs with HOIST_TRACE=1 (a few lines on stderr): the report ends with where its time went,
# the median of each stage's mark over the runs (the CLI's own and those its node runner sent).
#
# It owns the lab while it runs: `hoist lab down`, then `HOIST_LAB_DISK=8g hoist lab up 1`, and
# `hoist lab down` at the end. Traffic goes to the lab's address (10.213.77.0/24) only.
set -euo pipefail

RUNS=${RUNS:-3}
SCALE=${SCALE:-68}
SPLIT_CPUS=${SPLIT_CPUS:-0}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
APP=databench DOMAIN=databench.test DB=databench

log() { printf '[data-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (the lab needs it)"
[[ "$RUNS" =~ ^[1-9][0-9]*$ && "$RUNS" -le 20 ]] || die "RUNS must be a number from 1 to 20"
[[ "$SCALE" =~ ^[1-9][0-9]*$ && "$SCALE" -le 200 ]] || die "SCALE must be a number from 1 to 200"
[[ "$SPLIT_CPUS" =~ ^[01]$ ]] || die "SPLIT_CPUS must be 0 or 1"
CLIENT=()   # the prefix of every timed command
if [ "$SPLIT_CPUS" = 1 ]; then
  cpus=$(nproc)
  [ "$cpus" -ge 2 ] || die "SPLIT_CPUS=1 needs 2 CPUs or more (nproc says $cpus)"
  command -v taskset >/dev/null || die "taskset is not installed (package util-linux)"
  NODE_CPU=$((cpus - 1))
  CLIENT=(taskset -c "0-$((cpus - 2))")
fi
for c in ssh python3 timeout awk sha256sum; do command -v "$c" >/dev/null || die "$c is not installed"; done

tmp=$(mktemp -d /tmp/hoist-data-bench.XXXXXX)
mkdir -p "$tmp/logs" "$tmp/trace"
lab_touched=""
sampler_pid=""
finish() {
  local rc=$?
  if [ -n "$sampler_pid" ] && kill -0 "$sampler_pid" 2>/dev/null; then kill "$sampler_pid" 2>/dev/null || true; fi
  if [ -n "$lab_touched" ] && [ "${KEEP_LAB:-0}" != 1 ]; then
    log "hoist lab down"
    timeout 120 "$HOIST" lab down >/dev/null 2>&1 || log "warning: hoist lab down failed"
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

snap="$tmp/hoist"
. "$here/common.sh"
hoist_snapshot "$snap"

# ---------------------------------------------------------------------------------------------
# The lab: one node with an 8 GiB disk (the database, a dump and a restore side by side)
# ---------------------------------------------------------------------------------------------
declare -A ADDR
log "lab: one pristine node with an 8 GiB disk"
lab_touched=1
timeout 120 "$HOIST" lab down >"$tmp/lab-down.log" 2>&1 || { tail -n 20 "$tmp/lab-down.log" >&2; die "hoist lab down failed"; }
HOIST_LAB_DISK=8g timeout 300 "$HOIST" lab up 1 --json >"$tmp/lab.json" 2>"$tmp/lab-up.log" \
  || { tail -n 20 "$tmp/lab-up.log" >&2; die "hoist lab up 1 failed"; }
read -r name addr < <(python3 -c '
import json, sys
for n in json.load(open(sys.argv[1])):
    if n["state"] == "running": print(n["name"], n["address"])' "$tmp/lab.json")
[ "${name:-}" = lab1 ] && [[ $addr == 10.213.77.* ]] || die "hoist lab up 1 did not start lab1 in 10.213.77.0/24"
ADDR[lab1]=$addr
lab_pid=$(python3 -c 'import json; print(json.load(open("/var/lib/hoist-lab/state.json"))["nodes"]["lab1"]["pid"])')
[[ $lab_pid =~ ^[0-9]+$ ]] || die "no PID 1 of lab1 in /var/lib/hoist-lab/state.json"
# SPLIT_CPUS=1: every process in lab1's PID namespace onto NODE_CPU; what starts there later
# (PostgreSQL's backends, sshd's sessions, pg_dump) inherits it from its parent. Run again before
# each action, for anything that entered the node from outside.
pin_node() {
  [ "$SPLIT_CPUS" = 1 ] || return 0
  local ns pid
  ns=$(readlink "/proc/$lab_pid/ns/pid")
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [ "$(readlink "/proc/$pid/ns/pid" 2>/dev/null)" = "$ns" ] || continue
    taskset -a -p -c "$NODE_CPU" "$pid" >/dev/null 2>&1 || true
  done
}
pin_node
for i in $(seq 200); do
  timeout 1 bash -c "exec 3<>/dev/tcp/$addr/22" 2>/dev/null && break
  [ "$i" -lt 200 ] || die "lab1 ($addr): sshd does not answer"
  sleep 0.1
done
lab_key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["key"])' "$tmp/lab.json")
lab_known=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["known_hosts"])' "$tmp/lab.json")
SSH=(ssh -o BatchMode=yes -o ConnectTimeout=5 -i "$lab_key" -o UserKnownHostsFile="$lab_known" -o StrictHostKeyChecking=yes "root@$addr")
node() { timeout 3600 "${SSH[@]}" "$@"; }   # long: a gigabyte restore on a busy machine
psql_node() { node "runuser -u postgres -- psql -X -q -At -v ON_ERROR_STOP=1 -d $DB -c \"$1\""; }

# The project: examples/django-postgres renamed, its data on lab1.
proj="$tmp/$APP"
cp -r "$repo/examples/django-postgres" "$proj"
sed -i "s/^app: .*/app: $APP/; s/^domain: .*/domain: $DOMAIN/" "$proj/hoist.yml"
grep -q "^app: $APP$" "$proj/hoist.yml" || die "could not rename the app in $proj/hoist.yml"
{
  lab_nodes 1 "$lab_key" "$lab_known"
  echo "environments:"
  echo "  bench: {web: [lab1]}"
} >>"$proj/hoist.yml"

log "setup: deploy $APP with its services to lab1 (untimed)"
timeout 900 "$HOIST" deploy "$proj" --env bench >"$tmp/logs/deploy.log" 2>&1 \
  || { tail -n 30 "$tmp/logs/deploy.log" >&2; die "the first deploy failed"; }

log "setup: pgbench -i -s $SCALE into $DB (untimed)"
node "runuser -u postgres -- /usr/lib/postgresql/15/bin/pgbench -i -q -s $SCALE $DB" >"$tmp/logs/pgbench.log" 2>&1 \
  || { tail -n 20 "$tmp/logs/pgbench.log" >&2; die "pgbench -i failed"; }
for t in pgbench_accounts pgbench_branches pgbench_history pgbench_tellers; do
  psql_node "ALTER TABLE $t OWNER TO $DB" >/dev/null
done
db_bytes=$(psql_node "SELECT pg_database_size('$DB')")
rows=$(psql_node "SELECT count(*) FROM pgbench_accounts")
db_mb=$(awk -v b="$db_bytes" 'BEGIN { printf "%.0f", b / 1e6 }')
log "database: $db_mb MB ($rows rows in pgbench_accounts)"
accounts_sum() { psql_node "SELECT sum(abalance)::text || '/' || count(*) || '/' || md5(string_agg(aid::text, ',' ORDER BY aid)) FROM pgbench_accounts WHERE aid % 997 = 0"; }
want_sum=$(accounts_sum)

# The node's disk in use, sampled every 0.2 s by one SSH session while an action runs.
disk_used() { node "df -B1 --output=used / | tail -n 1" | tr -d ' '; }
start_sampler() {
  "${SSH[@]}" 'while :; do df -B1 --output=used / | tail -n 1; sleep 0.2; done' >"$tmp/disk.samples" 2>/dev/null &
  sampler_pid=$!
}
stop_sampler() { kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; sampler_pid=""; }
peak_extra() { awk -v base="$1" '{ v = $1 + 0; if (v > m) m = v } END { d = m - base; if (d < 0) d = 0; printf "%.0f", d / 1e6 }' "$tmp/disk.samples"; }

now() { date +%s.%N; }
# CPU seconds (user + system) so far of every process in lab1's PID namespace, with the children
# they reaped: before and after an action, the node's CPU the action cost (pg_dump and its
# PostgreSQL backend, sshd, the runner, ...), whoever else runs on this machine.
node_cpu() {
  python3 - "$lab_pid" <<'PY'
import os, sys
init = sys.argv[1]
ns = os.readlink("/proc/%s/ns/pid" % init)
ticks = 0
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        if os.readlink("/proc/%s/ns/pid" % pid) != ns:
            continue
        fields = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    ticks += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
print("%.2f" % (ticks / os.sysconf("SC_CLK_TCK")))
PY
}
# The admin side's CPU seconds of the last `timed` command (it and its children), from bash's time.
TIMEFORMAT='%U %S'
timed() { { time "$@" 2>&3; } 3>&2 2>"$tmp/cpu.last"; }
cpu_here() { awk '{ printf "%.2f", $1 + $2 }' "$tmp/cpu.last"; }
cpu_delta() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# trace_table FILE...: one row per mark (in the order of the first run), its median and each run's ms.
trace_table() {
  python3 - "$@" <<'PY'
import re, statistics, sys
runs = []
for path in sys.argv[1:]:
    marks = {}
    for line in open(path):
        m = re.match(r"trace +([0-9]+) ms  (.*)", line.rstrip("\n"))
        if m:
            what = re.sub(r" runner [0-9]+ ms:", " runner:", m.group(2))
            marks.setdefault(what, int(m.group(1)))
    runs.append(marks)
order = []
for marks in runs:
    for what in marks:
        if what not in order:
            order.append(what)
print("| mark | median ms | runs (ms) |")
print("|---|---:|---|")
for what in order:
    vals = [r[what] for r in runs if what in r]
    print("| %s | %d | %s |" % (what, statistics.median(vals), ", ".join(str(v) for v in vals)))
PY
}
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

declare -A T   # T[action] = " s1 s2 ..."
declare -A B   # B[action] = output bytes of the last run
declare -A D   # D[action] = " MB of extra node disk ..."
declare -A CA  # CA[action] = " CPU s on this machine (the command and its children) ..."
declare -A CN  # CN[action] = " CPU s on lab1 (every process in its PID namespace) ..."
WINDOWS=""

act_hoist_backup() {
  rm -f "$tmp/h.hoistbak"
  local base; base=$(disk_used); start_sampler
  local c0; c0=$(node_cpu)
  local t0; t0=$(now)
  pin_node
  timed env HOIST_TRACE=1 "${CLIENT[@]}" timeout 3600 "$HOIST" backup "$proj" --env bench -o "$tmp/h.hoistbak" >"$tmp/logs/backup.log" 2>&1 \
    || { stop_sampler; tail -n 30 "$tmp/logs/backup.log" >&2; die "hoist backup failed"; }
  local t1; t1=$(now); local c1; c1=$(node_cpu); stop_sampler
  CA[hoist_backup]+=" $(cpu_here)"; CN[hoist_backup]+=" $(cpu_delta "$c0" "$c1")"
  grep '^trace ' "$tmp/logs/backup.log" >"$tmp/trace/backup.$run" || true
  T[hoist_backup]+=" $(secs "$t0" "$t1")"; D[hoist_backup]+=" $(peak_extra "$base")"
  B[hoist_backup]=$(stat -c %s "$tmp/h.hoistbak")
}
act_plain_backup() {
  rm -f "$tmp/p.dump"
  local base; base=$(disk_used); start_sampler
  local c0; c0=$(node_cpu)
  local t0; t0=$(now)
  pin_node
  timed "${CLIENT[@]}" timeout 3600 "${SSH[@]}" "runuser -u postgres -- pg_dump -Fc $DB" >"$tmp/p.dump" 2>"$tmp/logs/pg_dump.err" \
    || { stop_sampler; tail -n 30 "$tmp/logs/pg_dump.err" >&2; die "pg_dump failed"; }
  local t1; t1=$(now); local c1; c1=$(node_cpu); stop_sampler
  CA[plain_backup]+=" $(cpu_here)"; CN[plain_backup]+=" $(cpu_delta "$c0" "$c1")"
  T[plain_backup]+=" $(secs "$t0" "$t1")"; D[plain_backup]+=" $(peak_extra "$base")"
  B[plain_backup]=$(stat -c %s "$tmp/p.dump")
}
act_hoist_restore() {
  local c0; c0=$(node_cpu)
  local t0; t0=$(now)
  pin_node
  timed env HOIST_TRACE=1 "${CLIENT[@]}" timeout 3600 "$HOIST" restore "$tmp/h.hoistbak" "$proj" --env bench --yes --json >"$tmp/logs/restore.json" 2>"$tmp/logs/restore.err" \
    || { tail -n 30 "$tmp/logs/restore.json" "$tmp/logs/restore.err" >&2; die "hoist restore failed"; }
  local t1; t1=$(now); local c1; c1=$(node_cpu)
  CA[hoist_restore]+=" $(cpu_here)"; CN[hoist_restore]+=" $(cpu_delta "$c0" "$c1")"
  grep '^trace ' "$tmp/logs/restore.err" >"$tmp/trace/restore.$run" || true
  T[hoist_restore]+=" $(secs "$t0" "$t1")"
  local w; w=$(python3 -c '
import json, sys
def find(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k in ("window_seconds", "windowSeconds") and isinstance(v, (int, float)): return v
            r = find(v)
            if r is not None: return r
    if isinstance(o, list):
        for v in o:
            r = find(v)
            if r is not None: return r
print(find(json.load(open(sys.argv[1]))))' "$tmp/logs/restore.json")
  WINDOWS+=" $w"
  [ "$(accounts_sum)" = "$want_sum" ] || die "after hoist restore, pgbench_accounts differs"
  timeout 600 "$HOIST" restore --cleanup "$proj" --env bench >"$tmp/logs/cleanup.log" 2>&1 \
    || { tail -n 20 "$tmp/logs/cleanup.log" >&2; die "hoist restore --cleanup failed"; }
}
act_plain_restore() {
  node "runuser -u postgres -- dropdb --if-exists ${DB}_plain && runuser -u postgres -- createdb -O $DB ${DB}_plain" >/dev/null
  local c0; c0=$(node_cpu)
  local t0; t0=$(now)
  pin_node
  timed "${CLIENT[@]}" timeout 3600 "${SSH[@]}" "runuser -u postgres -- pg_restore --no-owner --role=$DB -d ${DB}_plain" <"$tmp/p.dump" >"$tmp/logs/pg_restore.log" 2>&1 \
    || { tail -n 30 "$tmp/logs/pg_restore.log" >&2; die "pg_restore failed"; }
  local t1; t1=$(now); local c1; c1=$(node_cpu)
  CA[plain_restore]+=" $(cpu_here)"; CN[plain_restore]+=" $(cpu_delta "$c0" "$c1")"
  T[plain_restore]+=" $(secs "$t0" "$t1")"
  node "runuser -u postgres -- dropdb ${DB}_plain" >/dev/null
}

for run in $(seq "$RUNS"); do
  if [ $((run % 2)) = 1 ]; then order="hoist plain"; else order="plain hoist"; fi
  log "run $run/$RUNS: backups ($order)"
  for who in $order; do "act_${who}_backup"; done
  log "run $run/$RUNS: restores ($order)"
  for who in $order; do "act_${who}_restore"; done
done

# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------
mbps() { awk -v mb="$db_mb" -v s="$1" 'BEGIN { if (s == "n/a" || s + 0 == 0) print "n/a"; else printf "%.1f", mb / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
hb=$(median <<<"${T[hoist_backup]}"); pb=$(median <<<"${T[plain_backup]}")
hr=$(median <<<"${T[hoist_restore]}"); pr=$(median <<<"${T[plain_restore]}")
rb=$(ratio "$hb" "$pb"); rr=$(ratio "$hr" "$pr")
cpu_cols() { echo "$(median <<<"${CA[$1]}") ($(runs_of "${CA[$1]}")) | $(median <<<"${CN[$1]}") ($(runs_of "${CN[$1]}"))"; }
{
  echo "### Run of $(date -u '+%Y-%m-%d %H:%M') UTC (RUNS=$RUNS, SCALE=$SCALE)"
  echo
  echo "hoist $hoist_commit (jar $jar_sha); $(ver "${SSH[@]}" 'pg_dump --version'); $(if [ "$SPLIT_CPUS" = 1 ]; then echo "SPLIT_CPUS=1: lab1 on CPU $NODE_CPU, the timed commands on CPU 0-$((NODE_CPU - 1)) of $(nproc)"; else echo "lab1 on $(nproc) shared CPUs"; fi), load $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Database: $db_mb MB (pg_database_size), $rows rows in pgbench_accounts. MB/s = database MB / seconds."
  echo "CPU here: user + system seconds of the command on this machine with its children (hoist's JVM, or ssh). CPU on lab1: of every process in lab1's PID namespace during the action (PostgreSQL, pg_dump/pg_restore, sshd, the runner; the disk sampler's df for both)."
  echo
  echo "| action | median s | MB/s | runs (s) | output | extra node disk, peak MB (runs) | CPU s here, median (runs) | CPU s on lab1, median (runs) |"
  echo "|---|---:|---:|---|---:|---|---|---|"
  echo "| hoist backup (bundle over SSH, verified) | $hb | $(mbps "$hb") | $(runs_of "${T[hoist_backup]}") | $((B[hoist_backup] / 1000000)) MB | $(runs_of "${D[hoist_backup]}") | $(cpu_cols hoist_backup) |"
  echo "| pg_dump -Fc over SSH to a file | $pb | $(mbps "$pb") | $(runs_of "${T[plain_backup]}") | $((B[plain_backup] / 1000000)) MB | $(runs_of "${D[plain_backup]}") | $(cpu_cols plain_backup) |"
  echo "| hoist restore (verify, stream, new db, swap) | $hr | $(mbps "$hr") | $(runs_of "${T[hoist_restore]}") | | | $(cpu_cols hoist_restore) |"
  echo "| pg_restore of the dump into an empty db | $pr | $(mbps "$pr") | $(runs_of "${T[plain_restore]}") | | | $(cpu_cols plain_restore) |"
  echo
  echo "| figure | value | target |"
  echo "|---|---:|---|"
  echo "| backup time, hoist / pg_dump | $rb | ≤ 1.10: $(met "$rb" 1.10) |"
  echo "| restore time, hoist / pg_restore | $rr | ≤ 1.10: $(met "$rr" 1.10) |"
  echo "| 503 window of a restore, median s (runs) | $(median <<<"$WINDOWS") ($(runs_of "$WINDOWS")) | |"
  for what in backup restore; do
    echo
    echo "Where hoist $what's time went (HOIST_TRACE marks: ms since the process started, median of the runs; 'runner' marks are the node runner's, as they arrived):"
    echo
    trace_table "$tmp"/trace/"$what".*
  done
} | tee "${OUT:-/dev/null}"
