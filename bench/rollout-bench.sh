#!/usr/bin/env bash
# Measures a rolling deploy behind the HAProxy load balancer under constant load, side by side with
# a no-op deploy (the control: hoist's own cost on this machine, nothing drained or switched) and a
# naive restart of the same web nodes, and prints markdown tables.
# Needs root, the lab's cached base (`hoist lab up` builds it once), curl, ssh, python3 and a JDK 21+
# (for the load generator, src/test/java/dev/hoist/it/Load.java). See bench/README.md,
# "Rolling deploy behind the load balancer".
#
#   bash bench/rollout-bench.sh              # medians of RUNS runs (default 5)
#   RUNS=1 bash bench/rollout-bench.sh       # a quick check
#
# Environment:
#   RUNS=N            runs (default 5); each run measures the three actions, the order rotating
#   RATE=R            requests per second through the balancer (default 200)
#   HOIST=PATH        the hoist launcher to time (default: a snapshot of ./hoist + target/hoist.jar)
#   OUT=FILE          also write the report (tables) to FILE
#   KEEP_LAB=1        leave the lab nodes up at the end (default: `hoist lab down`)
#   DEPLOY_TIMEOUT=S  a single deploy is stopped (SIGTERM) after S seconds (default 300) and fails the script
#   MAX_MINUTES=M     no new run starts after M minutes (default 60); the report says so
#
# It owns the lab while it runs: `hoist lab down` + `hoist lab up 4` at the start (lab1 = HAProxy,
# lab2-4 = web nodes), `hoist lab down` at the end (the cached base stays). Traffic goes to the lab
# addresses (10.213.77.0/24) only.
set -euo pipefail

RUNS=${RUNS:-5}
RATE=${RATE:-200}
DEPLOY_TIMEOUT=${DEPLOY_TIMEOUT:-300}
MAX_MINUTES=${MAX_MINUTES:-60}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

APP=rollbench DOMAIN=rollbench.test
LAB_N=4
WEBS=(lab2 lab3 lab4)
WARM=2        # s of load before "at rest" starts: the load generator's JVM and connections warm up
REST=5        # s at rest before the action
AFTER=3       # s of load kept after the action
MIN_BUDGET=10 # s the load allows for an action at least (grows with the slowest action seen, see budget())
MAX_BUDGET=240

log() { printf '[rollout-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (the lab needs it)"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number"
[[ "$RATE" =~ ^[1-9][0-9]*$ && "$RATE" -le 2000 ]] || die "RATE must be a number from 1 to 2000"
[[ "$DEPLOY_TIMEOUT" =~ ^[1-9][0-9]*$ && "$MAX_MINUTES" =~ ^[1-9][0-9]*$ ]] || die "DEPLOY_TIMEOUT and MAX_MINUTES must be numbers"
for c in curl ssh python3 timeout awk mkfifo; do command -v "$c" >/dev/null || die "$c is not installed"; done

tmp=$(mktemp -d /tmp/hoist-rollout-bench.XXXXXX)
mkdir -p "$tmp/logs"
lab_touched=""
load_pid=""

finish() {
  local rc=$?
  if [ -n "$load_pid" ] && kill -0 "$load_pid" 2>/dev/null; then kill "$load_pid" 2>/dev/null || true; fi
  exec 3>&-
  if [ -n "$lab_touched" ] && [ "${KEEP_LAB:-0}" != 1 ]; then
    log "hoist lab down"
    timeout 120 "$HOIST" lab down >/dev/null 2>&1 || log "warning: hoist lab down failed"
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# hoist: a snapshot of the launcher + target/hoist.jar (others edit src/ while this runs, and the
# launcher rebuilds the jar whenever a source file is newer than it); the load generator's classes
# are copied into the snapshot too.
# ---------------------------------------------------------------------------------------------
snap="$tmp/hoist"
. "$here/common.sh"
hoist_snapshot "$snap"

# The load generator: Load.java compiled by `mvn test-compile`, run with hoist.jar for Jackson.
jdk=$(bash -c '. "$1/scripts/find-jdk.sh" >/dev/null 2>&1 && echo "$JAVA_HOME"' _ "$repo" 2>/dev/null || true)
[ -n "$jdk" ] && [ -x "$jdk/bin/java" ] || die "no JDK 21+ for the load generator"
if ! (cd "$repo" && JAVA_HOME="$jdk" timeout 600 mvn -B -ntp -q test-compile >"$tmp/test-compile.log" 2>&1); then
  [ -f "$repo/target/test-classes/dev/hoist/it/Load.class" ] || { tail -n 30 "$tmp/test-compile.log" >&2; die "mvn test-compile failed"; }
  log "warning: mvn test-compile failed (tests being edited?); using the existing target/test-classes/dev/hoist/it/Load*.class"
fi
mkdir -p "$tmp/load/dev/hoist/it"
cp "$repo"/target/test-classes/dev/hoist/it/Load.class "$repo"/target/test-classes/dev/hoist/it/Load\$*.class "$tmp/load/dev/hoist/it/"
load_cp="$tmp/load:$(dirname "$HOIST")/target/hoist.jar"

# ---------------------------------------------------------------------------------------------
# The lab: lab1 the balancer, lab2-4 web nodes
# ---------------------------------------------------------------------------------------------
declare -A ADDR   # ADDR[labN] = address
log "lab: pristine $LAB_N nodes"
lab_touched=1
timeout 120 "$HOIST" lab down >"$tmp/lab-down.log" 2>&1 || { tail -n 20 "$tmp/lab-down.log" >&2; die "hoist lab down failed"; }
timeout 300 "$HOIST" lab up "$LAB_N" --json >"$tmp/lab.json" 2>"$tmp/lab-up.log" \
  || { tail -n 20 "$tmp/lab-up.log" >&2; die "hoist lab up $LAB_N failed"; }
count=0
while read -r name addr; do
  ADDR[$name]=$addr; count=$((count + 1))
done < <(python3 -c '
import json, sys
for n in json.load(open(sys.argv[1])):
    if n["state"] == "running": print(n["name"], n["address"])' "$tmp/lab.json")
[ "$count" -ge "$LAB_N" ] || die "hoist lab up $LAB_N: only $count nodes running"
for n in $(seq "$LAB_N"); do [[ ${ADDR[lab$n]:-} == 10.213.77.* ]] || die "lab$n is not in 10.213.77.0/24"; done
for n in $(seq "$LAB_N"); do # until every node's sshd accepts TCP (at most 20 s each)
  for i in $(seq 200); do
    timeout 1 bash -c "exec 3<>/dev/tcp/${ADDR[lab$n]}/22" 2>/dev/null && break
    [ "$i" -lt 200 ] || die "lab$n (${ADDR[lab$n]}): sshd does not answer"
    sleep 0.1
  done
done
lab_key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["key"])' "$tmp/lab.json")
lab_known=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["known_hosts"])' "$tmp/lab.json")
LB=${ADDR[lab1]}
node_ssh() { # NODE CMD: runs CMD as root on a lab node (bounded)
  local node=$1; shift
  timeout 60 ssh -o BatchMode=yes -o ConnectTimeout=5 -i "$lab_key" -o UserKnownHostsFile="$lab_known" \
    -o StrictHostKeyChecking=yes root@"${ADDR[$node]}" "$@"
}

# The project: a copy of examples/hello, renamed, with the lab's nodes, a rollout and the environment.
proj="$tmp/$APP"
hello_project "$proj" "$APP" "$DOMAIN"
{
  lab_nodes "$LAB_N" "$lab_key" "$lab_known"
  echo "rollout: {batch: 1, drain: 5s}"
  echo "environments:"
  echo "  live: {lb: [lab1], web: [$(IFS=,; echo "${WEBS[*]}" | sed 's/,/, /g')]}"
} >>"$proj/hoist.yml"
version=$(sed -n 's/.*version \([0-9][0-9]*\).*/\1/p' "$proj/hello.py" | head -n 1)
bump() { version=$((version + 1)); sed -i "s/version [0-9][0-9]*/version $version/" "$proj/hello.py"; }

# check_webs TEXT: every web node serves TEXT through its own nginx (retried for at most 3 s).
check_webs() {
  local n body i
  for n in "${WEBS[@]}"; do
    for i in $(seq 30); do
      body=$(curl -s --max-time 2 -H "Host: $DOMAIN" "http://${ADDR[$n]}/" 2>/dev/null || true)
      grep -qF "$1" <<<"$body" && break
      [ "$i" -lt 30 ] || die "$n answers '$(head -c 200 <<<"$body" | tr '\n' ' ')', expected '$1'"
      sleep 0.1
    done
  done
}
# all_up: `hoist status` says all web nodes are UP in HAProxy (polled for at most 30 s).
all_up() {
  local i
  for i in $(seq 30); do
    timeout 60 "$HOIST" status "$proj" --env live >"$tmp/status.log" 2>&1 || true
    grep -q "${#WEBS[@]} web node(s), ${#WEBS[@]} UP" "$tmp/status.log" && return 0
    sleep 1
  done
  tail -n 20 "$tmp/status.log" >&2
  die "not every web node is UP in the balancer 30 s after the last action"
}

log "setup: first deploy of $APP (version $version) to lab1 (HAProxy) and ${WEBS[*]} (untimed)"
timeout "$DEPLOY_TIMEOUT" "$HOIST" deploy "$proj" --env live >"$tmp/logs/setup.log" 2>&1 \
  || { tail -n 30 "$tmp/logs/setup.log" >&2; die "the first deploy failed"; }
check_webs "version $version"
all_up
curl -s --max-time 2 -H "Host: $DOMAIN" "http://$LB/" | grep -qF "version $version" || die "the balancer does not serve the app"
haproxy_checks=$(node_ssh lab1 "grep -E '^ *default-server' /etc/haproxy/hoist.cfg" 2>/dev/null | sed 's/^ *//' || echo '?')

# ---------------------------------------------------------------------------------------------
# One measurement: the load runs WARM + REST s, then the action (marked), then AFTER s or more.
# ---------------------------------------------------------------------------------------------
SLOWEST=0   # s, the slowest action seen so far, of any mode
budget() { # the next load's allowance for the action: 2x the slowest action seen (any mode, so every
  # measurement gets the same load length), at least MIN_BUDGET
  awk -v s="$SLOWEST" -v lo="$MIN_BUDGET" -v hi="$MAX_BUDGET" \
    'BEGIN { b = int(2 * s + 1); if (b < lo) b = lo; if (b > hi) b = hi; print b }'
}
mark() { ( echo "mark $1" >&3 ) 2>/dev/null || true; }   # a subshell: a gone reader cannot kill the script
LOADS=""

# hoist rolling: bump the version, `hoist deploy DIR --env live --json`, then check every web node.
act_hoist() {
  local name=$1
  bump
  timeout "$DEPLOY_TIMEOUT" "$HOIST" deploy "$proj" --env live --json >"$tmp/logs/$name.json" 2>"$tmp/logs/$name.err" || {
    cat "$tmp/logs/$name.json" "$tmp/logs/$name.err" | tail -n 30 >&2; die "$name: hoist deploy failed"; }
}
# noop (the control): the same command with nothing changed, so every node is `unchanged`: hoist's
# JVM, SSH connections, lock, HAProxy converge and prepare probes run, but nothing is drained or
# switched. What it adds to the latency is hoist's own cost on this machine's shared CPUs.
act_noop() {
  local name=$1
  timeout "$DEPLOY_TIMEOUT" "$HOIST" deploy "$proj" --env live --json >"$tmp/logs/$name.json" 2>"$tmp/logs/$name.err" || {
    cat "$tmp/logs/$name.json" "$tmp/logs/$name.err" | tail -n 30 >&2; die "$name: hoist deploy (no-op) failed"; }
}
# naive: `sv restart` of the app's runit service on each web node in turn (no drain, never out of
# the balancer), each node waited for until its gunicorn has a new pid and /healthz answers through
# its nginx (at most 15 s each); the release does not change.
act_naive() {
  local name=$1 n
  for n in "${WEBS[@]}"; do
    node_ssh "$n" "svc=/etc/service/hoist-$APP"'; old=$(cat $svc/supervise/pid); sv restart $svc >/dev/null || exit 1
      i=0; while [ $i -lt 300 ]; do new=$(cat $svc/supervise/pid 2>/dev/null); [ -n "$new" ] && [ "$new" != "$old" ] && break; sleep 0.05; i=$((i + 1)); done
      [ $i -lt 300 ] || { echo "no new pid"; exit 1; }
      j=0; while [ $j -lt 300 ]; do curl -fsS -o /dev/null --max-time 1 -H "Host: '"$DOMAIN"'" http://127.0.0.1/healthz 2>/dev/null && { echo "'"$n"' pid $old -> $new, healthy after $j polls"; exit 0; }; sleep 0.05; j=$((j + 1)); done
      echo "not healthy"; exit 1' >>"$tmp/logs/$name.log" 2>&1 || { tail -n 10 "$tmp/logs/$name.log" >&2; die "$name: restart on $n failed"; }
  done
}

# measure MODE RUN: one measurement; appends to the per-mode lists below. Sets SHORT=1 instead if
# the action outlasted the load (the run is then repeated once with a larger allowance).
declare -A FAILED TOTAL RATEA P50R P99R P50D P99D MAXD NDUR P99A RATIO ACT JSONS OOB STAT
add() { local -n arr=$1; arr[$2]="${arr[$2]:-} $3"; }
measure() {
  local mode=$1 run=$2 name="$1-$2-$SECONDS" secs t_launch t0 t1 deadline i
  SHORT=""
  secs=$((WARM + REST + $(budget) + AFTER))
  all_up
  LOADS="$LOADS $(cut -d' ' -f1 /proc/loadavg)"
  rm -f "$tmp/fifo"; mkfifo "$tmp/fifo"
  "$jdk/bin/java" -cp "$load_cp" dev.hoist.it.Load "http://$LB/" "$DOMAIN" "$RATE" "$secs" \
    <"$tmp/fifo" >"$tmp/logs/$name.load.json" 2>"$tmp/logs/$name.load.err" &
  load_pid=$!
  exec 3>"$tmp/fifo"
  t_launch=$EPOCHREALTIME
  sleep "$WARM"; mark steady
  sleep "$REST"; mark rollout-start
  t0=$EPOCHREALTIME
  "act_$mode" "$name"
  t1=$EPOCHREALTIME
  deadline=$(awk -v a="$t_launch" -v s="$secs" 'BEGIN { printf "%.3f", a + s - 0.5 }')
  if awk -v n="$t1" -v d="$deadline" 'BEGIN { exit !(n < d) }'; then mark rollout-end; fi
  # The load stops by itself at $secs (plus up to 10 s for the last answers); bounded wait.
  for i in $(seq $(((secs + 30) * 10))); do kill -0 "$load_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$load_pid" 2>/dev/null; then kill "$load_pid" 2>/dev/null || true; die "$name: the load generator did not stop"; fi
  wait "$load_pid" || { cat "$tmp/logs/$name.load.err" >&2; die "$name: the load generator failed"; }
  load_pid=""
  exec 3>&-
  local act; act=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  awk -v a="$act" -v s="$SLOWEST" 'BEGIN { exit !(a > s) }' && SLOWEST=$act
  local line
  line=$(python3 - "$tmp/logs/$name.load.json" "$AFTER" "$RATE" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); after_s = float(sys.argv[2]); rate = float(sys.argv[3])
ph = d.get("phases", {})
if "rollout-end" not in d.get("marks", {}) or "after" not in ph or ph["after"]["total"] < 0.9 * after_s * rate:
    print("SHORT"); sys.exit(0)
r, a, x = ph["steady"], ph["rollout"], ph["after"]
other = ",".join("%s:%d" % (k, v) for k, v in sorted(d["statuses"].items()) if k != "200") or "-"
vers = sorted({b.split("version ")[1].split()[0] for b in d["bodies"] if "version " in b}, key=int)
ratio = a["p99Ms"] / r["p99Ms"] if r["p99Ms"] > 0 else 0
print(d["failed"], d["total"], d["perSecond"], r["p50Ms"], r["p99Ms"], a["p50Ms"], a["p99Ms"], a["maxMs"],
      a["total"], x["p99Ms"], "%.2f" % ratio, other, ",".join(vers))
EOF
  ) || die "$name: cannot read the load generator's JSON"
  if [ "$line" = SHORT ]; then
    log "  $name: the action ($act s) outlasted the load's allowance; repeating with a larger one"
    SHORT=1
    return 0
  fi
  local failed total rate p50r p99r p50d p99d maxd nd p99a ratio other vers
  read -r failed total rate p50r p99r p50d p99d maxd nd p99a ratio other vers <<<"$line"
  local extra=""
  if [ "$mode" = hoist ] || [ "$mode" = noop ]; then
    local js
    js=$(python3 - "$tmp/logs/$name.json" "$mode" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); noop = sys.argv[2] == "noop"
if not d.get("ok") or d.get("outcome") != "done":
    print("FAILED", d.get("outcome"), d.get("message")); sys.exit(0)
if noop and any(n["state"] != "unchanged" or n["outOfBalancer"] != 0 for n in d["nodes"]):
    print("FAILED not a no-op:", " ".join("%s=%s/%.2f" % (n["node"], n["state"], n["outOfBalancer"]) for n in d["nodes"]))
    sys.exit(0)
print("%.2f" % d["seconds"], " ".join("%s=%.2f" % (n["node"], n["outOfBalancer"]) for n in d["nodes"]))
EOF
    ) || die "$name: cannot read hoist's --json"
    [[ $js != FAILED* ]] || { tail -n 30 "$tmp/logs/$name.err" >&2; die "$name: $js"; }
    check_webs "version $version"
    if [ "$mode" = hoist ]; then
      [[ ",$vers," == *",$version,"* ]] || log "  warning: $name: the load never saw version $version (saw $vers)"
      for v in ${vers//,/ }; do [ "$v" = "$version" ] || [ "$v" = $((version - 1)) ] || log "  warning: $name: the load saw version $v"; done
      local kv
      for kv in ${js#* }; do add OOB "$mode" "${kv#*=}"; done
      extra="; --json seconds ${js%% *}; out of LB ${js#* }"
    else
      [ "$vers" = "$version" ] || log "  warning: $name: the load saw versions $vers during a no-op (expected only $version)"
      extra="; --json seconds ${js%% *}; every node unchanged, none taken out"
    fi
    add JSONS "$mode" "${js%% *}"
  else
    check_webs "version $version"
  fi
  add FAILED "$mode" "$failed"; add TOTAL "$mode" "$total"; add RATEA "$mode" "$rate"
  add P50R "$mode" "$p50r"; add P99R "$mode" "$p99r"; add P50D "$mode" "$p50d"; add P99D "$mode" "$p99d"
  add MAXD "$mode" "$maxd"; add NDUR "$mode" "$nd"; add P99A "$mode" "$p99a"; add RATIO "$mode" "$ratio"
  add ACT "$mode" "$act"; add STAT "$mode" "$other"
  RAW="${RAW}| $run | $mode | $act s | $total | $rate/s | $failed | $other | $p50r / $p99r ms | $p50d / $p99d ms (max $maxd, n=$nd) | $p99a ms | ${ratio}x | ${extra#; } |"$'\n'
  log "  run $run, $mode: action $act s, failed $failed ($other), p99 rest $p99r ms, during $p99d ms (n=$nd)$extra"
}
RAW=""
measure_once() { # MODE RUN: measure, repeated once if the load ended before the action did
  measure "$1" "$2"
  [ -z "$SHORT" ] && return 0
  measure "$1" "$2"
  [ -z "$SHORT" ] || die "$1 run $2: the action outlasted the load twice"
}

bench_start=$EPOCHREALTIME
deadline_s=$(( $(date +%s) + MAX_MINUTES * 60 ))
cut_short=""
done_runs=0
MODES=(hoist noop naive)
log "rolling deploy vs no-op deploy vs naive restart under $RATE req/s, x$RUNS"
for run in $(seq "$RUNS"); do
  if [ "$(date +%s)" -ge "$deadline_s" ]; then cut_short=1; log "MAX_MINUTES=$MAX_MINUTES reached: no more runs"; break; fi
  # The order rotates: run 1 hoist noop naive, run 2 noop naive hoist, run 3 naive hoist noop, ...
  r=$(((run - 1) % ${#MODES[@]})); order=("${MODES[@]:r}" "${MODES[@]:0:r}")
  for mode in "${order[@]}"; do measure_once "$mode" "$run"; done
  done_runs=$run
done
bench_secs=$(awk -v a="$bench_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
med0() { median | sed 's/\.00$//'; }
maxof() { tr ' ' '\n' | grep -v '^$' | sort -g | tail -n 1; }
loadstats() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "median %.2f, min %.2f, max %.2f", v[int((NR + 1) / 2)], v[1], v[NR] }'; }

report() {
  echo "## Rolling deploy behind the load balancer"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) CPUs ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Debian $(cat /etc/debian_version)"
  echo "- load average (1 min) when each measurement started: $(loadstats <<<"$LOADS")"
  echo "- hoist: $(ver "$HOIST" --version) (snapshot taken at the start from commit $hoist_commit, jar sha256 $jar_sha), JVM: $(ver "$jdk/bin/java" -version)"
  echo "- nodes: \`hoist lab\`, lab1 = balancer ($(node_ssh lab1 'haproxy -v' 2>/dev/null | head -n 1 | sed 's/ - https.*//' || echo '?')), lab2-4 = web nodes (nginx $(node_ssh lab2 'nginx -v' 2>&1 | sed 's|.*nginx/||' || echo '?'), gunicorn $(node_ssh lab2 'python3 -c "import gunicorn; print(gunicorn.__version__)"' 2>/dev/null || echo '?'))"
  echo "- HAProxy's checks: \`$haproxy_checks\`; hoist.yml: \`rollout: {batch: 1, drain: 5s}\`, \`live: {lb: [lab1], web: [lab2, lab3, lab4]}\`"
  echo "- load: $RATE GET/s of \`/\` through http://$LB/ (Host $DOMAIN), HTTP/1.1 keep-alive, latency from each request's scheduled time; ${WARM} s warm-up (not counted as at rest), ${REST} s at rest, the action, then at least ${AFTER} s"
  echo "- runs: $done_runs (each: the three actions, the order rotating); benchmark time ${bench_secs}s${cut_short:+; **cut short by MAX_MINUTES=$MAX_MINUTES**}"
  echo
  echo "Medians of $done_runs runs. hoist rolling = \`hoist deploy DIR --env live --json\` of a new version (JVM start included); no-op deploy (control) = the same command with nothing changed (every node \`unchanged\`: hoist's JVM, connections, lock and probes, nothing drained or switched); naive restart = \`sv restart\` of the app's runit service on lab2, lab3, lab4 in turn over ssh, each waited for until healthy (no drain, never out of the balancer, same release)."
  echo
  local M=(hoist noop naive)
  row() { # LABEL WHAT: one table row, a cell per mode (WHAT: see cell)
    local line="| $1 |" m
    for m in "${M[@]}"; do line="$line $(cell "$2" "$m") |"; done
    echo "$line"
  }
  cell() { # WHAT MODE: one cell
    case $1 in
      failed) echo "$(med0 <<<"${FAILED[$2]:-}") [$(runs_of "${FAILED[$2]:-}")]" ;;
      total) med0 <<<"${TOTAL[$2]:-}" ;;
      rate) echo "$(median <<<"${RATEA[$2]:-}")/s" ;;
      p50) echo "$(median <<<"${P50R[$2]:-}") / $(median <<<"${P50D[$2]:-}") ms" ;;
      p99) echo "$(median <<<"${P99R[$2]:-}") / $(median <<<"${P99D[$2]:-}") ms" ;;
      ratio) echo "$(median <<<"${RATIO[$2]:-}")x [$(runs_of "${RATIO[$2]:-}")]" ;;
      max) echo "$(median <<<"${MAXD[$2]:-}") ms" ;;
      ndur) med0 <<<"${NDUR[$2]:-}" ;;
      after) echo "$(median <<<"${P99A[$2]:-}") ms" ;;
      time) if [ "$2" = naive ]; then echo "$(median <<<"${ACT[$2]:-}") s"
            else echo "$(median <<<"${ACT[$2]:-}") s (\`--json\` seconds $(median <<<"${JSONS[$2]:-}") s)"; fi ;;
      oob) case $2 in
             hoist) echo "$(median <<<"${OOB[hoist]:-}") s; max $(maxof <<<"${OOB[hoist]:-}") s" ;;
             noop) echo "never taken out (every node \`unchanged\`)" ;;
             naive) echo "never taken out" ;;
           esac ;;
    esac
  }
  echo "| | hoist rolling | no-op deploy (control) | naive restart |"
  echo "|---|---:|---:|---:|"
  row "failed requests (whole load run) [per run]" failed
  row "requests per load run" total
  row "load rate achieved" rate
  row "p50 at rest / during the action" p50
  row "p99 at rest / during the action" p99
  row "p99 during / p99 at rest (median of per-run ratios) [per run]" ratio
  row "max latency during the action" max
  row "requests during the action" ndur
  row "p99 after the action" after
  row "total time (wall clock of the action)" time
  row "time out of the balancer per node (median over nodes and runs; max)" oob
  echo
  echo "Targets for hoist rolling:"
  echo
  echo "| target | measured | |"
  echo "|---|---:|---|"
  local f r w
  f=$(maxof <<<"${FAILED[hoist]:-}"); r=$(median <<<"${RATIO[hoist]:-}"); w=$(maxof <<<"${RATIO[hoist]:-}")
  echo "| 0 failed requests in every run | max ${f:-n/a} | $(met "${f:-n/a}" 0) |"
  echo "| p99 during the rollout ≤ 2 × p99 at rest (median of runs) | ${r}x | $(met "$r" 2) |"
  echo "| the same, in every run | worst ${w:-n/a}x | $(met "${w:-n/a}" 2) |"
  echo
  echo "All runs (latency in ms; at rest = the ${REST} s before the action; during = from the start of the action to its end; after = from its end to the end of the load; other statuses = non-200 answers and errors over the whole run):"
  echo
  echo "| run | action | time | requests | rate | failed | other statuses | p50 / p99 at rest | p50 / p99 during | p99 after | p99 ratio | hoist --json |"
  echo "|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|"
  printf '%s' "$RAW"
}
if [ -n "${OUT:-}" ]; then report | tee "$OUT"; else report; fi
