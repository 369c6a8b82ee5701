#!/usr/bin/env bash
# Installs, from Debian's archive, what the tests use: the stack the examples deploy onto (the
# first deploy would install most of it too), the example apps' frameworks, OpenSSH (server,
# client, ssh-agent) and sudo for SshNodeIT, which runs its own sshd on a loopback port, and what
# `hoist lab` needs to build and run local test nodes (debootstrap, ip, nft, unshare, mount, and
# systemd-nspawn for `--init systemd` nodes), HAProxy and openssl so the balancer's generated
# config is checked by the real `haproxy -c`, pyflakes, which checks the node agent's Python, and
# Let's Encrypt's test CA pebble (with pebble-challtestsrv) and certbot, for certificates from ACME;
# PostgreSQL, Redis and restic for the app's backing services and backups, and the Django
# example's database drivers and Redis client (psycopg2, dj-database-url, redis); Chromium and
# its ChromeDriver, in which DashboardIT clicks through hoist server's dashboard; the Prometheus
# Python client, whose text-format parser ServerApiIT reads /metrics with.
# Quick when present. Debian's openssh-server postinst may try to start the system sshd: with no
# systemd that is harmless (the tests never use port 22), and a second run installs nothing.
set -euo pipefail
packages=(nginx runit gunicorn python3-venv python3-flask python3-django curl ca-certificates
  openssh-server openssh-client sudo debootstrap systemd-container iproute2 nftables util-linux mount procps
  haproxy openssl python3-pyflakes pebble certbot
  postgresql postgresql-client redis-server restic python3-psycopg2 python3-dj-database-url python3-redis
  chromium chromium-driver python3-prometheus-client)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-test-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -q
  apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${missing[@]}"
fi
