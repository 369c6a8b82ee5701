# Sourced by the bench scripts: what they share. Needs $repo, $tmp and the caller's log and die.
#
#   hoist_snapshot DIR   builds ./hoist if the sources changed, copies the launcher and the jar
#                        into DIR, warms it up (not timed), and sets HOIST, hoist_commit, jar_sha.
#                        With HOIST already set, times that launcher instead.
hoist_snapshot() {
  local snap=$1
  if [ -z "${HOIST:-}" ]; then
    if ! "$repo/hoist" --version >/dev/null 2>"$tmp/build.log"; then
      [ -f "$repo/target/hoist.jar" ] || { cat "$tmp/build.log" >&2; die "./hoist cannot build its jar"; }
      log "warning: ./hoist --version failed (build of the current sources?); timing the existing target/hoist.jar"
    fi
    mkdir -p "$snap/target"
    for f in "$repo"/*; do
      case ${f##*/} in src|target|test|bench|docs|pom.xml) continue ;; esac
      cp -a "$f" "$snap/"
    done
    cp -a "$repo/target/hoist.jar" "$snap/target/hoist.jar"
    HOIST="$snap/hoist"
    # The first use records the launcher's class-data cache for this copy: not timed.
    "$HOIST" --version >/dev/null 2>"$tmp/warmup.log" || { cat "$tmp/warmup.log" >&2; die "the hoist snapshot does not start"; }
    [ ! -d "$snap/src" ] || die "snapshot has sources"
  fi
  # What the snapshot was built from: HEAD now, plus whether src/ had uncommitted changes (others edit it).
  hoist_commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
  [ -z "$(git -C "$repo" status --porcelain -- src pom.xml 2>/dev/null)" ] || hoist_commit="$hoist_commit + uncommitted src/ changes"
  jar_sha=$(sha256sum "$(dirname "$HOIST")/target/hoist.jar" 2>/dev/null | cut -c1-12 || echo '?')
}

#   hello_project DIR APP DOMAIN   a copy of examples/hello in DIR, renamed to APP and DOMAIN
hello_project() {
  local dir=$1 app=$2 domain=$3
  cp -r "$repo/examples/hello" "$dir"
  sed -i "s/^app: .*/app: $app/; s/^domain: .*/domain: $domain/" "$dir/hoist.yml"
  grep -q "^app: $app$" "$dir/hoist.yml" && grep -q "^domain: $domain$" "$dir/hoist.yml" \
    || die "could not rename the app in $dir/hoist.yml"
  grep -q 'version [0-9]' "$dir/hello.py" || die "no 'version N' in examples/hello/hello.py"
}

#   lab_nodes N KEY KNOWN_HOSTS    a nodes: block for lab1..labN (addresses from the caller's ADDR)
lab_nodes() {
  echo "nodes:"
  for n in $(seq "$1"); do
    echo "  lab$n: {host: ${ADDR[lab$n]}, user: root, key: $2, known_hosts: $3}"
  done
}

# Numbers for the reports.
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END {
  if (NR == 0) { print "n/a"; exit }
  if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
runs_of() { local v="${1# }"; echo "${v// /, }"; }
ver() { "$@" 2>&1 | head -n 1; }
met() { awk -v v="$1" -v lim="$2" 'BEGIN { if (v == "n/a" || v == "") print "n/a"; else if (v + 0 <= lim + 0) print "met"; else print "**missed**" }'; }

# Removing a deployed app from this machine (the bench apps only).
stop_runit_service() { # $1 = service name (/etc/sv/$1, linked as /etc/service/$1)
  local svc=$1
  if [ -e "/etc/service/$svc/supervise/ok" ]; then
    sv -w 10 down "/etc/service/$svc" >/dev/null 2>&1 || true
  fi
  rm -f "/etc/service/$svc"
  if [ -d "/etc/sv/$svc/supervise" ]; then
    # Make runsv (and the log runsv) exit now, rather than at runsvdir's next 5 s rescan.
    sv exit "/etc/sv/$svc" >/dev/null 2>&1 || true
    local i
    for i in $(seq 50); do
      sv status "/etc/sv/$svc" 2>&1 | grep -q 'runsv not running' && break
      sleep 0.1
    done
  fi
}

remove_user() { # $1 = user (and group) name
  if id -u "$1" >/dev/null 2>&1; then userdel "$1" >/dev/null 2>&1 || true; fi
  if getent group "$1" >/dev/null; then groupdel "$1" >/dev/null 2>&1 || true; fi
}

#   remove_local_app APP   a hoist app deployed on this machine, gone (service, files, nginx site, user)
remove_local_app() {
  local app=$1 svc=hoist-$1
  stop_runit_service "$svc"
  rm -rf "/etc/sv/$svc" "/srv/$app" "/run/$svc" "/var/log/hoist/$app" "/etc/nginx/sites-enabled/$svc.conf"
  sv hup /etc/service/nginx >/dev/null 2>&1 || true
  remove_user "$app"
}
