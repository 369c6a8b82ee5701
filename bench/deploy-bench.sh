#!/usr/bin/env bash
# Benchmarks `hoist deploy` side by side with an equivalent Ansible playbook (bench/ansible) on this
# machine, and prints markdown tables. Needs root, nginx under runit (/etc/service/nginx), wrk and
# ansible-playbook. See bench/README.md.
#
#   RUNS=5 bash bench/deploy-bench.sh            # medians of RUNS runs per scenario (default 5)
#
# Environment:
#   RUNS=N         runs per scenario (default 5); LOAD_RUNS=N for the under-load scenarios (default RUNS)
#   HOIST=PATH     the hoist launcher to time (default: a snapshot of ./hoist + target/hoist.jar, see below)
#   KEEP_APPS=1    leave benchhello and ansihello deployed at the end (default: remove them)
#   OUT=FILE       also write the report (tables) to FILE
#
# It deploys two apps of its own, benchhello (hoist) and ansihello (Ansible), removes and redeploys
# them, and never touches any other app. Load goes to 127.0.0.1 only, a few seconds at a time.
set -euo pipefail

RUNS=${RUNS:-5}
LOAD_RUNS=${LOAD_RUNS:-$RUNS}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

H_APP=benchhello   H_DOMAIN=benchhello.test   H_SVC=hoist-benchhello
A_APP=ansihello    A_DOMAIN=ansihello.test    A_SVC=ansihello

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it deploys to /srv, /etc/sv and /etc/nginx)"
[[ "$RUNS" =~ ^[1-9][0-9]*$ && "$LOAD_RUNS" =~ ^[0-9]+$ ]] || die "RUNS and LOAD_RUNS must be numbers"
for c in wrk ansible-playbook sv curl nginx /usr/bin/python3 awk runuser; do
  command -v "$c" >/dev/null || die "$c is not installed"
done
sv status /etc/service/nginx 2>/dev/null | grep -q '^run:' || die "nginx is not running under runit (/etc/service/nginx); deploy any app with hoist first"

tmp=$(mktemp -d /tmp/hoist-bench.XXXXXX)
wrk_pid=""
finish() {
  local rc=$?
  if [ -n "$wrk_pid" ] && kill -0 "$wrk_pid" 2>/dev/null; then kill -INT "$wrk_pid" 2>/dev/null || true; fi
  if [ "${KEEP_APPS:-0}" != 1 ] && [ -n "${cleanup_at_exit:-}" ]; then
    clean_hoist || true
    clean_ansible || true
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# Cleanup: remove one app's state completely so the next deploy is a first deploy.
# ---------------------------------------------------------------------------------------------
clean_hoist() {
  stop_runit_service "$H_SVC"
  rm -rf "/etc/sv/$H_SVC" "/srv/$H_APP" "/run/$H_SVC" "/var/log/hoist/$H_APP" \
         "/etc/nginx/sites-enabled/$H_SVC.conf"
  sv hup /etc/service/nginx >/dev/null
  remove_user "$H_APP"
}

clean_ansible() {
  stop_runit_service "$A_SVC"
  rm -rf "/etc/sv/$A_SVC" "/srv/$A_APP" "/run/$A_APP" "/var/log/$A_APP" \
         "/etc/nginx/sites-enabled/$A_SVC.conf"
  sv hup /etc/service/nginx >/dev/null
  remove_user "$A_APP"
}

# ---------------------------------------------------------------------------------------------
# The tools
# ---------------------------------------------------------------------------------------------
proj="$tmp/$H_APP"                 # one copy of examples/hello, deployed by both tools
cp -r "$repo/examples/hello" "$proj"
sed -i "s/^app: .*/app: $H_APP/; s/^domain: .*/domain: $H_DOMAIN/" "$proj/hoist.yml"
grep -q "^app: $H_APP$" "$proj/hoist.yml" && grep -q "^domain: $H_DOMAIN$" "$proj/hoist.yml" \
  || die "could not rename the app in $proj/hoist.yml"
grep -q 'version [0-9]' "$proj/hello.py" || die "no 'version N' in examples/hello/hello.py"

# The hoist launcher rebuilds the jar whenever a source file is newer than it. Others may be editing
# src/ while this runs, so time a snapshot: the launcher and what it uses (scripts/, examples/) and
# target/hoist.jar, copied (mtimes kept) where there are no sources to rebuild from.
. "$here/common.sh"
hoist_snapshot "$tmp/hoist"
export ANSIBLE_CONFIG="$here/ansible/ansible.cfg"
export ANSIBLE_NOCOLOR=1
playbook=(ansible-playbook -i "$here/ansible/inventory.ini" "$here/ansible/deploy.yml" -e "project_dir=$proj")
ansible-playbook --syntax-check "${playbook[@]:1}" >/dev/null || die "the playbook does not parse"

release_seq=0
ans_release=""
new_release_id() { release_seq=$((release_seq + 1)); ans_release=$(printf '%s-%03d' "$(date -u +%Y%m%dT%H%M%SZ)" "$release_seq"); }

version=1
bump_version() {
  version=$((version + 1))
  sed -i "s/version [0-9][0-9]*/version $version/" "$proj/hello.py"
}

failures=0
mkdir -p "$tmp/logs"
# timed NAME CMD...: runs CMD (output to a log), sets TIME to its wall-clock seconds; a failed CMD
# counts as a failure (reported at the end, exit status 1).
TIME=""
timed() {
  local name=$1; shift
  local logf="$tmp/logs/$name.log" t0 t1 rc=0
  t0=$EPOCHREALTIME
  "$@" >"$logf" 2>&1 || rc=$?
  t1=$EPOCHREALTIME
  if [ "$rc" != 0 ]; then
    failures=$((failures + 1))
    log "FAILED ($rc): $*"
    tail -n 15 "$logf" | sed 's/^/    /' >&2
  fi
  TIME=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
}
hoist_deploy() { "$HOIST" deploy "$proj"; }
ansible_deploy() { "${playbook[@]}" -e "release_id=$ans_release"; }

ratio() { awk -v h="$1" -v a="$2" 'BEGIN { if (h > 0) printf "%.1fx\n", a / h; else print "n/a" }'; }

declare -A T   # T[scenario.tool] = "t1 t2 ..."
add() { T[$1]="${T[$1]:-} $2"; }

check_live() { # $1 = domain, $2 = expected text: the app answers through nginx
  local body
  body=$(curl -s --max-time 5 -H "Host: $1" http://127.0.0.1/ || true)
  if ! grep -q "$2" <<<"$body"; then
    failures=$((failures + 1))
    log "FAILED: $1 answers '$(head -c 120 <<<"$body" | tr '\n' ' ')', expected '$2'"
  fi
}

# ---------------------------------------------------------------------------------------------
# 1. first deploy (packages installed, nginx running, no trace of the app)
# ---------------------------------------------------------------------------------------------
cleanup_at_exit=1
bench_start=$EPOCHREALTIME
log "first deploy x$RUNS"
for i in $(seq "$RUNS"); do
  clean_hoist
  timed "first-hoist-$i" hoist_deploy; add first.hoist "$TIME"
  check_live "$H_DOMAIN" "version $version"
  clean_ansible
  new_release_id
  timed "first-ansible-$i" ansible_deploy; add first.ansible "$TIME"
  check_live "$A_DOMAIN" "release $ans_release"
  log "  run $i: hoist ${T[first.hoist]##* }s, ansible ${T[first.ansible]##* }s"
done

# ---------------------------------------------------------------------------------------------
# 2. no-op redeploy (nothing changed: same project, same release id for Ansible)
# ---------------------------------------------------------------------------------------------
log "no-op redeploy x$RUNS"
for i in $(seq "$RUNS"); do
  timed "noop-hoist-$i" hoist_deploy; add noop.hoist "$TIME"
  timed "noop-ansible-$i" ansible_deploy; add noop.ansible "$TIME"
  log "  run $i: hoist ${T[noop.hoist]##* }s, ansible ${T[noop.ansible]##* }s"
done
grep -h 'changed=' "$tmp"/logs/noop-ansible-*.log | grep -vq 'changed=0 ' \
  && log "warning: an Ansible no-op run reported changes"

# ---------------------------------------------------------------------------------------------
# 3. new release (hello.py's 'version N' bumped; a new release id for Ansible)
# ---------------------------------------------------------------------------------------------
log "new-release deploy x$RUNS"
for i in $(seq "$RUNS"); do
  bump_version
  timed "new-hoist-$i" hoist_deploy; add new.hoist "$TIME"
  check_live "$H_DOMAIN" "version $version"
  new_release_id
  timed "new-ansible-$i" ansible_deploy; add new.ansible "$TIME"
  check_live "$A_DOMAIN" "release $ans_release"
  log "  run $i: hoist ${T[new.hoist]##* }s, ansible ${T[new.ansible]##* }s"
done

# ---------------------------------------------------------------------------------------------
# 4. under load: wrk from ~1 s before the deploy until ~1 s after it
# ---------------------------------------------------------------------------------------------
declare -A L   # L[tool.field] = "v1 v2 ..." ; fields: req failed p99
to_ms() { awk -v v="$1" 'BEGIN {
  n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
  if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
  printf "%.1f\n", n }'; }

wait_healthy() { # $1 = domain: until /healthz answers ok through nginx (at most 30 s)
  local i
  for i in $(seq 300); do
    curl -s --max-time 1 -H "Host: $1" http://127.0.0.1/healthz 2>/dev/null | grep -q ok && return 0
    sleep 0.1
  done
  return 1
}
naive_restart() { sv restart "/etc/service/$H_SVC" && wait_healthy "$H_DOMAIN"; }
idle() { sleep 1; }

# under_load TOOL DOMAIN CMD...: wrk on DOMAIN; CMD starts 1 s in; wrk stops 1 s after CMD ends.
under_load() {
  local tool=$1 domain=$2; shift 2
  local out="$tmp/logs/wrk-$tool-$(date +%s%N).txt"
  wrk -t2 -c16 -d120s -H "Host: $domain" --latency http://127.0.0.1/ >"$out" 2>&1 &
  wrk_pid=$!
  sleep 1
  timed "load-$tool" "$@"; local t=$TIME
  sleep 1
  kill -INT "$wrk_pid"; wait "$wrk_pid" || true; wrk_pid=""
  local req non2xx sock p99
  req=$(awk '/requests in/ { print $1 }' "$out")
  non2xx=$(awk -F: '/Non-2xx or 3xx responses/ { gsub(/ /, "", $2); print $2 }' "$out")
  sock=$(awk '/Socket errors/ { n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i + 0; print n }' "$out")
  p99=$(awk '$1 == "99%" { print $2 }' "$out")
  [ -n "$req" ] && [ -n "$p99" ] || { cat "$out" >&2; die "cannot read wrk's output"; }
  L[$tool.req]="${L[$tool.req]:-} $req"
  L[$tool.failed]="${L[$tool.failed]:-} $(( ${non2xx:-0} + ${sock:-0} ))"
  L[$tool.p99]="${L[$tool.p99]:-} $(to_ms "$p99")"
  L[$tool.time]="${L[$tool.time]:-} $t"
  log "  $tool: $req requests, $(( ${non2xx:-0} + ${sock:-0} )) failed (non-2xx ${non2xx:-0}, socket errors ${sock:-0}), p99 $p99, action ${t}s"
}

load_tools=(none hoist ansible restart)
if [ "$LOAD_RUNS" -gt 0 ]; then
  log "new release under load (wrk -t2 -c16) x$LOAD_RUNS"
  for i in $(seq "$LOAD_RUNS"); do
    under_load none "$H_DOMAIN" idle
    bump_version
    under_load hoist "$H_DOMAIN" hoist_deploy
    check_live "$H_DOMAIN" "version $version"
    new_release_id
    under_load ansible "$A_DOMAIN" ansible_deploy
    check_live "$A_DOMAIN" "release $ans_release"
    under_load restart "$H_DOMAIN" naive_restart
  done
fi
bench_secs=$(awk -v a="$bench_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
# The JDK the launcher picks (it sources scripts/find-jdk.sh, which sets JAVA_HOME).
jdk=$(bash -c '. "$1/scripts/find-jdk.sh" >/dev/null 2>&1 && echo "$JAVA_HOME"' _ "$(dirname "$HOIST")" 2>/dev/null || true)
report() {
  echo "## Deploy benchmark: hoist vs Ansible"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) CPUs ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Debian $(cat /etc/debian_version)"
  echo "- hoist: $(ver "$HOIST" --version) (commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?'), jar sha256 $(sha256sum "$(dirname "$HOIST")/target/hoist.jar" 2>/dev/null | cut -c1-12 || echo '?')), JVM: $( [ -n "$jdk" ] && ver "$jdk/bin/java" -version || echo '?')"
  echo "- $(ver ansible-playbook --version | sed 's/^ansible-playbook/ansible-playbook/'), $(ver /usr/bin/python3 --version)"
  echo "- nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), gunicorn $(/usr/bin/python3 -c 'import gunicorn; print(gunicorn.__version__)' 2>/dev/null), runit $(dpkg-query -W -f '${Version}' runit 2>/dev/null), $(wrk -v 2>&1 | head -n 1 | awk '{ print $1, $2 }')"
  echo "- runs per scenario: $RUNS (under load: $LOAD_RUNS); benchmark time ${bench_secs}s"
  echo
  echo "Wall-clock seconds, median of $RUNS runs (hoist: \`hoist deploy DIR\` incl. JVM start; Ansible: \`ansible-playbook\`)."
  echo
  echo "| scenario | hoist median | ansible median | ratio (ansible / hoist) |"
  echo "|---|---:|---:|---:|"
  local s label h a
  for s in first noop new; do
    case $s in
      first) label="first deploy (packages installed)" ;;
      noop) label="no-op redeploy" ;;
      new) label="new release" ;;
    esac
    h=$(median <<<"${T[$s.hoist]}"); a=$(median <<<"${T[$s.ansible]}")
    echo "| $label | ${h} s | ${a} s | $(ratio "$h" "$a") |"
  done
  echo
  echo "all runs (s): first hoist [${T[first.hoist]# }], ansible [${T[first.ansible]# }]; no-op hoist [${T[noop.hoist]# }], ansible [${T[noop.ansible]# }]; new hoist [${T[new.hoist]# }], ansible [${T[new.ansible]# }]"
  if [ "$LOAD_RUNS" -gt 0 ]; then
    echo
    echo "Under load: \`wrk -t2 -c16 --latency\` on the app through nginx, from ~1 s before to ~1 s after the action;"
    echo "failed = non-2xx responses + socket errors. Medians of $LOAD_RUNS runs, with failed per run in brackets."
    echo
    echo "| tool (action under load) | requests | failed | p99 | action time |"
    echo "|---|---:|---:|---:|---:|"
    local tool
    for tool in "${load_tools[@]}"; do
      case $tool in
        none) label="none (no deploy, control)" ;;
        hoist) label="hoist (new release)" ;;
        ansible) label="ansible (new release)" ;;
        restart) label="naive restart (\`sv restart\`, then wait healthy)" ;;
      esac
      printf '| %s | %.0f | %.0f [%s] | %s ms | %s s |\n' "$label" "$(median <<<"${L[$tool.req]}")" \
        "$(median <<<"${L[$tool.failed]}")" "$(echo ${L[$tool.failed]} | tr ' ' ',')" \
        "$(median <<<"${L[$tool.p99]}")" "$(median <<<"${L[$tool.time]}")"
    done
  fi
  if [ "$failures" -gt 0 ]; then
    echo
    echo "**$failures deploy(s) or checks FAILED during this run; see the log above.**"
  fi
}
if [ -n "${OUT:-}" ]; then report | tee "$OUT"; else report; fi

[ "$failures" -eq 0 ] || exit 1
