#!/usr/bin/env bash
# Prepares a machine (Debian 12, root) to run dockhand's lab and test suite:
# Docker engine, debootstrap and shellcheck from Debian's packages, a running dockerd, the npm dependencies.
# Safe to run again: it installs and starts only what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { printf 'setup-host: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "run as root (the lab builds images with debootstrap and runs dockerd)"; exit 1
fi

packages=()
command -v dockerd >/dev/null 2>&1 || packages+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || packages+=(debootstrap)
command -v openssl >/dev/null 2>&1 || packages+=(openssl)
command -v ssh-keygen >/dev/null 2>&1 || packages+=(openssh-client)
command -v shellcheck >/dev/null 2>&1 || packages+=(shellcheck)
# the report tests read dockhand's files with consumers it did not write: node_exporter, junitparser
command -v prometheus-node-exporter >/dev/null 2>&1 || packages+=(prometheus-node-exporter)
/usr/bin/python3 -c 'import junitparser' >/dev/null 2>&1 || packages+=(python3-junitparser)
command -v script >/dev/null 2>&1 || packages+=(bsdutils)
# the node transaction's power-loss test traces the worker's system calls on a node with this strace
command -v strace >/dev/null 2>&1 || packages+=(strace)
# promtool (from Debian's prometheus package) checks and tests the README's alerting rules
command -v promtool >/dev/null 2>&1 || packages+=(prometheus)
if [ "${#packages[@]}" -gt 0 ]; then
  log "installing ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # no service these packages bring starts here (prometheus would listen on :9090): a policy for the
  # install only, where the machine has none of its own
  policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 0755 "$policy"
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  if [ -n "$policy" ]; then rm -f "$policy"; trap - EXIT; fi
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { log "dockerd did not start; see /var/log/dockerd.log"; tail -20 /var/log/dockerd.log >&2; exit 1; }
fi

# Past about 16 systemd containers, systemd fails to start without more inotify instances.
current=$(sysctl -n fs.inotify.max_user_instances 2>/dev/null || echo 0)
if [ "$current" -lt 8192 ]; then sysctl -qw fs.inotify.max_user_instances=8192 || true; fi

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies"
  # npm checks "engines" against the Node.js running npm (Debian 12's is 20): dockhand and a test dependency
  # ask for a newer one, which npm installs (node_modules/.bin/node) and every npm script then runs on. Its
  # EBADENGINE warnings are harmless here, and said once in our own words instead.
  output=$(npm ci --no-audit --no-fund 2>&1) || { printf '%s\n' "$output" >&2; exit 1; }
  printf '%s\n' "$output" | grep -v '^npm warn EBADENGINE' >&2 || true
  system_node=$(node --version 2>/dev/null || echo none)
  case "$system_node" in
    v2[4-9].*|v[3-9][0-9].*) ;;
    *) log "the system's Node.js ($system_node) is older than dockhand needs: npm installed Node.js $(node_modules/.bin/node --version), which npm run and npx use" ;;
  esac
fi
log "ready"
