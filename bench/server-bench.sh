#!/usr/bin/env bash
# Measures `hoist server` (issue 11's figures): the time from an accepted webhook (the 202) to the
# pushed commit serving, on this machine and on 3 lab nodes behind HAProxy, split into the API's
# fetch, build and deploy phases; the webhooks per second it verifies and answers, idle and while a
# deploy runs; its resident memory idle and during deploys (and the child deploy JVM's); and
# `hoist deploy`'s no-op time with the jar from before the server work against the current one,
# side by side. Prints markdown tables. See bench/README.md, "Push to deploy (`server-bench.sh`)".
#
#   flock /work/it.lock bash bench/server-bench.sh            # needs root; ~15 min
#   RUNS=1 NOOP_RUNS=3 LAB=0 flock /work/it.lock bash bench/server-bench.sh   # a quick check
#
# Environment:
#   RUNS=N          timed pushes per place (this machine, the lab), default 5
#   NOOP_RUNS=N     no-op deploys per jar, default 9 (the jars alternate, the first one alternating)
#   HOOK_RUNS=N     webhook-load rounds, default 3 (each: idle and during a deploy, new ids and replays)
#   HOOK_SECONDS=S  length of one webhook load, default 3
#   HOOK_CONNS=C    client connections of the webhook load (wrk -t2 -cC), default 8
#   BEFORE=REV      the "before" jar's commit, default 23e83eb (the last one before server.*)
#   LAB=0           skip the 3 lab nodes (part 2)
#   HOIST=PATH      the hoist launcher to time (default: a snapshot of ./hoist + target/hoist.jar)
#   BEFORE_HOIST=PATH  the "before" launcher (default: BEFORE's jar, built here in a temp worktree)
#   OUT=FILE        also write the report to FILE
#   KEEP_TMP=1      keep the temp dir (logs, samples) at the end
#   DEPLOY_TIMEOUT=S  a push that does not serve within S seconds fails the script (default 300)
#
# It owns this machine's bench apps (srvbench, srvbold, srvbnew) and the lab while it runs:
# `hoist lab down` + `hoist lab up 4` (lab1 = HAProxy, lab2-4 = web nodes) and `hoist lab down` at
# the end. The server runs as root, as the ITs' does, so it builds as the `hoist` user (made here
# if missing, as ServerApiIT does). Traffic goes to 127.0.0.1 and 10.213.77.0/24 only.
set -euo pipefail

RUNS=${RUNS:-5}
NOOP_RUNS=${NOOP_RUNS:-9}
HOOK_RUNS=${HOOK_RUNS:-3}
HOOK_SECONDS=${HOOK_SECONDS:-3}
HOOK_CONNS=${HOOK_CONNS:-8}
BEFORE=${BEFORE:-23e83eb}
LAB=${LAB:-1}
DEPLOY_TIMEOUT=${DEPLOY_TIMEOUT:-300}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

APP=srvbench DOMAIN=srvbench.test
LAB_APP=srvlab LAB_DOMAIN=srvlab.test
LAB_N=4
WEBS=(lab2 lab3 lab4)
SECRET="server-bench webhook secret"
OCTOKIT="$repo/src/test/resources/dev/hoist/server/hooks/octokit/push-with-new-branch.json"
OCTOKIT_HEAD=6113728f27ae82c7b1a177c8d03f9e96e0adf246
# The installed server's JVM flags (server.install.InstallLayout's launcher).
SERVER_FLAGS=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1)

log() { printf '[server-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (deploys and the lab need it)"
for v in RUNS NOOP_RUNS HOOK_RUNS HOOK_SECONDS HOOK_CONNS DEPLOY_TIMEOUT; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive number"
done
[ "$RUNS" -le 20 ] && [ "$NOOP_RUNS" -le 30 ] && [ "$HOOK_RUNS" -le 10 ] && [ "$HOOK_SECONDS" -le 30 ] \
  && [ "$HOOK_CONNS" -le 64 ] || die "RUNS ≤ 20, NOOP_RUNS ≤ 30, HOOK_RUNS ≤ 10, HOOK_SECONDS ≤ 30, HOOK_CONNS ≤ 64"
for c in git mvn curl wrk openssl python3 timeout awk ssh; do command -v "$c" >/dev/null || die "$c is not installed"; done
[ -f "$OCTOKIT" ] || die "no $OCTOKIT"

tmp=$(mktemp -d /tmp/hoist-server-bench.XXXXXX)
mkdir -p "$tmp/logs"
server_pid="" sampler_pid="" wrk_pid="" lab_touched=""
finish() {
  local rc=$?
  local p
  for p in "$wrk_pid" "$sampler_pid"; do
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then kill "$p" 2>/dev/null || true; fi
  done
  stop_server
  if [ -n "$lab_touched" ]; then
    log "hoist lab down"
    timeout 120 "$HOIST" lab down >/dev/null 2>&1 || log "warning: hoist lab down failed"
  fi
  if [ -n "${HOIST:-}" ]; then for p in "$APP" srvbold srvbnew; do remove_local_app "$p"; done; fi
  git -C "$repo" worktree remove --force "$tmp/before-src" >/dev/null 2>&1 || true
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "logs kept in $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
stop_server() { # SIGTERM, as systemd stops it; SIGKILL after 60 s
  [ -n "$server_pid" ] || return 0
  if kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    local i
    for i in $(seq 600); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$server_pid" 2>/dev/null && { log "warning: the server ignored SIGTERM for 60 s; SIGKILL"; kill -9 "$server_pid" 2>/dev/null || true; }
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
trap finish EXIT
trap 'exit 130' INT TERM

. "$here/common.sh"
. "$repo/scripts/find-jdk.sh" >/dev/null
jdk=$JAVA_HOME
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
bench_start=$EPOCHREALTIME
started_at=$(date -u '+%Y-%m-%d %H:%M UTC')

# ---------------------------------------------------------------------------------------------
# The jars: "after" = a snapshot of ./hoist + target/hoist.jar (also the server's jar); "before" =
# BEFORE built in a temporary worktree.
# ---------------------------------------------------------------------------------------------
hoist_snapshot "$tmp/after"
AFTER_HOIST=$HOIST
jar="$(dirname "$HOIST")/target/hoist.jar"
before_commit=$(git -C "$repo" rev-parse --short "$BEFORE" 2>/dev/null) || die "no commit $BEFORE"
if [ -n "${BEFORE_HOIST:-}" ]; then
  log "before: timing $BEFORE_HOIST (said to be $before_commit)"
else
  log "building the jar of $before_commit (before the server work) in a temporary worktree"
  git -C "$repo" worktree add --detach "$tmp/before-src" "$BEFORE" >/dev/null 2>&1 || die "cannot check out $BEFORE"
  (cd "$tmp/before-src" && timeout 900 mvn -B -q -ntp -DskipTests package >"$tmp/before-build.log" 2>&1) \
    || { tail -n 30 "$tmp/before-build.log" >&2; die "the jar of $BEFORE does not build"; }
  mkdir -p "$tmp/before/target"
  # The launcher trains its class-data cache on examples/hello: both jars get theirs.
  cp -a "$tmp/before-src/hoist" "$tmp/before-src/scripts" "$tmp/before-src/examples" "$tmp/before/"
  cp -a "$tmp/before-src/target/hoist.jar" "$tmp/before/target/"
  BEFORE_HOIST="$tmp/before/hoist"
  git -C "$repo" worktree remove --force "$tmp/before-src" >/dev/null 2>&1 || true
fi
"$BEFORE_HOIST" --version >/dev/null 2>&1 || die "the before jar does not start"

# The server builds as the 'hoist' user when it runs as root ('hoist server install' makes it).
if ! id -u hoist >/dev/null 2>&1; then
  log "making the system user 'hoist' (the root-run server builds as it)"
  useradd --system --user-group --home-dir /nonexistent --shell /usr/sbin/nologin hoist
fi

# ---------------------------------------------------------------------------------------------
# The projects: git repositories the server fetches from (local paths), one per place.
# ---------------------------------------------------------------------------------------------
git_in() { git -C "$1" -c user.name=Bench -c user.email=bench@example.com "${@:2}"; }
new_repo() { # DIR APP DOMAIN
  hello_project "$1" "$2" "$3"
  git_in "$1" init -q -b main
  git_in "$1" add -A
  git_in "$1" commit -q -m "version 1"
}
new_repo "$tmp/repo-local" "$APP" "$DOMAIN"
# The CLI's apps: srvbnew for the control in part 1 and the "after" no-ops, srvbold for "before".
hello_project "$tmp/srvbold" srvbold srvbold.test
hello_project "$tmp/srvbnew" srvbnew srvbnew.test
mkdir -p "$tmp/server"
printf '%s\n' "$SECRET" >"$tmp/server/hook.secret"
chmod 600 "$tmp/server/hook.secret"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
{
  echo "listen: 127.0.0.1:$port"
  echo "data: data"
  echo "projects:"
  echo "  local: {repo: $tmp/repo-local, branch: main, secret_file: $tmp/server/hook.secret}"
  echo "  lab: {repo: $tmp/repo-lab, branch: main, env: live, secret_file: $tmp/server/hook.secret}"
} >"$tmp/server/server.yml"
base="http://127.0.0.1:$port"
token() { "$AFTER_HOIST" server token create "$1" --scope read --config "$tmp/server/server.yml" 2>>"$tmp/logs/token.err"; }
READ=$(token bench) || { cat "$tmp/logs/token.err" >&2; die "hoist server token create failed"; }

# ---------------------------------------------------------------------------------------------
# The server, started as the installed launcher starts it, and its memory sampled every 0.1 s.
# ---------------------------------------------------------------------------------------------
log "starting hoist server on $base"
(cd "$tmp/server" && exec "$jdk/bin/java" "${SERVER_FLAGS[@]}" -jar "$jar" server --config "$tmp/server/server.yml") \
  >/dev/null 2>"$tmp/server/server.err" &
server_pid=$!
for i in $(seq 600); do
  grep -q "listening on $base" "$tmp/server/server.err" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server/server.err" >&2; die "hoist server exited"; }
  [ "$i" -lt 600 ] || die "hoist server did not listen within 60 s"
  sleep 0.1
done

# One line per 0.1 s: epoch, the server's VmRSS and VmHWM (KiB), the largest VmRSS and VmHWM of its
# child JVMs (the deploy's `hoist deploy`; 0 when none). Stops with the server, at most 2 h.
sample_memory() {
  local pid=$1 i k v rss hwm crss chwm c
  for ((i = 0; i < 72000; i++)); do
    rss="" hwm=""
    { while read -r k v _; do case $k in VmRSS:) rss=$v ;; VmHWM:) hwm=$v ;; esac; done </proc/"$pid"/status; } 2>/dev/null || break
    [ -n "$rss" ] || break
    crss=0 chwm=0
    for c in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
      [ "$(cat /proc/"$c"/comm 2>/dev/null)" = java ] || continue
      { while read -r k v _; do
          case $k in VmRSS:) [ "$v" -le "$crss" ] || crss=$v ;; VmHWM:) [ "$v" -le "$chwm" ] || chwm=$v ;; esac
        done </proc/"$c"/status; } 2>/dev/null || true
    done
    echo "$EPOCHREALTIME $rss $hwm $crss $chwm"
    sleep 0.1
  done
}
sample_memory "$server_pid" >"$tmp/memory.samples" &
sampler_pid=$!
sleep 5 # idle: started, nothing asked of it yet
read -r _ idle_rss idle_hwm _ _ < <(tail -n 1 "$tmp/memory.samples")

# ---------------------------------------------------------------------------------------------
# Pushes: a new commit (version N+1 in hello.py), GitHub's documented push example pointed at it,
# signed with the project's secret, sent to /hooks/<project>.
# ---------------------------------------------------------------------------------------------
sign() { openssl dgst -sha256 -hmac "$SECRET" -r <"$1" | cut -d' ' -f1; }
payload() { # BRANCH COMMIT FILE: the octokit push example on BRANCH at COMMIT
  sed "s#refs/heads/master#refs/heads/$1#g; s/$OCTOKIT_HEAD/$2/g" "$OCTOKIT" >"$3"
}
hook() { # PROJECT FILE DELIVERY: prints the status code; the body goes to $tmp/answer
  curl -sS --max-time 30 -o "$tmp/answer" -w '%{http_code}' -H 'X-GitHub-Event: push' -H "X-GitHub-Delivery: $3" \
    -H "X-Hub-Signature-256: sha256=$(sign "$2")" -H 'Content-Type: application/json' --data-binary @"$2" "$base/hooks/$1"
}
declare -A VERSION
VERSION[local]=1 VERSION[lab]=1
# push PROJECT: commits version N+1 and sends its webhook; sets DEPLOY_ID, T_ACCEPT (epoch of the 202).
push() {
  local project=$1 dir="$tmp/repo-$1" v code commit
  v=$((VERSION[$project] + 1))
  sed -i "s/version [0-9][0-9]*/version $v/" "$dir/hello.py"
  git_in "$dir" commit -q -am "version $v"
  commit=$(git -C "$dir" rev-parse HEAD)
  payload main "$commit" "$tmp/push.json"
  code=$(hook "$project" "$tmp/push.json" "push-$project-$v-$RANDOM") || die "the webhook to $project was not answered"
  T_ACCEPT=$EPOCHREALTIME
  [ "$code" = 202 ] || die "push of version $v to $project: HTTP $code $(head -c 300 "$tmp/answer")"
  DEPLOY_ID=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/answer") \
    || die "the 202 has no deploy id: $(head -c 300 "$tmp/answer")"
  VERSION[$project]=$v
}
# serves HOST_ADDRESS DOMAIN VERSION: the app at that address answers version VERSION
serves() { curl -s --max-time 2 -H "Host: $2" "http://$1/" 2>/dev/null | grep -qx "Hello from hoist! version $3"; }
# wait_serving VERSION DOMAIN ADDRESS...: polls (every 0.05 s) until every address serves VERSION;
# prints the seconds from T_ACCEPT to the first address serving it and to the last.
wait_serving() {
  local v=$1 domain=$2 a first="" t deadline
  shift 2
  local -A seen=()
  deadline=$(awk -v a="$T_ACCEPT" -v s="$DEPLOY_TIMEOUT" 'BEGIN { printf "%d", a + s }')
  while [ "${#seen[@]}" -lt $# ]; do
    for a in "$@"; do
      [ -z "${seen[$a]:-}" ] || continue
      if serves "$a" "$domain" "$v"; then
        t=$EPOCHREALTIME; seen[$a]=$t; [ -n "$first" ] || first=$t
      fi
    done
    [ "${#seen[@]}" -lt $# ] || break
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
  awk -v a="$T_ACCEPT" -v f="$first" -v l="$t" 'BEGIN { printf "%.2f %.2f\n", f - a, l - a }'
}
# finished ID: polls the API (every 0.2 s) until the deploy ended; its JSON goes to logs/deploy-ID.json
finished() {
  local id=$1 i status
  for i in $(seq $((DEPLOY_TIMEOUT * 5))); do
    curl -sS --max-time 10 -H "Authorization: Bearer $READ" "$base/api/deploys/$id" >"$tmp/logs/deploy-$id.json" 2>/dev/null || true
    status=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["status"])' "$tmp/logs/deploy-$id.json" 2>/dev/null || echo '?')
    case $status in queued|running|'?') sleep 0.2 ;; *) echo "$status"; return 0 ;; esac
  done
  echo timeout
}
# phases ID: "seconds from T_ACCEPT to the API's finish, queued->started, fetch, build, deploy" (s)
phases() {
  python3 - "$tmp/logs/deploy-$1.json" "$T_ACCEPT" <<'EOF'
import json, sys
from datetime import datetime
d = json.load(open(sys.argv[1])); accept = float(sys.argv[2])
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
p = d["phases"]
sec = lambda ms: "%.2f" % (ms / 1000) if ms is not None else "n/a"
print("%.2f" % (t(d["finished_at"]) - accept), "%.2f" % (t(d["started_at"]) - t(d["queued_at"])),
      sec(p["fetch_ms"]), sec(p["build_ms"]), sec(p["deploy_ms"]))
EOF
}
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
# peak_memory FROM TO: the server's largest VmRSS and the child JVMs' largest VmHWM (KiB) in the window
peak_memory() {
  awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b { if ($2 > r) r = $2; if ($5 > c) c = $5 } END { print r + 0, c + 0 }' "$tmp/memory.samples"
}
# One timed push: PROJECT DOMAIN ADDRESS...; appends a row to RAW_<project> and the lists.
declare -A SERVE FIRST DONE WAIT FETCH BUILD DEPLOY PEAK CHILD
add() { local -n arr=$1; arr[$2]="${arr[$2]:-} $3"; }
timed_push() {
  local project=$1 domain=$2 run=$3 s first last status done wait fetch build deploy peak child t_end
  shift 3
  push "$project"
  s=$(wait_serving "${VERSION[$project]}" "$domain" "$@") || die "$project: version ${VERSION[$project]} not served within $DEPLOY_TIMEOUT s of the 202"
  read -r first last <<<"$s"
  status=$(finished "$DEPLOY_ID")
  t_end=$EPOCHREALTIME
  [ "$status" = succeeded ] || { tail -n 30 "$tmp/server/server.err" >&2; die "$project: deploy $DEPLOY_ID $status"; }
  read -r done wait fetch build deploy <<<"$(phases "$DEPLOY_ID")"
  read -r peak child <<<"$(peak_memory "$T_ACCEPT" "$t_end")"
  [ "$run" = warm-up ] && { log "  $project warm-up (deploy $DEPLOY_ID): serving after $last s"; return 0; }
  add SERVE "$project" "$last"; add FIRST "$project" "$first"; add DONE "$project" "$done"; add WAIT "$project" "$wait"
  add FETCH "$project" "$fetch"; add BUILD "$project" "$build"; add DEPLOY "$project" "$deploy"
  add PEAK "$project" "$peak"; add CHILD "$project" "$child"
  local -n raw="RAW_$project"
  raw="${raw}| $run | ${VERSION[$project]} | $first | $last | $done | $wait | $fetch | $build | $deploy | $(mib "$peak") | $(mib "$child") |"$'\n'
  log "  $project run $run (deploy $DEPLOY_ID, version ${VERSION[$project]}): serving after $last s (first node $first s); API: finished +$done s, fetch $fetch, build $build, deploy $deploy"
}
RAW_local="" RAW_lab=""
# The control: `hoist deploy DIR --json` (the launcher, as a user runs it) of a new release of
# srvbnew, right after each timed push; seconds of the command and from its start to serving.
declare -A CLI
cli_new_release() {
  local v t0 t1 out="$tmp/logs/cli-$RANDOM"
  v=$(($(sed -n 's/.*version \([0-9][0-9]*\).*/\1/p' "$tmp/srvbnew/hello.py" | head -n 1) + 1))
  sed -i "s/version [0-9][0-9]*/version $v/" "$tmp/srvbnew/hello.py"
  t0=$EPOCHREALTIME
  timeout "$DEPLOY_TIMEOUT" "$AFTER_HOIST" deploy "$tmp/srvbnew" --json >"$out.json" 2>"$out.err" \
    || { tail -n 20 "$out.err" >&2; die "the CLI's new release of srvbnew failed"; }
  t1=$EPOCHREALTIME
  T_ACCEPT=$t0
  local s; s=$(wait_serving "$v" srvbnew.test 127.0.0.1) || die "srvbnew version $v not served"
  add CLI cmd "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
  add CLI serve "${s#* }"
}

# ---------------------------------------------------------------------------------------------
# 3. Webhooks per second: wrk with a Lua script sending GitHub's push example for another branch
#    (signed; each request a new delivery id: verified, then 202 "not the branch") or one delivery id
#    over and over (verified, then 200 "seen before").
# ---------------------------------------------------------------------------------------------
payload other "$OCTOKIT_HEAD" "$tmp/other.json"
other_sig=$(sign "$tmp/other.json")
cat >"$tmp/hooks.lua" <<'EOF'
-- args: mode (new|replay), a tag unique to this load, the signature, the body's file
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  mode, tag = args[1], args[2]
  local f = assert(io.open(args[4], "rb")); body = f:read("*a"); f:close()
  headers = { ["X-GitHub-Event"] = "push", ["X-Hub-Signature-256"] = "sha256=" .. args[3],
              ["Content-Type"] = "application/json" }
  n, c200, c202, cother = 0, 0, 0, 0
end
function request()
  n = n + 1
  if mode == "replay" then headers["X-GitHub-Delivery"] = tag
  else headers["X-GitHub-Delivery"] = tag .. "-" .. tid .. "-" .. n end
  return wrk.format("POST", nil, headers, body)
end
function response(status, hdrs, b)
  if status == 200 then c200 = c200 + 1 elseif status == 202 then c202 = c202 + 1 else cother = cother + 1 end
end
function done(summary, latency, requests)
  local a, b, c = 0, 0, 0
  for _, t in ipairs(threads) do a = a + t:get("c200"); b = b + t:get("c202"); c = c + t:get("cother") end
  io.write(string.format("STATUSES %d %d %d %d\n", a, b, c, summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
EOF
declare -A HRATE HP50 HP99 HBAD HOVER
# hook_load NAME MODE: one wrk load; appends to the lists under NAME; sets WRK_END (epoch)
hook_load() {
  local name=$1 mode=$2 out="$tmp/logs/wrk-$1-$RANDOM.txt" rate p50 p99 s200 s202 sother serr
  timeout $((HOOK_SECONDS + 30)) wrk -t2 -c"$HOOK_CONNS" -d"${HOOK_SECONDS}s" --timeout 5s --latency \
    -s "$tmp/hooks.lua" "$base/hooks/local" -- "$mode" "load-$name-$RANDOM$RANDOM" "$other_sig" "$tmp/other.json" >"$out" 2>&1 &
  wrk_pid=$!
  wait "$wrk_pid" || { cat "$out" >&2; die "wrk failed"; }
  wrk_pid=""
  WRK_END=$EPOCHREALTIME
  rate=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v / 1000; else if (v ~ /ms$/) printf "%.2f", v + 0; else printf "%.2f", v * 1000 }'; }
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  read -r s200 s202 sother serr < <(awk '$1 == "STATUSES" { print $2, $3, $4, $5 }' "$out")
  [ -n "$rate" ] && [ -n "${s200:-}" ] || { cat "$out" >&2; die "cannot read wrk's output"; }
  local bad=$((sother + serr)) # answers other than 200/202, and socket errors
  add HRATE "$name" "$rate"; add HP50 "$name" "$p50"; add HP99 "$name" "$p99"; add HBAD "$name" "$bad"
  log "  $name: $rate answers/s, p50 $p50 ms, p99 $p99 ms (200: $s200, 202: $s202, other: $sother, socket errors: $serr)"
}

# ---------------------------------------------------------------------------------------------
# Part 1 (and the memory during it): pushes to this machine.
# ---------------------------------------------------------------------------------------------
log "this machine: first push (the app's first deploy, untimed), then $RUNS timed pushes"
timed_push local "$DOMAIN" warm-up 127.0.0.1
"$AFTER_HOIST" deploy "$tmp/srvbnew" >"$tmp/logs/cli-first.log" 2>&1 || { tail -n 20 "$tmp/logs/cli-first.log" >&2; die "the first deploy of srvbnew failed"; }
for run in $(seq "$RUNS"); do
  timed_push local "$DOMAIN" "$run" 127.0.0.1
  cli_new_release
  log "  control: CLI new release $(echo ${CLI[cmd]} | awk '{ print $NF }') s, serving after $(echo ${CLI[serve]} | awk '{ print $NF }') s"
done

log "webhook load: $HOOK_RUNS rounds of ${HOOK_SECONDS} s, wrk -t2 -c$HOOK_CONNS"
# The first load after start finds the webhook code not yet compiled (C1 only, as installed): it is
# shown on its own line, not in the medians.
hook_load cold-new new
for r in $(seq "$HOOK_RUNS"); do
  hook_load idle-new new
  hook_load idle-replay replay
  for mode in new replay; do
    push local
    hook_load "deploy-$mode" "$mode"
    status=$(finished "$DEPLOY_ID")
    [ "$status" = succeeded ] || die "deploy $DEPLOY_ID (under webhook load) $status"
    # Did the deploy last as long as the load? (its finish after wrk's end)
    over=$(python3 -c '
import json, sys
from datetime import datetime
d = json.load(open(sys.argv[1]))
print(1 if datetime.fromisoformat(d["finished_at"].replace("Z", "+00:00")).timestamp() >= float(sys.argv[2]) else 0)' \
      "$tmp/logs/deploy-$DEPLOY_ID.json" "$WRK_END")
    add HOVER "deploy-$mode" "$over"
    wait_serving "${VERSION[local]}" "$DOMAIN" 127.0.0.1 >/dev/null || die "version ${VERSION[local]} not served"
  done
done
sleep 5
read -r _ after_rss after_hwm _ _ < <(tail -n 1 "$tmp/memory.samples")
local_deploys=$(grep -c . <<<"$RAW_local")

# ---------------------------------------------------------------------------------------------
# Part 2: 3 lab nodes behind HAProxy (lab1), the server deploying with `--env live`.
# ---------------------------------------------------------------------------------------------
lab_note=""
declare -A ADDR
if [ "$LAB" = 1 ]; then
  log "lab: pristine $LAB_N nodes (the first run builds the base)"
  lab_touched=1
  timeout 120 "$HOIST" lab down >"$tmp/lab-down.log" 2>&1 || { tail -n 20 "$tmp/lab-down.log" >&2; die "hoist lab down failed"; }
  timeout 900 "$HOIST" lab up "$LAB_N" --json >"$tmp/lab.json" 2>"$tmp/lab-up.log" \
    || { tail -n 20 "$tmp/lab-up.log" >&2; die "hoist lab up $LAB_N failed"; }
  while read -r name addr; do ADDR[$name]=$addr; done < <(python3 -c '
import json, sys
for n in json.load(open(sys.argv[1])):
    if n["state"] == "running": print(n["name"], n["address"])' "$tmp/lab.json")
  for n in $(seq "$LAB_N"); do
    [[ ${ADDR[lab$n]:-} == 10.213.77.* ]] || die "lab$n is not running in 10.213.77.0/24"
    for i in $(seq 200); do
      timeout 1 bash -c "exec 3<>/dev/tcp/${ADDR[lab$n]}/22" 2>/dev/null && break
      [ "$i" -lt 200 ] || die "lab$n: sshd does not answer"
      sleep 0.1
    done
  done
  lab_key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["key"])' "$tmp/lab.json")
  lab_known=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["known_hosts"])' "$tmp/lab.json")
  hello_project "$tmp/repo-lab" "$LAB_APP" "$LAB_DOMAIN"
  {
    lab_nodes "$LAB_N" "$lab_key" "$lab_known"
    echo "environments:"
    echo "  live: {lb: [lab1], web: [$(IFS=,; echo "${WEBS[*]}" | sed 's/,/, /g')]}"
  } >>"$tmp/repo-lab/hoist.yml"
  git_in "$tmp/repo-lab" init -q -b main
  git_in "$tmp/repo-lab" add -A
  git_in "$tmp/repo-lab" commit -q -m "version 1"
  webs=(); for n in "${WEBS[@]}"; do webs+=("${ADDR[$n]}"); done
  log "lab: first push (first deploy to lab1-4, untimed), then $RUNS timed pushes"
  timed_push lab "$LAB_DOMAIN" warm-up "${webs[@]}" "${ADDR[lab1]}"
  for run in $(seq "$RUNS"); do timed_push lab "$LAB_DOMAIN" "$run" "${webs[@]}" "${ADDR[lab1]}"; done
  haproxy_v=$(timeout 30 ssh -o BatchMode=yes -i "$lab_key" -o UserKnownHostsFile="$lab_known" root@"${ADDR[lab1]}" 'haproxy -v' 2>/dev/null | head -n 1 | sed 's/ - https.*//' || echo '?')
  log "hoist lab down"
  timeout 120 "$HOIST" lab down >/dev/null 2>&1 || log "warning: hoist lab down failed"
  lab_touched=""
else
  lab_note="skipped (LAB=0)"
fi
end_hwm=$(tail -n 1 "$tmp/memory.samples" | cut -d' ' -f3)
server_version=$(head -n 3 "$tmp/server/server.err" | tr '\n' ' ' | cut -c1-160)
stop_server
kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; sampler_pid=""

# ---------------------------------------------------------------------------------------------
# Part 5: `hoist deploy` no-op, the jar from before the server work against the current one,
# alternating (the first one alternating run to run). Each jar its own app (srvbold, srvbnew):
# both manage this machine's nginx run script, so before each timed no-op the same jar runs one
# untimed (after the other jar, a first no-op could be a real change).
# ---------------------------------------------------------------------------------------------
declare -A NOOP
noop_dir() { if [ "$1" = before ]; then echo "$tmp/srvbold"; else echo "$tmp/srvbnew"; fi; }
noop_jar() { if [ "$1" = before ]; then echo "$BEFORE_HOIST"; else echo "$AFTER_HOIST"; fi; }
noop_deploy() { # SIDE: prints the wall seconds of `hoist deploy DIR --json`
  local side=$1 t0 t1 out="$tmp/logs/noop-$1-$RANDOM"
  t0=$EPOCHREALTIME
  timeout "$DEPLOY_TIMEOUT" "$(noop_jar "$side")" deploy "$(noop_dir "$side")" --json >"$out.json" 2>"$out.err" \
    || { tail -n 20 "$out.err" >&2; die "$side: hoist deploy failed"; }
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
log "no-op deploys: before ($before_commit) vs after, $NOOP_RUNS each, alternating"
for side in before after; do noop_deploy "$side" >/dev/null; done   # first deploys, untimed
for run in $(seq "$NOOP_RUNS"); do
  if [ $((run % 2)) = 1 ]; then order=(before after); else order=(after before); fi
  for side in "${order[@]}"; do
    noop_deploy "$side" >/dev/null
    t=$(noop_deploy "$side")
    add NOOP "$side" "$t"
  done
  log "  run $run: before $(echo ${NOOP[before]} | awk '{ print $NF }') s, after $(echo ${NOOP[after]} | awk '{ print $NF }') s"
done
# The timed ones were no-ops: the last --json of each made no release and changed nothing.
for side in before after; do
  last=$(ls -t "$tmp"/logs/noop-"$side"-*.json | head -n 1)
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d.get("ok") and d.get("newRelease") is None and not d.get("changes") else 1)' "$last" \
    || die "$side: the last no-op deploy was not one: $(head -c 400 "$last")"
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
bench_secs=$(awk -v a="$bench_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
med_mib() { local m; m=$(median); [ "$m" = n/a ] && echo n/a || mib "$m"; }
max_mib() { tr ' ' '\n' | grep -v '^$' | sort -g | tail -n 1 | { read -r v; mib "${v:-0}"; }; }
push_table() { # PROJECT TITLE
  local p=$1
  local -n raw="RAW_$p"
  echo "$2"
  echo
  echo "| run | version | 202 → first serving | 202 → serving (all) | 202 → API finished | queued → started | fetch | build | deploy | server VmRSS peak [MiB] | deploy JVM VmHWM [MiB] |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s' "$raw"
  echo "| **median** | | $(median <<<"${FIRST[$p]}") s | **$(median <<<"${SERVE[$p]}") s** | $(median <<<"${DONE[$p]}") s | $(median <<<"${WAIT[$p]}") s | $(median <<<"${FETCH[$p]}") s | $(median <<<"${BUILD[$p]}") s | $(median <<<"${DEPLOY[$p]}") s | $(med_mib <<<"${PEAK[$p]}") | $(med_mib <<<"${CHILD[$p]}") |"
}
report() {
  echo "## hoist server (issue 11's figures)"
  echo
  echo "- date: $started_at; machine: $(nproc) CPUs ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Debian $(cat /etc/debian_version)"
  echo "- load average (1, 5, 15 min): $load_start at the start, $load_end at the end; benchmark time ${bench_secs}s"
  echo "- after: $(ver "$AFTER_HOIST" --version) (snapshot of commit $hoist_commit, jar sha256 $jar_sha); before: $before_commit ($(git -C "$repo" log -1 --format=%s "$BEFORE" | cut -c1-70)…); JVM: $(ver "$jdk/bin/java" -version)"
  echo "- server: \`java ${SERVER_FLAGS[*]} -jar hoist.jar server --config server.yml\` (the installed launcher's flags), as root (builds as \`hoist\`); webhooks are GitHub's documented push example (octokit/webhooks, $(wc -c <"$OCTOKIT") bytes) at the pushed commit, HMAC-SHA256 signed"
  echo "- nginx $(nginx -v 2>&1 | sed 's|.*nginx/||'), wrk $(dpkg-query -W -f='${Version}' wrk 2>/dev/null)${haproxy_v:+, lab balancer: $haproxy_v}"
  echo
  echo "### 1. Push to serving, this machine (examples/hello)"
  echo
  push_table local "A new commit (\`version N\` bumped), its webhook answered 202, then \`curl -H 'Host: $DOMAIN' http://127.0.0.1/\` every 0.05 s until it answers \`version N\`. Phases are the API's (\`GET /api/deploys/{id}\`: \`phases.fetch_ms\`, \`build_ms\`, \`deploy_ms\`); seconds. After one untimed first deploy."
  echo
  echo "Control, the same conditions (right after each push): \`hoist deploy DIR --json\` of a new release of another copy of examples/hello from the CLI (launcher with its class-data cache): command $(median <<<"${CLI[cmd]}") s [$(runs_of "${CLI[cmd]}")], start → serving $(median <<<"${CLI[serve]}") s. The server's deploy phase runs the same code as \`hoist deploy --built --json\`, in a child JVM started as the launcher starts hoist (its flags, and the jar's hoist.aot when there is one)."
  echo
  echo "### 2. Push to serving, 3 lab nodes behind HAProxy"
  echo
  if [ -n "$lab_note" ]; then echo "$lab_note"; else
    push_table lab "The same, to \`live: {lb: [lab1], web: [lab2, lab3, lab4]}\` (\`hoist lab\` nodes over real SSH; the server's deploy is \`hoist deploy --env live\`: rolling, health-gated behind HAProxy). *first serving* = the first web node (or the balancer) answering the new version, *serving (all)* = every web node's own nginx and the balancer. After one untimed first deploy to the pristine nodes."
  fi
  echo
  echo "### 3. Webhooks per second"
  echo
  echo "wrk (Debian's wrk $(dpkg-query -W -f='${Version}' wrk 2>/dev/null), \`-t2 -c$HOOK_CONNS -d${HOOK_SECONDS}s\`, HTTP/1.1 keep-alive, a Lua script) sending GitHub's push example for branch \`other\` to \`POST /hooks/local\`, signed: *new ids* = a new \`X-GitHub-Delivery\` per request (verified, then 202 \"not the project's branch\"), *replays* = one delivery id throughout (verified, then 200 \"seen before\"). *During a deploy* = started right after a push's 202 to the same server. Medians of $HOOK_RUNS rounds, [per round]. Client and server share the 2 CPUs."
  echo
  echo "| condition | answers/s | p50 | p99 | answers not 200/202 + socket errors | deploy still running at the load's end |"
  echo "|---|---:|---:|---:|---:|---|"
  local n
  echo "| idle, new ids: the first load after the deploys (webhook code not yet compiled; not in the medians) | $(runs_of "${HRATE[cold-new]}") | ${HP50[cold-new]# } ms | ${HP99[cold-new]# } ms | ${HBAD[cold-new]# } | — |"
  for n in idle-new idle-replay deploy-new deploy-replay; do
    local over="—"
    [[ $n != deploy-* ]] || over="$(tr ' ' '\n' <<<"${HOVER[$n]}" | grep -c '^1$')/$HOOK_RUNS"
    echo "| ${n/-/, } | **$(median <<<"${HRATE[$n]}" | awk '{ printf "%.0f", $1 }')** [$(runs_of "${HRATE[$n]}")] | $(median <<<"${HP50[$n]}") ms | $(median <<<"${HP99[$n]}") ms | $(tr ' ' '\n' <<<"${HBAD[$n]}" | awk '{ s += $1 } END { print s + 0 }') | $over |"
  done
  echo
  echo "### 4. Resident memory"
  echo
  echo "From \`/proc/PID/status\`, sampled every 0.1 s; MiB."
  echo
  echo "| process | VmRSS | VmHWM |"
  echo "|---|---:|---:|"
  echo "| server, idle (5 s after it listens, nothing asked yet) | $(mib "$idle_rss") | $(mib "$idle_hwm") |"
  echo "| server, peak during a deploy (this machine: median / max of $RUNS) | $(med_mib <<<"${PEAK[local]}") / $(max_mib <<<"${PEAK[local]}") | |"
  [ -n "$lab_note" ] || echo "| server, peak during a deploy (lab: median / max of $RUNS) | $(med_mib <<<"${PEAK[lab]}") / $(max_mib <<<"${PEAK[lab]}") | |"
  echo "| server, idle after $((RUNS + 1 + 2 * HOOK_RUNS)) deploys and the webhook loads | $(mib "$after_rss") | $(mib "$after_hwm") |"
  echo "| server, at the end (VmHWM: its peak over the whole run) | | $(mib "$end_hwm") |"
  echo "| child \`hoist deploy\` JVM (this machine; median / max of $RUNS) | | $(med_mib <<<"${CHILD[local]}") / $(max_mib <<<"${CHILD[local]}") |"
  [ -n "$lab_note" ] || echo "| child \`hoist deploy\` JVM (lab; median / max of $RUNS) | | $(med_mib <<<"${CHILD[lab]}") / $(max_mib <<<"${CHILD[lab]}") |"
  echo
  echo "### 5. \`hoist deploy\` no-op, before and after issue 11"
  echo
  local b a
  b=$(median <<<"${NOOP[before]}"); a=$(median <<<"${NOOP[after]}")
  echo "\`hoist deploy DIR --json\` of an unchanged copy of examples/hello on this machine (wall clock, JVM start included, each jar through its own launcher and class-data cache); $NOOP_RUNS runs each, alternating, the first alternating run to run."
  echo
  echo "| jar | median | runs (s) |"
  echo "|---|---:|---|"
  echo "| before ($before_commit) | $b s | $(runs_of "${NOOP[before]}") |"
  echo "| after ($hoist_commit) | $a s | $(runs_of "${NOOP[after]}") |"
  # Grown only when the median is above the slowest "before" run; a smaller difference is inside
  # the runs' spread on this shared machine, and said so.
  local bmax; bmax=$(tr ' ' '\n' <<<"${NOOP[before]}" | grep -v '^$' | sort -g | tail -n 1)
  echo "| after ÷ before | $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }') | $(awk -v a="$a" -v b="$b" -v m="$bmax" 'BEGIN {
    if (a <= b) print "not grown"; else if (a <= m) printf "%+.0f%%, inside the before runs (slowest %.2f s)", 100 * (a / b - 1), m; else print "**grown**" }') |"
}
if [ -n "${OUT:-}" ]; then report | tee "$OUT"; else report; fi
