#!/usr/bin/env bash
# HTTPS on this machine's nginx, with certificates from a local pebble (Let's Encrypt's test CA):
# throughput and p99 of plain HTTP/1.1, HTTPS/1.1, HTTP/2 and new TLS handshakes side by side; the
# time from `hoist deploy` to a served certificate beside a plain-HTTP first deploy; failed requests
# during a forced renewal under HTTPS load. Prints markdown tables. See bench/README.md, "HTTPS".
# Needs root, Debian's pebble, certbot, curl, openssl; installs nghttp2-client (h2load) if missing.
#
#   flock /work/it.lock bash bench/tls-bench.sh     # medians of RUNS runs (default 5)
#
# Environment:
#   RUNS=N        runs of each measurement (default 5)
#   CLIENTS=C     concurrent connections of each throughput load (default 16)
#   REQUESTS=N    requests of each keep-alive load (default 1000 x CLIENTS, the most nginx's
#                 keepalive_requests lets one HTTP/2 connection carry; h2load does not reopen one)
#   NEW_REQUESTS=N  requests (= connections) of each new-connection load (default 4000)
#   RENEW_REQUESTS=N  the most requests of a curl load during a renewal (default 100000; stopped 1 s after it)
#   RENEW_RPS=R   requests/s of each h2load connection during a renewal (default 60)
#   HOIST=PATH    the hoist launcher to time (default: a snapshot of ./hoist + target/hoist.jar)
#   KEEP_APPS=1   leave benchtls and benchplain deployed at the end
#   OUT=FILE      also write the report (tables) to FILE
#   LOGS=DIR      keep every log (deploys, h2load, curl loads, hoist-acme) in DIR
#
# It deploys two apps of its own, benchtls (benchtls.example.com, HTTPS) and benchplain
# (benchplain.example.com, tls: false), removes and redeploys them, and touches no other app. Its
# pebble and pebble-challtestsrv listen on ports of their own (14100, 15100, 127.0.0.1:8153/8155)
# and are stopped by their PIDs at the end. All traffic goes to 127.0.0.1.
set -euo pipefail

RUNS=${RUNS:-5}
CLIENTS=${CLIENTS:-16}
REQUESTS=${REQUESTS:-$((1000 * CLIENTS))}
NEW_REQUESTS=${NEW_REQUESTS:-4000}
RENEW_REQUESTS=${RENEW_REQUESTS:-100000}
RENEW_RPS=${RENEW_RPS:-60}
LOAD_TIMEOUT=120 # s: the most one load may take
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

T_APP=benchtls T_DOMAIN=benchtls.example.com
P_APP=benchplain P_DOMAIN=benchplain.example.com
ACME_PORT=14100 MGMT_PORT=15100 DNS_PORT=8153 DNS_MGMT_PORT=8155

log() { printf '[tls-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it deploys to /srv, /etc/sv, /etc/nginx and /etc/hoist)"
for v in RUNS CLIENTS REQUESTS NEW_REQUESTS RENEW_REQUESTS RENEW_RPS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive number"
done
[ "$REQUESTS" -le $((1000 * CLIENTS)) ] || die "REQUESTS must be at most 1000 x CLIENTS (nginx's keepalive_requests per HTTP/2 connection)"
if ! command -v h2load >/dev/null; then
  log "installing nghttp2-client (h2load)"
  apt-get install -y -q nghttp2-client >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q nghttp2-client >/dev/null; } \
    || die "cannot install nghttp2-client"
fi
for c in h2load pebble pebble-challtestsrv certbot curl openssl sv nginx timeout awk; do
  command -v "$c" >/dev/null || die "$c is not installed"
done

tmp=$(mktemp -d /tmp/hoist-tls-bench.XXXXXX)
mkdir -p "$tmp/logs"
pebble_pid="" chall_pid="" load_pid="" poll_pid=""
finish() {
  local rc=$?
  local p
  for p in $load_pid $poll_pid; do kill "$p" 2>/dev/null || true; done
  if [ -n "${cleanup_at_exit:-}" ] && [ "${KEEP_APPS:-0}" != 1 ]; then
    purge "$T_APP" || true
    purge "$P_APP" || true
  fi
  stop_pebble
  if [ -n "${LOGS:-}" ]; then mkdir -p "$LOGS" && cp -r "$tmp/logs/." "$LOGS/"; fi
  rm -rf "$tmp"
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

# purge APP: everything a deploy of APP made on this machine (as src/test/java/dev/hoist/it/Hoist.java).
purge() {
  local app=$1 svc
  for svc in "hoist-$app" "hoist-tls-$app"; do
    stop_runit_service "$svc"
    rm -rf "/etc/sv/$svc" || rm -rf "/etc/sv/$svc" || true
  done
  rm -rf "/srv/$app" "/run/hoist-$app" "/var/log/hoist/$app" "/var/log/hoist/hoist-tls-$app" "/etc/hoist/tls/$app" \
         "/var/lib/hoist/acme/$app" "/etc/nginx/sites-enabled/hoist-$app.conf" || true
  remove_user "$app"
  [ ! -e /etc/service/nginx ] || sv hup /etc/service/nginx >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------------------------------------
# pebble (as src/test/java/dev/hoist/it/Pebble.java): a throw-away CA signs pebble's API certificate
# (what hoist.yml's tls.acme.ca names); challtestsrv's DNS answers 127.0.0.1 for every name, so
# HTTP-01 is validated against this machine's nginx on port 80.
# ---------------------------------------------------------------------------------------------
stop_pebble() {
  local p i
  for p in $pebble_pid $chall_pid; do kill "$p" 2>/dev/null || true; done
  for p in $pebble_pid $chall_pid; do
    for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  pebble_pid="" chall_pid=""
}

wait_port() { # PORT PID LOG: until something listens on 127.0.0.1:PORT (at most 15 s)
  local i
  for i in $(seq 150); do
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; die "$(basename "$3" .log) exited"; }
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$3" >&2; die "nothing listens on $1 after 15 s"
}

start_pebble() {
  local d=$tmp/pebble
  mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
      -subj "/CN=Hoist bench ACME API CA" -keyout ca.key -out ca.pem
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
      -keyout api.key -out api.csr
    echo "subjectAltName=DNS:localhost,IP:127.0.0.1" >api.ext
    openssl x509 -req -in api.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
      -extfile api.ext -out api.pem
  ) >"$tmp/logs/openssl.log" 2>&1 || { cat "$tmp/logs/openssl.log" >&2; die "openssl failed"; }
  cat >"$d/pebble.json" <<EOF
{"pebble": {"listenAddress": "127.0.0.1:$ACME_PORT", "managementListenAddress": "127.0.0.1:$MGMT_PORT",
 "certificate": "$d/api.pem", "privateKey": "$d/api.key", "httpPort": 80, "tlsPort": 5001,
 "ocspResponderURL": "", "externalAccountBindingRequired": false}}
EOF
  pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 "" -dns01 "127.0.0.1:$DNS_PORT" \
    -management "127.0.0.1:$DNS_MGMT_PORT" -http01 "" -https01 "" -tlsalpn01 "" \
    >"$tmp/logs/challtestsrv.log" 2>&1 &
  chall_pid=$!
  PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=0 \
    pebble -config "$d/pebble.json" -dnsserver "127.0.0.1:$DNS_PORT" >"$tmp/logs/pebble.log" 2>&1 &
  pebble_pid=$!
  wait_port "$DNS_MGMT_PORT" "$chall_pid" "$tmp/logs/challtestsrv.log"
  wait_port "$ACME_PORT" "$pebble_pid" "$tmp/logs/pebble.log"
  wait_port "$MGMT_PORT" "$pebble_pid" "$tmp/logs/pebble.log"
  # The root pebble made at this start: what issued certificates chain to.
  curl -sS --fail --max-time 10 --cacert "$d/ca.pem" "https://127.0.0.1:$MGMT_PORT/roots/0" >"$tmp/root.pem" \
    || die "cannot fetch pebble's root"
}

# ---------------------------------------------------------------------------------------------
# The apps and hoist
# ---------------------------------------------------------------------------------------------
. "$here/common.sh"
hoist_snapshot "$tmp/hoist"
start_pebble
log "pebble (pid $pebble_pid) and challtestsrv (pid $chall_pid) up"

hello_project "$tmp/$T_APP" "$T_APP" "$T_DOMAIN"
cat >>"$tmp/$T_APP/hoist.yml" <<EOF
tls:
  acme:
    email: ops@example.com
    directory: https://127.0.0.1:$ACME_PORT/dir
    ca: $tmp/pebble/ca.pem
EOF
hello_project "$tmp/$P_APP" "$P_APP" "$P_DOMAIN"
echo "tls: false" >>"$tmp/$P_APP/hoist.yml"

failures=0
fail() { failures=$((failures + 1)); log "FAILED: $*"; }

# client_curl ARGS...: curl to our names on 127.0.0.1, trusting pebble's root
client_curl() {
  curl -sS --max-time 5 --resolve "$T_DOMAIN:443:127.0.0.1" --resolve "$T_DOMAIN:80:127.0.0.1" \
    --resolve "$P_DOMAIN:80:127.0.0.1" --cacert "$tmp/root.pem" "$@"
}
served_fingerprint() { # the SHA-256 fingerprint of the certificate nginx serves for benchtls
  openssl s_client -connect 127.0.0.1:443 -servername "$T_DOMAIN" </dev/null 2>/dev/null \
    | openssl x509 -noout -fingerprint -sha256 2>/dev/null | cut -d= -f2
}
file_fingerprint() { openssl x509 -noout -fingerprint -sha256 -in "/etc/hoist/tls/$T_APP/cert.pem" | cut -d= -f2; }

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
LOADS=""
note_load() { LOADS="$LOADS $(cut -d' ' -f1 /proc/loadavg)"; }

declare -A V # V[key] = "v1 v2 ..."
add() { V[$1]="${V[$1]:-} $2"; }

# ---------------------------------------------------------------------------------------------
# 2. First deploy to a served certificate, beside a plain-HTTP first deploy (done first: it leaves
#    both apps deployed for the loads)
# ---------------------------------------------------------------------------------------------
# first_deploy KIND: purge, then `hoist deploy`; a poller started with the command notes when the
# site first answers 200 (HTTPS with pebble's root for tls, HTTP for plain).
first_deploy() {
  local kind=$1 app url dir t0 t_cmd t_200 rc=0
  if [ "$kind" = tls ]; then app=$T_APP url=https://$T_DOMAIN/; else app=$P_APP url=http://$P_DOMAIN/; fi
  dir=$tmp/$app
  purge "$app"
  rm -f "$tmp/first200"
  note_load
  t0=$EPOCHREALTIME
  (
    # 200 from the app itself (nginx's default site also answers 200 for unknown names)
    until grep -q 'Hello from hoist' <<<"$(client_curl --max-time 2 --fail "$url" 2>/dev/null)"; do
      sleep 0.05
      [ "$(secs "$t0" "$EPOCHREALTIME" | cut -d. -f1)" -lt 120 ] || exit 1
    done
    echo "$EPOCHREALTIME" >"$tmp/first200"
  ) &
  poll_pid=$!
  timeout 300 "$HOIST" deploy "$dir" >"$tmp/logs/deploy-$kind.log" 2>&1 || rc=$?
  t_cmd=$(secs "$t0" "$EPOCHREALTIME")
  wait "$poll_pid" || true
  poll_pid=""
  if [ "$rc" != 0 ]; then
    fail "hoist deploy $app exited $rc"; tail -n 15 "$tmp/logs/deploy-$kind.log" >&2; return
  fi
  if [ "$kind" = tls ] && ! grep -q 'tls:certificate  issued' "$tmp/logs/deploy-$kind.log"; then
    fail "the deploy of $app issued no certificate"; tail -n 15 "$tmp/logs/deploy-$kind.log" >&2
  fi
  [ -s "$tmp/first200" ] || { fail "$url never answered 200"; return; }
  t_200=$(secs "$t0" "$(cat "$tmp/first200")")
  add "first.$kind.cmd" "$t_cmd"
  add "first.$kind.200" "$t_200"
  log "  $kind: hoist deploy ${t_cmd}s, first 200 at ${t_200}s"
}

cleanup_at_exit=1
bench_start=$EPOCHREALTIME
log "first deploys x$RUNS (HTTPS with pebble, plain HTTP)"
for i in $(seq "$RUNS"); do
  if [ $((i % 2)) = 1 ]; then first_deploy tls; first_deploy plain; else first_deploy plain; first_deploy tls; fi
done
client_curl -o /dev/null -w '%{http_code} %{redirect_url}' "http://$T_DOMAIN/x" | grep -qx "301 https://$T_DOMAIN/x" \
  || fail "http://$T_DOMAIN/ does not redirect to HTTPS"
client_curl "https://$T_DOMAIN/" | grep -q 'Hello' || fail "https://$T_DOMAIN/ does not serve the app"
client_curl "http://$P_DOMAIN/" | grep -q 'Hello' || fail "http://$P_DOMAIN/ does not serve the app"
[ "$(client_curl --http2 -o /dev/null -w '%{http_version}' "https://$T_DOMAIN/")" = 2 ] || fail "no HTTP/2 on $T_DOMAIN"

# ---------------------------------------------------------------------------------------------
# 1. Throughput and p99 through nginx: every row in each round, the order rotating
# ---------------------------------------------------------------------------------------------
ROWS=(h1plain h1tls h2tls h2mux newplain newtls)
row_label() {
  case $1 in
    h1plain) echo "HTTP/1.1 plain, keep-alive ($P_DOMAIN, tls: false)" ;;
    h1tls) echo "HTTPS/1.1, keep-alive" ;;
    h2tls) echo "HTTP/2, $CLIENTS connections x 1 stream" ;;
    h2mux) echo "HTTP/2, 2 connections x $((CLIENTS / 2)) streams" ;;
    newplain) echo "HTTP/1.1 plain, a new connection per request (control)" ;;
    newtls) echo "HTTPS/1.1, a new TLS handshake per request" ;;
  esac
}
row_args() { # h2load's arguments for a row
  local t=(--connect-to=127.0.0.1:443 "https://$T_DOMAIN/") p=(--connect-to=127.0.0.1:80 "http://$P_DOMAIN/")
  case $1 in
    h1plain) printf "%s " --h1 -n "$REQUESTS" -c "$CLIENTS" -m 1 "${p[@]}" ;;
    h1tls) printf "%s " --h1 -n "$REQUESTS" -c "$CLIENTS" -m 1 "${t[@]}" ;;
    h2tls) printf "%s " -n "$REQUESTS" -c "$CLIENTS" -m 1 "${t[@]}" ;;
    h2mux) printf "%s " -n 2000 -c 2 -m "$((CLIENTS / 2))" "${t[@]}" ;;
    newplain) printf "%s " --h1 -H Connection:close -n "$NEW_REQUESTS" -c "$CLIENTS" -m 1 "${p[@]}" ;;
    newtls) printf "%s " --h1 -H Connection:close -n "$NEW_REQUESTS" -c "$CLIENTS" -m 1 "${t[@]}" ;;
  esac
}

# one_load ROW RUN: h2load for the row; requests/s, p99 of its per-request log, failures
one_load() {
  local row=$1 run=$2 out=$tmp/logs/h2load-$1-$2.txt lf=$tmp/logs/h2load-$1-$2.log rc=0 n ok rps p99 conn
  # shellcheck disable=SC2046
  timeout --signal=INT "$LOAD_TIMEOUT" h2load -t 1 --log-file="$lf" $(row_args "$row") >"$out" 2>&1 || rc=$?
  n=$(awk '/^requests:/ { print $2 }' "$out")
  ok=$(awk '/^status codes:/ { print $3 }' "$out")
  rps=$(awk '/^finished in/ { print $4 }' "$out")
  touch "$lf"
  p99=$(awk -F'\t' '{ print $3 }' "$lf" | sort -n | awk '{ v[NR] = $1 } END { if (NR) { i = int(NR * 0.99 + 0.999); printf "%.2f", v[i] / 1000 } }')
  # h2load's mean connect time (min max mean sd), in ms whatever its unit
  conn=$(awk '/^time for connect:/ { v = $6; n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/) n *= 1000; printf "%.2f", n }' "$out")
  if [ "$rc" != 0 ] || [ -z "$rps" ] || [ "${ok:-0}" != "$n" ]; then
    fail "h2load $row (run $run) exit $rc, $ok of $n answered 2xx"; tail -n 12 "$out" >&2
  fi
  grep -q "TLSv1.3" "$out" || [[ $row == *plain ]] || fail "h2load $row did not use TLS 1.3"
  add "$row.rps" "${rps:-0}"; add "$row.p99" "${p99:-0}"; add "$row.conn" "${conn:-n/a}"
  add "$row.fail" "$(( n - ${ok:-0} ))"
  log "  $row: ${rps} req/s, p99 ${p99} ms, connect mean ${conn}, $ok/$n 2xx"
}

log "throughput x$RUNS (h2load -t 1, $CLIENTS clients; rows rotate)"
for i in $(seq "$RUNS"); do
  note_load
  for k in $(seq 0 $((${#ROWS[@]} - 1))); do
    one_load "${ROWS[$(( (k + i - 1) % ${#ROWS[@]} ))]}" "$i"
  done
done

# ---------------------------------------------------------------------------------------------
# 3. A forced renewal under constant HTTPS load (curl as a browser would: HTTP/1.1 keep-alive, or
#    HTTP/2 multiplexed, 8 in flight)
# ---------------------------------------------------------------------------------------------
renew_under_load() { # PROTO RUN
  local proto=$1 run=$2 out=$tmp/logs/renew-$1-$2.out err=$tmp/logs/renew-$1-$2.err before after file t0 tr alive total bad
  local retried gaveup
  before=$(served_fingerprint)
  [ -n "$before" ] || { fail "no certificate served before the renewal"; return; }
  note_load
  timeout --signal=INT "$LOAD_TIMEOUT" curl -sS -v --no-progress-meter "--$proto" -Z --parallel-max 8 --max-time 10 \
    --resolve "$T_DOMAIN:443:127.0.0.1" --cacert "$tmp/root.pem" -w '\nSTATUS %{http_code}\n' \
    "https://$T_DOMAIN/?n=[1-$RENEW_REQUESTS]" >"$out" 2>"$err" &
  load_pid=$!
  sleep 1
  t0=$EPOCHREALTIME
  /usr/bin/python3 -I /usr/local/lib/hoist/hoist-acme ensure "/etc/hoist/tls/$T_APP" --force \
    >"$tmp/logs/acme-$proto-$run.json" 2>&1 || fail "hoist-acme exited $? (run $run)"
  tr=$(secs "$t0" "$EPOCHREALTIME")
  grep -q '"action": "renewed"' "$tmp/logs/acme-$proto-$run.json" || { fail "no renewal (run $run)"; cat "$tmp/logs/acme-$proto-$run.json" >&2; }
  sleep 1
  alive=no; kill -0 "$load_pid" 2>/dev/null && alive=yes
  kill -INT "$load_pid" 2>/dev/null || true
  wait "$load_pid" || true
  load_pid=""
  [ "$alive" = yes ] || fail "the $proto load ended before the renewal did (raise RENEW_REQUESTS)"
  total=$(grep -c '^STATUS ' "$out" || true)
  bad=$(grep '^STATUS ' "$out" | grep -vc '^STATUS 200$' || true)
  after=$(served_fingerprint); file=$(file_fingerprint)
  local changed=no
  [ -n "$after" ] && [ "$after" != "$before" ] && [ "$after" = "$file" ] && changed=yes
  [ "$changed" = yes ] || fail "the served certificate did not change to the renewed one ($proto, run $run)"
  # curl -v says when it resends a request because the reused connection it was sent on had died
  # (closed by the reload), and when it gives up after 5 such retries (curl 7.88's CONN_MAX_RETRIES).
  retried=$(grep -c 'retrying a fresh connect (retry count: 1)' "$err" || true)
  gaveup=$(grep -c 'tried 5 times before giving up' "$err" || true)
  grep -E '^curl: \(|retrying a fresh connect|giving up' "$err" >"$err.kept" || true
  mv "$err.kept" "$err"
  if [ "$bad" != 0 ]; then
    log "  $bad failed requests ($proto, run $run), $gaveup of them after curl's 5 retries on dead reused connections:"
    grep '^curl: (' "$err" | sort | uniq -c | head >&2
    [ "$bad" -le "$gaveup" ] || fail "$((bad - gaveup)) failed requests during the renewal not explained by curl's retry limit ($proto, run $run)"
  fi
  add "renew.$proto.total" "$total"; add "renew.$proto.bad" "$bad"; add "renew.$proto.time" "$tr"
  add "renew.$proto.changed" "$changed"; add "renew.$proto.retried" "$retried"; add "renew.$proto.gaveup" "$gaveup"
  log "  $proto: $total requests, $bad failed ($gaveup gave up after 5 retries), $retried resent on a new connection, renewal ${tr}s, served certificate changed: $changed"
}

# The same renewal under h2load, a client that neither retries a request nor reopens a connection the
# server closed: $CLIENTS connections at RENEW_RPS requests/s each, 1000 requests each (nginx's
# keepalive_requests), so the load lasts ~1000 / RENEW_RPS s. Its --log-file has one line per request
# sent (status, or -1 when the connection failed under it); requests never sent are those its client
# abandoned after the server closed the connection (nginx's graceful reload closes idle keep-alive
# connections and sends HTTP/2 GOAWAY). -N 5s ends a connection idle for 5 s: a client that reopened its
# connection after nginx's "Connection: close" sends nothing more in --rps mode (h2load 1.52) and would
# otherwise sit until nginx's keepalive_timeout (75 s).
renew_under_h2load() { # PROTO RUN
  local proto=$1 run=$2 out=$tmp/logs/renew-h2load-$1-$2.txt lf=$tmp/logs/renew-h2load-$1-$2.log t0 tr alive sent bad
  local n=$((1000 * CLIENTS)) h1=()
  [ "$proto" = http1.1 ] && h1=(--h1)
  note_load
  timeout --signal=INT "$LOAD_TIMEOUT" h2load -t 1 "${h1[@]}" -c "$CLIENTS" -m 1 -n "$n" --rps "$RENEW_RPS" -N 5s \
    --log-file="$lf" --connect-to=127.0.0.1:443 "https://$T_DOMAIN/" >"$out" 2>&1 &
  load_pid=$!
  sleep 1
  t0=$EPOCHREALTIME
  /usr/bin/python3 -I /usr/local/lib/hoist/hoist-acme ensure "/etc/hoist/tls/$T_APP" --force \
    >"$tmp/logs/acme-h2load-$proto-$run.json" 2>&1 || fail "hoist-acme exited $? (run $run)"
  tr=$(secs "$t0" "$EPOCHREALTIME")
  grep -q '"action": "renewed"' "$tmp/logs/acme-h2load-$proto-$run.json" || fail "no renewal (h2load $proto, run $run)"
  alive=no; kill -0 "$load_pid" 2>/dev/null && alive=yes
  wait "$load_pid" || fail "h2load ($proto, run $run) exited $?"
  load_pid=""
  [ "$alive" = yes ] || fail "the h2load $proto load ended before the renewal did (lower RENEW_RPS)"
  sent=$(grep -c . "$lf" || true)
  bad=$(awk -F'\t' '$2 != 200' "$lf" | grep -c . || true)
  add "renewh.$proto.sent" "$sent"; add "renewh.$proto.bad" "$bad"; add "renewh.$proto.unsent" "$((n - sent))"
  add "renewh.$proto.time" "$tr"
  log "  h2load $proto: $n requests, $sent sent, $bad of them failed, $((n - sent)) never sent; renewal ${tr}s"
}

log "forced renewal under load x$RUNS"
for i in $(seq "$RUNS"); do
  if [ $((i % 2)) = 1 ]; then renew_under_load http1.1 "$i"; renew_under_load http2 "$i"
  else renew_under_load http2 "$i"; renew_under_load http1.1 "$i"; fi
  renew_under_h2load http1.1 "$i"
  renew_under_h2load http2 "$i"
done
bench_secs=$(secs "$bench_start" "$EPOCHREALTIME")

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
jdk=$(bash -c '. "$1/scripts/find-jdk.sh" >/dev/null 2>&1 && echo "$JAVA_HOME"' _ "$(dirname "$HOIST")" 2>/dev/null || true)
loadstats() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { printf "median %.2f, min %.2f, max %.2f\n", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
m() { median <<<"${V[$1]:-}"; }
sum() { awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }' <<<"$1"; }
report() {
  echo "## HTTPS through nginx: throughput, first certificate, renewal under load (\`tls-bench.sh\`)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) CPUs ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Debian $(cat /etc/debian_version)"
  echo "- load average (1 min) when each measurement started: $(loadstats <<<"$LOADS")"
  echo "- hoist: $(ver "$HOIST" --version) (snapshot from commit $hoist_commit, jar sha256 $jar_sha), JVM: $( [ -n "$jdk" ] && ver "$jdk/bin/java" -version || echo '?')"
  echo "- nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') (worker_processes $(sed -n 's/^worker_processes *\([^;]*\);.*/\1/p' /etc/nginx/nginx.conf)), gunicorn $(/usr/bin/python3 -c 'import gunicorn; print(gunicorn.__version__)' 2>/dev/null), $(ver h2load --version), curl $(curl --version | awk 'NR == 1 { print $2 }'), $(ver openssl version | awk '{ print $1, $2 }'), certbot $(dpkg-query -W -f '${Version}' certbot), pebble $(dpkg-query -W -f '${Version}' pebble)"
  echo "- runs: $RUNS; benchmark time ${bench_secs}s"
  echo
  echo "### Through nginx, side by side"
  echo
  echo "\`h2load -t 1\` on 127.0.0.1 (\`--connect-to\`, SNI and Host the app's domain), the same hello app behind each"
  echo "(benchtls over HTTPS, benchplain with \`tls: false\` for plain HTTP). Keep-alive rows: $REQUESTS requests, $CLIENTS"
  echo "connections; new-connection rows: $NEW_REQUESTS requests with \`Connection: close\`, $CLIENTS at a time, so"
  echo "each request opens a connection (and does a full TLS 1.3 handshake: h2load never resumes a session)."
  echo "p99 = 99th percentile of h2load's per-request times (\`--log-file\`: from sending the request to the end"
  echo "of its response; not the connect or handshake). Medians of $RUNS runs, all runs in brackets; rows rotate"
  echo "within each round."
  echo
  echo "| | requests/s | p99 | mean connect (TCP + TLS) | failed |"
  echo "|---|---:|---:|---:|---:|"
  local row
  for row in "${ROWS[@]}"; do
    printf '| %s | %s [%s] | %s ms [%s] | %s | %s |\n' "$(row_label "$row")" \
      "$(m "$row.rps" | awk '{ printf "%.0f", $1 }')" "$(runs_of "$(awk '{ for (i = 1; i <= NF; i++) printf " %.0f", $i }' <<<"${V[$row.rps]}")")" \
      "$(m "$row.p99")" "$(runs_of "${V[$row.p99]}")" "$(m "$row.conn") ms" "$(sum "${V[$row.fail]}")"
  done
  echo
  echo "New TLS handshakes per second (HTTPS/1.1, one request per connection): $(m newtls.rps | awk '{ printf "%.0f", $1 }')/s, against $(m newplain.rps | awk '{ printf "%.0f", $1 }')/s new plain connections."
  echo
  echo "### First deploy to a served certificate"
  echo
  echo "Each run removes the app first (service, files, nginx site, user, and the TLS parts: the renewal service,"
  echo "/etc/hoist/tls/APP, /var/lib/hoist/acme/APP), so the deploy is a first deploy with a new ACME account."
  echo "Wall clock from the start of \`hoist deploy DIR\` (JVM included) until the command returns, and until"
  echo "\`curl --resolve … --cacert <pebble root>\` (polled every 50 ms from the start) first answers 200. Medians of $RUNS."
  echo
  echo "| first deploy | \`hoist deploy\` returns | first 200 | all runs (first 200) |"
  echo "|---|---:|---:|---|"
  echo "| HTTPS, certificate from pebble (benchtls.example.com) | $(m first.tls.cmd) s | $(m first.tls.200) s | $(runs_of "${V[first.tls.200]:-}") |"
  echo "| plain HTTP, \`tls: false\` (benchplain.example.com) | $(m first.plain.cmd) s | $(m first.plain.200) s | $(runs_of "${V[first.plain.200]:-}") |"
  echo "| cost of the certificate | $(awk -v a="$(m first.tls.cmd)" -v b="$(m first.plain.cmd)" 'BEGIN { printf "%.2f", a - b }') s | $(awk -v a="$(m first.tls.200)" -v b="$(m first.plain.200)" 'BEGIN { printf "%.2f", a - b }') s | |"
  echo
  echo "### Forced renewal under HTTPS load"
  echo
  echo "\`/usr/bin/python3 -I /usr/local/lib/hoist/hoist-acme ensure /etc/hoist/tls/$T_APP --force\` (certbot against"
  echo "pebble, then nginx's graceful reload) while curl loads https://$T_DOMAIN/ (\`-Z --parallel-max 8\`, at"
  echo "most $RENEW_REQUESTS requests and ${LOAD_TIMEOUT} s; started 1 s before the renewal, stopped 1 s after it). failed = every"
  echo "answer other than 200, curl errors included. curl resends a request whose reused connection turns out closed"
  echo "(counted from \`-v\`: \"retrying a fresh connect\"), at most 5 times. Served certificate changed = the"
  echo "fingerprint \`openssl s_client\` sees differs from before and equals the renewed cert.pem."
  echo
  echo "| load | requests (median) | failed, all runs [per run] | of them: curl gave up after 5 retries | requests curl resent (all runs) | renewal time | served certificate changed |"
  echo "|---|---:|---:|---:|---:|---:|---|"
  local p
  for p in http1.1 http2; do
    printf '| %s | %s | %s [%s] | %s | %s | %s s | %s |\n' \
      "$( [ $p = http2 ] && echo "curl HTTP/2, multiplexed" || echo "curl HTTPS/1.1, keep-alive")" \
      "$(m "renew.$p.total" | awk '{ printf "%.0f", $1 }')" "$(sum "${V[renew.$p.bad]}")" \
      "$(runs_of "${V[renew.$p.bad]}")" "$(sum "${V[renew.$p.gaveup]}")" "$(sum "${V[renew.$p.retried]}")" \
      "$(m "renew.$p.time")" "$(runs_of "${V[renew.$p.changed]}")"
  done
  echo
  echo "The same renewal under h2load, a client that never retries a request nor opens a new connection when the"
  echo "server closes one: $CLIENTS connections x $RENEW_RPS requests/s, 1000 requests each ($((1000 * CLIENTS)) in all, ~$((1000 / RENEW_RPS)) s; the"
  echo "renewal starts after 1 s). sent = requests h2load sent (one line each in its \`--log-file\`); failed = sent"
  echo "without a 200 (error status, or the connection failed under the request); never sent = requests its"
  echo "clients gave up on after nginx closed their connection (the reload's HTTP/2 GOAWAY or idle keep-alive close)."
  echo
  echo "| load | sent (median) | failed [per run] | never sent [per run] | renewal time |"
  echo "|---|---:|---:|---:|---:|"
  for p in http1.1 http2; do
    printf '| %s | %s | %s [%s] | %s [%s] | %s s |\n' \
      "$( [ $p = http2 ] && echo "h2load HTTP/2, $CLIENTS connections" || echo "h2load HTTPS/1.1 keep-alive, $CLIENTS connections")" \
      "$(m "renewh.$p.sent" | awk '{ printf "%.0f", $1 }')" "$(sum "${V[renewh.$p.bad]}")" "$(runs_of "${V[renewh.$p.bad]}")" \
      "$(sum "${V[renewh.$p.unsent]}")" "$(runs_of "${V[renewh.$p.unsent]}")" "$(m "renewh.$p.time")"
  done
  echo
  echo "Target (issue 9): 0 failed requests during a renewal under load."
  echo
  echo "| load | failed, all runs | |"
  echo "|---|---:|---|"
  for p in http1.1 http2; do
    echo "| curl $p | $(sum "${V[renew.$p.bad]}") | $(met "$(sum "${V[renew.$p.bad]}")" 0) |"
  done
  for p in http1.1 http2; do
    echo "| h2load $p (requests sent) | $(sum "${V[renewh.$p.bad]}") | $(met "$(sum "${V[renewh.$p.bad]}")" 0) |"
  done
  if [ "$failures" -gt 0 ]; then
    echo
    echo "**$failures check(s) FAILED during this run; see the log above.**"
  fi
}
if [ -n "${OUT:-}" ]; then report | tee "$OUT"; else report; fi

[ "$failures" -eq 0 ] || exit 1
