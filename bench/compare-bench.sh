#!/usr/bin/env bash
# Compares two hoist jars side by side in one run: the jar of BASE (default: the last commit before
# the production-safe nodes work, 2361614) against the current sources. No-op redeploy and
# new-release deploy, on this machine and on 1 and 10 `hoist lab` nodes; then the first deploy of
# each jar's app to 10 fresh nodes at once (nodes succeeded and time). Prints markdown tables.
# See bench/README.md, "Old jar against new".
#
#   bash bench/compare-bench.sh              # medians of RUNS runs (default 5); needs root
#   RUNS=1 bash bench/compare-bench.sh       # a quick check
#
# Environment:
#   RUNS=N        runs per scenario (default 5); in each run the two jars alternate, the one that
#                 goes first alternating run to run
#   BASE=REV      the older jar's commit (default 2361614)
#   OUT=FILE      also write the report to FILE
#   KEEP_LAB=1    leave the lab up at the end
#
# Each jar deploys its own app (old: benchold, new: benchnew; both copies of examples/hello), so
# neither undoes the other's layout. Traffic goes to 127.0.0.1 and the lab's 10.213.77.0/24 only.
set -euo pipefail

RUNS=${RUNS:-5}
BASE=${BASE:-2361614}
DEPLOY_TIMEOUT=${DEPLOY_TIMEOUT:-600}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
LAB_N=10
# Each jar gets its own 10 nodes (old: lab1-10, new: lab11-20): both manage the same nginx run
# script, and taking turns on one node would make every "no-op" a real change.
LAB_ALL=20

log() { printf '[compare-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (deploys and the lab need it)"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number"
for c in git mvn curl python3 timeout awk; do command -v "$c" >/dev/null || die "$c is not installed"; done

tmp=$(mktemp -d /tmp/hoist-compare-bench.XXXXXX)
mkdir -p "$tmp/logs"
lab_touched=""
finish() {
  local rc=$?
  if [ -n "$lab_touched" ] && [ "${KEEP_LAB:-0}" != 1 ]; then
    timeout 120 "$NEW" lab down >/dev/null 2>&1 || log "warning: hoist lab down failed"
  fi
  if [ -n "${NEW:-}" ]; then remove_local_app benchold-local; remove_local_app benchnew-local; fi
  git -C "$repo" worktree remove --force "$tmp/base-src" >/dev/null 2>&1 || true
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "logs kept in $tmp/logs"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

. "$here/common.sh"
. "$repo/scripts/find-jdk.sh"

# The new jar: a snapshot of ./hoist + target/hoist.jar. The old one: BASE built in a worktree.
hoist_snapshot "$tmp/new"
NEW=$HOIST
new_commit=$hoist_commit
log "building the jar of $BASE"
git -C "$repo" worktree add --detach "$tmp/base-src" "$BASE" >/dev/null 2>&1 || die "cannot check out $BASE"
(cd "$tmp/base-src" && mvn -B -q -ntp -DskipTests package >"$tmp/base-build.log" 2>&1) \
  || { tail -n 30 "$tmp/base-build.log" >&2; die "the jar of $BASE does not build"; }
mkdir -p "$tmp/old/target"
# The launcher trains its class-data cache on examples/hello: without it, it would retry (~7 s) on
# every start and the old jar would look slow for a reason that is not its own.
cp -a "$tmp/base-src/hoist" "$tmp/base-src/scripts" "$tmp/base-src/examples" "$tmp/old/"
cp -a "$tmp/base-src/target/hoist.jar" "$tmp/old/target/"
OLD="$tmp/old/hoist"
"$OLD" --version >/dev/null 2>&1 || die "the old jar does not start"
old_commit=$(git -C "$repo" rev-parse --short "$BASE")

# The lab (made by the new jar) and the two projects.
declare -A ADDR
lab_up() {
  lab_touched=1
  timeout 120 "$NEW" lab down >/dev/null 2>&1 || true
  timeout 300 "$NEW" lab up "$LAB_ALL" --json >"$tmp/lab.json" 2>"$tmp/lab-up.log" \
    || { tail -n 20 "$tmp/lab-up.log" >&2; die "hoist lab up $LAB_ALL failed"; }
  local name addr
  while read -r name addr; do ADDR[$name]=$addr; done < <(python3 -c '
import json, sys
for n in json.load(open(sys.argv[1])): print(n["name"], n["address"])' "$tmp/lab.json")
}
log "lab: $LAB_ALL fresh nodes"
lab_up
lab_key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["key"])' "$tmp/lab.json")
lab_known=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["known_hosts"])' "$tmp/lab.json")
# One project per jar and scope (app bench<side>-<scope>): a new release in one scope must not
# make the next scope's "no-op" a real deploy (n1 and n10 share lab1).
declare -A PROJ
for side in old new; do
  for scope in local n1 n10; do
    PROJ[$side.$scope]="$tmp/bench$side-$scope"
    hello_project "${PROJ[$side.$scope]}" "bench$side-$scope" "bench$side-$scope.test"
    first=1
    [ "$side" = old ] || first=11
    {
      lab_nodes "$LAB_ALL" "$lab_key" "$lab_known"
      echo "environments:"
      echo "  n1: [lab$first]"
      echo "  n10: [$(seq -s ' ' "$first" $((first + LAB_N - 1)) | sed 's/[0-9][0-9]*/lab&/g; s/ /, /g')]"
    } >>"${PROJ[$side.$scope]}/hoist.yml"
  done
done
jar() { if [ "$1" = old ]; then echo "$OLD"; else echo "$NEW"; fi; }

# One deploy, timed (wall clock, JVM included); prints "seconds ok_nodes all_nodes rt_max".
declare -A T RT
deploy() { # SIDE SCOPE(local|n1|n10) SCENARIO(noop|new|first)
  local side=$1 scope=$2 sc=$3 name="$1-$2-$3-$RANDOM" args=() t0 t1 rc=0 key=$1.$2
  # deploy runs in a $( ) subshell: the next version is read from the file, not kept in a variable.
  if [ "$sc" != noop ]; then
    local v; v=$(grep -o 'version [0-9][0-9]*' "${PROJ[$key]}/hello.py" | head -n 1 | grep -o '[0-9][0-9]*')
    sed -i "s/version [0-9][0-9]*/version $((v + 1))/" "${PROJ[$key]}/hello.py"
  fi
  [ "$scope" = local ] || args=(--env "$scope")
  t0=$EPOCHREALTIME
  timeout "$DEPLOY_TIMEOUT" "$(jar "$side")" deploy "${PROJ[$key]}" "${args[@]}" --json >"$tmp/logs/$name.json" 2>"$tmp/logs/$name.err" || rc=$?
  t1=$EPOCHREALTIME
  python3 - "$tmp/logs/$name.json" "$rc" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" <<'EOF'
import json, sys
path, rc, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    d = json.load(open(path))
except ValueError:
    print(secs, 0, 1, -1); sys.exit(0)
reports = [n.get("result") or {} for n in d["nodes"]] if "nodes" in d else [d]
oks = [n for n in d["nodes"] if n.get("ok")] if "nodes" in d else ([d] if d.get("ok") else [])
rts = [r.get("roundTrips", -1) for r in reports]
print(secs, len(oks), len(reports), max(rts) if rts else -1)
EOF
}
record() { # KEY "secs ok all rt"
  local secs ok all rt
  read -r secs ok all rt <<<"$2"
  [ "$ok" = "$all" ] || { log "FAILED: $1 ($ok/$all nodes ok)"; FAILED="$FAILED $1"; KEEP_TMP=1; }
  T[$1]="${T[$1]:-} $secs"
  RT[$1]="${RT[$1]:-} $rt"
}
FAILED=""

# First deploys to 10 fresh nodes at once, one per jar, each on its own nodes of the fresh lab.
declare -A FIRST
for side in new old; do
  log "first deploy of bench$side-n10 to its $LAB_N fresh nodes ($side jar)"
  FIRST[$side]=$(deploy "$side" n10 first)
done
# Every app deployed where it is timed (untimed, a failure retried once), then the timed rounds.
log "first deploys of the timed apps"
for side in old new; do
  for scope in local n1 n10; do
    deploy "$side" "$scope" first >/dev/null
    deploy "$side" "$scope" noop >/dev/null
  done
done

for run in $(seq "$RUNS"); do
  if [ $((run % 2)) = 1 ]; then order=(old new); else order=(new old); fi
  log "run $run/$RUNS (${order[*]})"
  for scope in local n1 n10; do
    for sc in noop new; do
      for side in "${order[@]}"; do
        # This machine's nginx run script is both jars': after the other jar, one untimed deploy.
        [ "$scope" != local ] || deploy "$side" local noop >/dev/null
        record "$side.$scope.$sc" "$(deploy "$side" "$scope" "$sc")"
      done
    done
  done
done

# The report.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || a == 0) print "n/a"; else printf "%.2f", b / a }'; }
report() {
  echo "Old jar: $old_commit; new jar: $new_commit (sha $jar_sha). Medians of $RUNS runs, wall seconds of \`hoist deploy --json\` (JVM start included); runs alternate which jar goes first."
  echo
  echo "| scope | scenario | old [s] | new [s] | new ÷ old | round trips per node old / new |"
  echo "|---|---|---:|---:|---:|---|"
  for scope in local n1 n10; do
    for sc in noop new; do
      local o n
      o=$(median <<<"${T[old.$scope.$sc]:-}"); n=$(median <<<"${T[new.$scope.$sc]:-}")
      printf '| %s | %s | %s | %s | %s | %s / %s |\n' "$scope" "$sc" "$o" "$n" "$(ratio "$o" "$n")" \
        "$(tr ' ' '\n' <<<"${RT[old.$scope.$sc]:-}" | grep -v '^$' | sort -u | paste -sd, -)" \
        "$(tr ' ' '\n' <<<"${RT[new.$scope.$sc]:-}" | grep -v '^$' | sort -u | paste -sd, -)"
    done
  done
  echo
  echo "First deploy of examples/hello to $LAB_N fresh lab nodes at once (each jar on its own fresh nodes):"
  echo
  echo "| jar | nodes succeeded | time [s] |"
  echo "|---|---:|---:|"
  for side in old new; do
    local secs ok all rt
    read -r secs ok all rt <<<"${FIRST[$side]}"
    echo "| $side | $ok/$all | $secs |"
  done
  [ -z "$FAILED" ] || { echo; echo "Failed deploys:$FAILED"; }
}
report | tee "${OUT:-/dev/null}"
