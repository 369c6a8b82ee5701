#!/usr/bin/env bash
# Benchmarks `hoist deploy --env nN` against an equivalent remote Ansible playbook
# (bench/ansible-fleet) on 1, 5 and 10 `hoist lab` nodes, and prints markdown tables.
# Needs root, the lab's cached base (`hoist lab up` builds it once), ansible-playbook, curl and
# /usr/bin/time. See bench/README.md, "Fleet benchmark".
#
#   bash bench/fleet-bench.sh                 # medians of RUNS runs per scenario (default 5)
#   RUNS=1 bash bench/fleet-bench.sh          # a quick check
#
# Environment:
#   RUNS=N            runs per scenario (default 5)
#   SCENARIOS="..."   any of: noop new first (default all three; round trips are counted with noop/new)
#   HOIST=PATH        the hoist launcher to time (default: a snapshot of ./hoist + target/hoist.jar)
#   OUT=FILE          also write the report (tables) to FILE
#   KEEP_LAB=1        leave the lab nodes up at the end (default: `hoist lab down`)
#   DEPLOY_TIMEOUT=S  a single deploy is killed after S seconds (default 900) and fails the script
#   MAX_MINUTES=M     no new run starts after M minutes (default 180); the report says so
#
# It owns the lab while it runs: `hoist lab down` + `hoist lab up 10` at the start and before every
# first-deploy run (pristine nodes), `hoist lab down` at the end (the cached base stays). Traffic
# goes to the lab addresses (10.213.77.0/24) only.
set -euo pipefail

RUNS=${RUNS:-5}
SCENARIOS=${SCENARIOS:-noop new first}
DEPLOY_TIMEOUT=${DEPLOY_TIMEOUT:-900}
MAX_MINUTES=${MAX_MINUTES:-180}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
afleet="$here/ansible-fleet"

H_APP=benchfleet  H_DOMAIN=benchfleet.test
A_APP=ansifleet   A_DOMAIN=ansifleet.test
SIZES=(1 5 10)
FIRST_SIZES=(1 10)
LAB_N=10
TOOLS=(hoist default tuned)     # default / tuned: the two Ansible configurations

log() { printf '[fleet-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (the lab needs it)"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number"
[[ "$DEPLOY_TIMEOUT" =~ ^[1-9][0-9]*$ && "$MAX_MINUTES" =~ ^[1-9][0-9]*$ ]] || die "DEPLOY_TIMEOUT and MAX_MINUTES must be numbers"
for s in $SCENARIOS; do case $s in noop|new|first) ;; *) die "unknown scenario '$s' (noop, new, first)" ;; esac; done
for c in ansible-playbook curl ssh python3 timeout awk; do command -v "$c" >/dev/null || die "$c is not installed"; done
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (Debian package 'time')"
has() { [[ " $SCENARIOS " == *" $1 "* ]]; }

tmp=$(mktemp -d /tmp/hoist-fleet-bench.XXXXXX)
cpdir="$tmp/cp"                  # Ansible's ControlPath dir (ControlPersist masters), shared by both configs
mkdir -p "$cpdir" "$tmp/logs"
lab_touched=""

close_masters() { # ends the ssh ControlPersist masters Ansible left in $cpdir (ours only)
  local s
  for s in "$cpdir"/*; do
    [ -S "$s" ] || continue
    timeout 5 ssh -o ControlPath="$s" -O exit lab >/dev/null 2>&1 || true
    rm -f "$s"
  done
}
finish() {
  local rc=$?
  close_masters
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
# launcher rebuilds the jar whenever a source file is newer than it).
# ---------------------------------------------------------------------------------------------
. "$here/common.sh"
hoist_snapshot "$tmp/hoist"

# ---------------------------------------------------------------------------------------------
# The lab
# ---------------------------------------------------------------------------------------------
declare -A ADDR   # ADDR[labN] = address
wait_ssh() { # until every node's sshd accepts TCP (at most 20 s each)
  local n a i
  for n in $(seq "$LAB_N"); do
    a=${ADDR[lab$n]}
    for i in $(seq 200); do
      timeout 1 bash -c "exec 3<>/dev/tcp/$a/22" 2>/dev/null && break
      [ "$i" -lt 200 ] || die "lab$n ($a): sshd does not answer"
      sleep 0.1
    done
  done
}
lab_pristine() { # lab down + lab up 10: pristine nodes (untimed)
  lab_touched=1
  close_masters
  timeout 120 "$HOIST" lab down >"$tmp/lab-down.log" 2>&1 || { tail -n 20 "$tmp/lab-down.log" >&2; die "hoist lab down failed"; }
  timeout 300 "$HOIST" lab up "$LAB_N" --json >"$tmp/lab.json" 2>"$tmp/lab-up.log" \
    || { tail -n 20 "$tmp/lab-up.log" >&2; die "hoist lab up $LAB_N failed"; }
  local line name addr count=0
  while read -r name addr; do
    ADDR[$name]=$addr; count=$((count + 1))
  done < <(python3 -c '
import json, sys
for n in json.load(open(sys.argv[1])):
    if n["state"] == "running": print(n["name"], n["address"])' "$tmp/lab.json")
  [ "$count" -ge "$LAB_N" ] || die "hoist lab up $LAB_N: only $count nodes running"
  wait_ssh
}

log "lab: pristine $LAB_N nodes"
lab_pristine
lab_key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["key"])' "$tmp/lab.json")
lab_known=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["known_hosts"])' "$tmp/lab.json")
for n in $(seq "$LAB_N"); do [[ ${ADDR[lab$n]} == 10.213.77.* ]] || die "lab$n is not in 10.213.77.0/24"; done

# hoist's project: a copy of examples/hello with the lab's nodes and environments n1, n5, n10.
hproj="$tmp/$H_APP"
hello_project "$hproj" "$H_APP" "$H_DOMAIN"
{
  lab_nodes "$LAB_N" "$lab_key" "$lab_known"
  echo "environments:"
  for s in "${SIZES[@]}"; do
    echo "  n$s: [$(seq -s ' ' 1 "$s" | sed 's/[0-9][0-9]*/lab&/g; s/ /, /g')]"
  done
} >>"$hproj/hoist.yml"

# Ansible's project (same files, app ansifleet) and inventory (groups n1, n5, n10).
aproj="$tmp/$A_APP"
cp -r "$repo/examples/hello" "$aproj"
sed -i "s/^app: .*/app: $A_APP/; s/^domain: .*/domain: $A_DOMAIN/" "$aproj/hoist.yml"
inventory="$tmp/inventory.ini"
{
  for s in "${SIZES[@]}"; do
    echo "[n$s]"
    for n in $(seq "$s"); do echo "lab$n ansible_host=${ADDR[lab$n]}"; done
  done
  echo "[all:vars]"
  echo "ansible_user=root"
  echo "ansible_ssh_private_key_file=$lab_key"
  echo "ansible_ssh_common_args='-o UserKnownHostsFile=$lab_known -o StrictHostKeyChecking=yes'"
  echo "ansible_python_interpreter=/usr/bin/python3"
} >"$inventory"
export ANSIBLE_NOCOLOR=1 ANSIBLE_SSH_CONTROL_PATH_DIR="$cpdir" ANSIBLE_LOCAL_TEMP="$tmp/ansible-local"
ANSIBLE_CONFIG="$afleet/tuned.cfg" ansible-playbook --syntax-check -i "$inventory" "$afleet/deploy.yml" >/dev/null \
  || die "the playbook does not parse"

# ---------------------------------------------------------------------------------------------
# Deploys, timed: wall clock (EPOCHREALTIME) plus /usr/bin/time's CPU and max RSS of the tree.
# ---------------------------------------------------------------------------------------------
hversion=1 aversion=1 release_seq=0 arelease=""
bump() { # $1 = project dir, $2 = new version
  sed -i "s/version [0-9][0-9]*/version $2/" "$1/hello.py"
}
new_release_id() { release_seq=$((release_seq + 1)); arelease=$(printf '%s-%03d' "$(date -u +%Y%m%dT%H%M%SZ)" "$release_seq"); }

declare -A T C M   # T[scenario.size.tool] = "wall1 wall2 ..."; C = cpu (user+sys); M = max RSS KiB
declare -A HS HN RT  # hoist: fleet seconds from --json, slowest node's seconds; round trips per node
add() { local -n arr=$1; arr[$2]="${arr[$2]:-} $3"; }
LOADS=""
WALL=""
run_cmd() { # NAME CMD...: run with timeout + /usr/bin/time; WALL, CPU, RSS set; a failure ends the script
  local name=$1; shift
  local logf="$tmp/logs/$name.log" tf="$tmp/logs/$name.time" t0 t1 rc=0 u sy rss
  LOADS="$LOADS $(cut -d' ' -f1 /proc/loadavg)"
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%U %S %M' -o "$tf" timeout "$DEPLOY_TIMEOUT" "$@" >"$logf" 2>&1 || rc=$?
  t1=$EPOCHREALTIME
  if [ "$rc" != 0 ]; then
    [ "$rc" != 124 ] || log "$name: timed out after $DEPLOY_TIMEOUT s"
    log "FAILED (exit $rc): $name: $*"
    tail -n 30 "$logf" | sed 's/^/    /' >&2
    exit 1
  fi
  WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  read -r u sy rss < <(grep -E '^[0-9.]+ [0-9.]+ [0-9]+$' "$tf" | tail -n 1)
  CPU=$(awk -v u="$u" -v s="$sy" 'BEGIN { printf "%.2f", u + s }')
  RSS=$rss
}

# check_node ADDR DOMAIN TEXT...: the node serves every TEXT through its nginx; retried for at most
# 3 s (a graceful reload can leave an old worker answering for a moment); STALE counts late ones.
STALE=0
check_node() {
  local addr=$1 domain=$2; shift 2
  local body i t ok
  for i in $(seq 30); do
    body=$(curl -s --max-time 2 -H "Host: $domain" "http://$addr/" 2>/dev/null || true)
    ok=1
    for t in "$@"; do grep -qF "$t" <<<"$body" || ok=""; done
    if [ -n "$ok" ]; then
      [ "$i" = 1 ] || { STALE=$((STALE + 1)); log "  note: $addr ($domain) served the expected text only after $i tries"; }
      return 0
    fi
    sleep 0.1
  done
  die "$addr ($domain) answers '$(head -c 200 <<<"$body" | tr '\n' ' ')', expected: $*"
}

hoist_json() { # JSON file -> "fleet_seconds slowest_node_seconds rt_min rt_max changes" + lines "node live"
  python3 - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
nodes = d["nodes"]
bad = [n["node"] for n in nodes if not n.get("ok")]
if not d.get("ok") or bad:
    print("FAILED", ",".join(bad)); sys.exit(0)
rts = [n["result"]["roundTrips"] for n in nodes]
changes = sum(len(n["result"].get("changes") or []) for n in nodes)
print("%.3f %.3f %d %d %d" % (d["seconds"], max(n["seconds"] for n in nodes), min(rts), max(rts), changes))
for n in nodes:
    print(n["node"], n["result"]["live"])
EOF
}

# deploy TOOL SCENARIO SIZE [LABEL]: one deploy of SIZE nodes, timed and checked on every node.
deploy() {
  local tool=$1 sc=$2 size=$3 name="$2-$3-$1-${4:-x}"
  case $tool in
    hoist)
      [ "$sc" = noop ] || { hversion=$((hversion + 1)); bump "$hproj" "$hversion"; }
      run_cmd "$name" "$HOIST" deploy "$hproj" --env "n$size" --json
      local summary; summary=$(hoist_json "$tmp/logs/$name.log" 2>&1) \
        || { tail -n 30 "$tmp/logs/$name.log" >&2; die "$name: cannot read hoist's --json"; }
      [[ $summary != FAILED* ]] || { tail -n 30 "$tmp/logs/$name.log" >&2; die "$name: nodes failed: ${summary#FAILED }"; }
      local fs slow rmin rmax changes node live
      read -r fs slow rmin rmax changes <<<"$(head -n 1 <<<"$summary")"
      [ "$(tail -n +2 <<<"$summary" | wc -l)" = "$size" ] || die "$name: hoist reported $(tail -n +2 <<<"$summary" | wc -l) nodes, expected $size"
      [ "$sc" != noop ] || [ "$changes" = 0 ] || log "  warning: hoist no-op reported $changes changes"
      if [ -n "${4:-}" ]; then
        add HS "$sc.$size" "$fs"; add HN "$sc.$size" "$slow"
        if [ "$rmin" = "$rmax" ]; then add RT "$sc.hoist" "$rmin"; else add RT "$sc.hoist" "$rmin-$rmax"; fi
      fi
      while read -r node live; do
        check_node "${ADDR[$node]}" "$H_DOMAIN" "version $hversion" "release $live"
      done < <(tail -n +2 <<<"$summary")
      ;;
    default|tuned)
      if [ "$sc" != noop ]; then aversion=$((aversion + 1)); bump "$aproj" "$aversion"; new_release_id; fi
      run_cmd "$name" env ANSIBLE_CONFIG="$afleet/$tool.cfg" ansible-playbook -i "$inventory" "$afleet/deploy.yml" \
        -l "n$size" -e "project_dir=$aproj" -e "release_id=$arelease"
      local recap; recap=$(grep -cE '^lab[0-9]+ +: ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=0' "$tmp/logs/$name.log" || true)
      [ "$recap" = "$size" ] || { tail -n 30 "$tmp/logs/$name.log" >&2; die "$name: $recap of $size nodes in the recap without failures"; }
      if [ "$sc" = noop ] && grep -E '^lab[0-9]+ +:' "$tmp/logs/$name.log" | grep -vq 'changed=0 '; then
        log "  warning: Ansible no-op reported changes: $(grep -E '^lab[0-9]+ +:' "$tmp/logs/$name.log" | grep -v 'changed=0 ' | head -n 1)"
      fi
      local n
      for n in $(seq "$size"); do
        check_node "${ADDR[lab$n]}" "$A_DOMAIN" "version $aversion" "release $arelease"
      done
      ;;
  esac
  if [ -n "${4:-}" ]; then
    add T "$sc.$size.$tool" "$WALL"; add C "$sc.$size.$tool" "$CPU"; add M "$sc.$size.$tool" "$RSS"
  fi
}

bench_start=$EPOCHREALTIME
deadline=$(( $(date +%s) + MAX_MINUTES * 60 ))
cut_short=""
out_of_time() { [ "$(date +%s)" -lt "$deadline" ] && return 1; cut_short=1; log "MAX_MINUTES=$MAX_MINUTES reached: no more runs"; return 0; }
last() { local v="${1% }"; echo "${v##* }"; }

# ---------------------------------------------------------------------------------------------
# Setup (untimed): both apps deployed on all nodes, so no-op and new release start from a live app.
# ---------------------------------------------------------------------------------------------
if has noop || has new; then
  log "setup: first deploy of both apps on $LAB_N nodes (untimed)"
  deploy hoist setup "$LAB_N"
  aversion=1; new_release_id
  run_cmd setup-ansible env ANSIBLE_CONFIG="$afleet/tuned.cfg" ansible-playbook -i "$inventory" "$afleet/deploy.yml" \
    -l "n$LAB_N" -e "project_dir=$aproj" -e "release_id=$arelease"
  for n in $(seq "$LAB_N"); do check_node "${ADDR[lab$n]}" "$A_DOMAIN" "version $aversion" "release $arelease"; done
fi

# ---------------------------------------------------------------------------------------------
# 1. no-op converge: nothing changed (Ansible: same release id and files)
# ---------------------------------------------------------------------------------------------
if has noop; then
  log "no-op converge x$RUNS on ${SIZES[*]} nodes"
  for i in $(seq "$RUNS"); do
    out_of_time && break
    for s in "${SIZES[@]}"; do
      for tool in "${TOOLS[@]}"; do deploy "$tool" noop "$s" "$i"; done
      log "  run $i, $s nodes: hoist $(last "${T[noop.$s.hoist]}")s, ansible default $(last "${T[noop.$s.default]}")s, tuned $(last "${T[noop.$s.tuned]}")s"
    done
  done
fi

# ---------------------------------------------------------------------------------------------
# 2. new release: a changed file (hello.py's 'version N'); Ansible also gets a new release id
# ---------------------------------------------------------------------------------------------
if has new; then
  log "new-release deploy x$RUNS on ${SIZES[*]} nodes"
  for i in $(seq "$RUNS"); do
    out_of_time && break
    for s in "${SIZES[@]}"; do
      for tool in "${TOOLS[@]}"; do deploy "$tool" new "$s" "$i"; done
      log "  run $i, $s nodes: hoist $(last "${T[new.$s.hoist]}")s, ansible default $(last "${T[new.$s.default]}")s, tuned $(last "${T[new.$s.tuned]}")s"
    done
  done
fi

# ---------------------------------------------------------------------------------------------
# 4. Ansible's SSH round trips: one extra untimed -vvv run per config (no-op, new release) on all
# nodes; every "SSH: EXEC" line is one ssh session (a command, or an sftp transfer) on the node.
# ---------------------------------------------------------------------------------------------
declare -A ART   # ART[scenario.config] = "min-max"
count_execs() { # log -> "min-max" of SSH: EXEC lines per host
  grep -oE '^<10\.213\.77\.[0-9]+> SSH: EXEC' "$1" | sort | uniq -c | awk '
    { n = $1; if (min == "" || n < min) min = n; if (n > max) max = n; hosts++ }
    END { if (hosts == 0) print "n/a"; else if (min == max) print min; else print min "-" max }'
}
count_run() { # TOOL SCENARIO: one -vvv run on all nodes, then the count
  local tool=$1 sc=$2 name="count-$2-$1"
  if [ "$sc" = new ]; then aversion=$((aversion + 1)); bump "$aproj" "$aversion"; new_release_id; fi
  run_cmd "$name" env ANSIBLE_CONFIG="$afleet/$tool.cfg" ansible-playbook -vvv -i "$inventory" "$afleet/deploy.yml" \
    -l "n$LAB_N" -e "project_dir=$aproj" -e "release_id=$arelease"
  local n
  for n in $(seq "$LAB_N"); do check_node "${ADDR[lab$n]}" "$A_DOMAIN" "version $aversion" "release $arelease"; done
  ART[$sc.$tool]=$(count_execs "$tmp/logs/$name.log")
  log "  $tool, $sc: ${ART[$sc.$tool]} SSH execs per node"
}
if has noop || has new; then log "counting Ansible's SSH round trips (-vvv runs on $LAB_N nodes, untimed)"; fi
for sc in noop new; do
  has "$sc" || continue
  for tool in default tuned; do out_of_time || count_run "$tool" "$sc"; done
done

# ---------------------------------------------------------------------------------------------
# 3. first deploy: pristine nodes for every run (lab down + lab up, untimed)
# ---------------------------------------------------------------------------------------------
if has first; then
  log "first deploy x$RUNS on ${FIRST_SIZES[*]} nodes (pristine nodes each time)"
  for i in $(seq "$RUNS"); do
    out_of_time && break
    for s in "${FIRST_SIZES[@]}"; do
      for tool in "${TOOLS[@]}"; do
        lab_pristine
        deploy "$tool" first "$s" "$i"
      done
      log "  run $i, $s nodes: hoist $(last "${T[first.$s.hoist]}")s, ansible default $(last "${T[first.$s.default]}")s, tuned $(last "${T[first.$s.tuned]}")s"
    done
  done
fi
bench_secs=$(awk -v a="$bench_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
jdk=$(bash -c '. "$1/scripts/find-jdk.sh" >/dev/null 2>&1 && echo "$JAVA_HOME"' _ "$(dirname "$HOIST")" 2>/dev/null || true)
ratio() { awk -v h="$1" -v a="$2" 'BEGIN { if (h > 0 && a > 0) printf "%.1fx\n", a / h; else print "n/a" }'; }
loadstats() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "median %.1f, min %.1f, max %.1f", v[int((NR + 1) / 2)], v[1], v[NR] }'; }

report() {
  local s sc label h d t
  echo "## Fleet benchmark: hoist vs Ansible on 1, 5 and 10 lab nodes"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) CPUs ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Debian $(cat /etc/debian_version)"
  echo "- load average (1 min) when each timed command started: $(loadstats <<<"$LOADS")"
  echo "- hoist: $(ver "$HOIST" --version) (snapshot taken at the start from commit $hoist_commit, jar sha256 $jar_sha), JVM: $( [ -n "$jdk" ] && ver "$jdk/bin/java" -version || echo '?')"
  echo "- $(ver ansible-playbook --version), $(ver /usr/bin/python3 --version), $(ssh -V 2>&1 | cut -d, -f1) client; nodes: \`hoist lab\` (OpenSSH $(ssh -o BatchMode=yes -i "$lab_key" -o UserKnownHostsFile="$lab_known" -o StrictHostKeyChecking=yes root@"${ADDR[lab1]}" 'ssh -V' 2>&1 | sed 's/^OpenSSH_//; s/,.*//' || echo '?'))"
  echo "- Ansible configs: **default** = Ansible's defaults (facts gathered, no pipelining, forks=5 so 10 nodes go in two batches per task, ControlPersist=60s); **tuned** = gathering explicit (no facts), pipelining, forks=20, ControlPersist=60s"
  echo "- runs per scenario: $RUNS; benchmark time ${bench_secs}s${cut_short:+; **cut short by MAX_MINUTES=$MAX_MINUTES**}"
  echo
  echo "Wall-clock seconds, median of $RUNS runs (hoist: \`hoist deploy DIR --env nN --json\`, JVM start included; Ansible: \`ansible-playbook -l nN\`). Ratio = Ansible / hoist."
  echo
  echo "| scenario | nodes | hoist | ansible default | ansible tuned | default / hoist | tuned / hoist |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for sc in noop new first; do
    has "$sc" || continue
    case $sc in noop) label="no-op converge" ;; new) label="new release" ;; first) label="first deploy (pristine node)" ;; esac
    local sizes=("${SIZES[@]}"); [ "$sc" != first ] || sizes=("${FIRST_SIZES[@]}")
    for s in "${sizes[@]}"; do
      h=$(median <<<"${T[$sc.$s.hoist]:-}"); d=$(median <<<"${T[$sc.$s.default]:-}"); t=$(median <<<"${T[$sc.$s.tuned]:-}")
      echo "| $label | $s | $h s | $d s | $t s | $(ratio "$h" "$d") | $(ratio "$h" "$t") |"
    done
  done
  echo
  echo "All runs (s):"
  echo
  for sc in noop new first; do
    has "$sc" || continue
    local sizes=("${SIZES[@]}"); [ "$sc" != first ] || sizes=("${FIRST_SIZES[@]}")
    for s in "${sizes[@]}"; do
      echo "- $sc, $s nodes: hoist [$(runs_of "${T[$sc.$s.hoist]:-}")]; default [$(runs_of "${T[$sc.$s.default]:-}")]; tuned [$(runs_of "${T[$sc.$s.tuned]:-}")]"
    done
  done
  echo
  echo "Where hoist's wall time goes (medians): \`seconds\` of \`--json\` (the fleet's work: connect, probe, plan, apply on all nodes) and the slowest node's \`seconds\`; the rest of the wall clock is JVM start, reading hoist.yml, building the release archive, printing."
  echo
  echo "| scenario | nodes | wall | --json seconds | slowest node | wall - --json seconds |"
  echo "|---|---:|---:|---:|---:|---:|"
  for sc in noop new first; do
    has "$sc" || continue
    local sizes=("${SIZES[@]}"); [ "$sc" != first ] || sizes=("${FIRST_SIZES[@]}")
    for s in "${sizes[@]}"; do
      local w f sl
      w=$(median <<<"${T[$sc.$s.hoist]:-}"); f=$(median <<<"${HS[$sc.$s]:-}"); sl=$(median <<<"${HN[$sc.$s]:-}")
      echo "| $sc | $s | $w s | $f s | $sl s | $(awk -v a="$w" -v b="$f" 'BEGIN { if (a == "n/a" || b == "n/a") print "n/a"; else printf "%.2f s\n", a - b }') |"
    done
  done
  echo
  echo "SSH round trips per node per deploy (hoist: \`result.roundTrips\` of \`--json\`, i.e. agent runs, each one exec channel; Ansible: \`SSH: EXEC\` lines per host in one extra \`-vvv\` run on $LAB_N nodes, each one ssh session on the ControlMaster connection: a command or an sftp transfer):"
  echo
  echo "| deploy | hoist | ansible default | ansible tuned |"
  echo "|---|---:|---:|---:|"
  local rts
  for sc in noop new first; do
    has "$sc" || continue
    rts=$(tr ' ' '\n' <<<"${RT[$sc.hoist]:-}" | grep -v '^$' | sort -u | tr '\n' ' ' | sed 's/ $//; s/ /, /g')
    if [ "$sc" = first ]; then
      echo "| first deploy | ${rts:-n/a} | not counted | not counted |"
    else
      echo "| $( [ "$sc" = noop ] && echo no-op || echo 'new release') | ${rts:-n/a} | ${ART[$sc.default]:-n/a} | ${ART[$sc.tuned]:-n/a} |"
    fi
  done
  echo
  echo "(hoist's column: every distinct per-node count seen over its runs, as min-max per deploy where nodes differed.)"
  echo
  echo "Admin-process cost on $LAB_N nodes, medians (\`/usr/bin/time -f '%U %S %M'\` around the command): CPU = user + sys seconds of the whole process tree that was waited for; max RSS = the largest single process in that tree (getrusage RUSAGE_CHILDREN reports the maximum of its descendants, not their sum). Ansible's ControlPersist ssh masters detach and are not counted; the nodes' own CPU is not counted for either tool."
  echo
  echo "| scenario | hoist CPU | ansible default CPU | ansible tuned CPU | hoist max RSS | default max RSS | tuned max RSS |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  mib() { awk -v k="$1" 'BEGIN { if (k == "n/a") print "n/a"; else printf "%.0f MiB\n", k / 1024 }'; }
  for sc in noop new first; do
    has "$sc" || continue
    echo "| $sc | $(median <<<"${C[$sc.$LAB_N.hoist]:-}") s | $(median <<<"${C[$sc.$LAB_N.default]:-}") s | $(median <<<"${C[$sc.$LAB_N.tuned]:-}") s | $(mib "$(median <<<"${M[$sc.$LAB_N.hoist]:-}")") | $(mib "$(median <<<"${M[$sc.$LAB_N.default]:-}")") | $(mib "$(median <<<"${M[$sc.$LAB_N.tuned]:-}")") |"
  done
  echo
  echo "Targets (from the issue), hoist medians:"
  echo
  echo "| target | measured | |"
  echo "|---|---:|---|"
  local n1 n10 lim rtmax
  if has noop; then
    n1=$(median <<<"${T[noop.1.hoist]:-}"); n10=$(median <<<"${T[noop.$LAB_N.hoist]:-}")
    echo "| no-op on 10 nodes ≤ 1.0 s wall (JVM included) | $n10 s | $(met "$n10" 1.0) |"
    lim=$(awk -v a="$n1" 'BEGIN { if (a == "n/a") print "n/a"; else printf "%.2f", 1.5 * a }')
    echo "| no-op on 10 nodes ≤ 1.5 × no-op on 1 node ($n1 s × 1.5 = $lim s) | $n10 s | $(met "$n10" "$lim") |"
    rtmax=$(tr ' -' '\n\n' <<<"${RT[noop.hoist]:-}" | grep -v '^$' | sort -g | tail -n 1)
    echo "| ≤ 2 SSH round trips per node for a no-op | max ${rtmax:-n/a} | $(met "${rtmax:-n/a}" 2) |"
  fi
  if has new; then
    n10=$(median <<<"${T[new.$LAB_N.hoist]:-}")
    echo "| new release on 10 nodes ≤ 3 s | $n10 s | $(met "$n10" 3) |"
  fi
  if has first; then
    n10=$(median <<<"${T[first.$LAB_N.hoist]:-}")
    echo "| first deploy on 10 nodes ≤ 15 s | $n10 s | $(met "$n10" 15) |"
  fi
  if [ "$STALE" -gt 0 ]; then
    echo
    echo "Note: $STALE node checks saw the expected version only on a retry (within 3 s) after the deploy returned; see the log."
  fi
}
if [ -n "${OUT:-}" ]; then report | tee "$OUT"; else report; fi
