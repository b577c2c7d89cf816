# shellcheck shell=sh
# shellcheck disable=SC2154 # shown and values: set by unit_show and show_values (src/node/sh/preamble.sh)
# Docker's facts: how docker.service is wired into systemd (its unit, drop-ins, environment files),
# /etc/docker/daemon.json, and what a running dockerd reports. Follows src/node/sh/preamble.sh and
# src/runtimes/docker/node.sh;
# variable DOCKER_SHOW (the `systemctl show` properties it reads). Adds dockerd's proxies to `reach_proxies`.
# shellcheck disable=SC2086 # DOCKER_SHOW is a list of property names
unit_show docker.service $DOCKER_SHOW
show=$shown
# dump NAME FILE: a file's content as its own section
dump() { if [ -f "$2" ] && [ -r "$2" ]; then section "$1" "$2"; show_text "$2"; fi; }
if [ -n "$show" ]; then
  section systemctl-show
  printf '%s\n' "$show"
  show_values FragmentPath "$show"
  frag=$values
  show_values DropInPaths "$show"
  dropins=$values
  show_values EnvironmentFiles "$show"
  envfiles=$values
  if [ -n "$frag" ] && [ "$frag" != /dev/null ]; then dump unit-file "$frag"; fi
  set -f
  for f in $dropins; do dump drop-in "$f"; done
  for f in $envfiles; do dump env-file "$f"; done
  set +f
fi

if [ -e /etc/docker/daemon.json ]; then
  section daemon-json /etc/docker/daemon.json
  cat /etc/docker/daemon.json 2>&1
fi

pids=
# no dockerd in the PATH and no docker.service: no dockerd to look for (a containerd or CRI-O node)
if ! has dockerd && [ -z "$show" ]; then
  :
elif has pidof; then
  pids=$(pidof dockerd 2>/dev/null)
else
  for d in /proc/[0-9]*; do
    if [ "$(cat "$d/comm" 2>/dev/null)" = dockerd ]; then pids="$pids ${d#/proc/}"; fi
  done
fi
section dockerd-pids
if [ -n "$pids" ]; then printf '%s\n' "$pids"; fi

# A running daemon tells its version in docker info; starting the dockerd binary costs ~50 ms of
# CPU, so only a stopped one is asked.
if has dockerd; then
  section dockerd-version
  if [ -z "$pids" ]; then t dockerd --version 2>&1; fi
fi

if [ -n "$pids" ] && has docker; then
  show_values ExecMainStartTimestamp "$show"
  docker_key "$pids" "$values"
  # what the same daemon said before, where the read may take it (PROBE_CACHE=use); else docker info
  if [ "${PROBE_CACHE:-}" = use ] && docker_kept; then
    section probe-kept docker
  else
    docker_probe "$pids"
  fi
  section docker-state
  # shellcheck disable=SC2154 # set by docker_probe or docker_kept (src/runtimes/docker/node.sh)
  printf '%s\n' "$dstate"
  # the proxies the running dockerd uses, for the node's view of the registries (src/reach/reach.sh reads
  # `reach_proxies`)
  # shellcheck disable=SC2154 # set by docker_probe or docker_kept (src/runtimes/docker/node.sh)
  reach_proxies="${reach_proxies:-}
$dproxies"
fi
