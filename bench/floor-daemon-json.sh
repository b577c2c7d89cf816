# bench/floor-daemon-json.sh: the floor for `dockhand apply` on a fresh docker-ce node, whose unit ignores
# $DOCKER_OPTS: the same job through /etc/docker/daemon.json (absent on a fresh node), written by hand, no
# checks, no reading first. Sent like floor.sh: the node's values, bench/floor-lib.sh (daemon_json), then
# this. It writes the same bytes dockhand writes; dockerd reloads its registry options on SIGHUP
# (`systemctl reload`): no restart. The reload returns before dockerd has re-read the file, so it waits
# (polled every 0.1 s) until `docker info` lists the http registry, as dockhand's effect check does.
set -e

pin_names
mkdir -p "/etc/docker/certs.d/$HTTPS_HOST"
printf '%s' "$CA_B64" | base64 -d > "/etc/docker/certs.d/$HTTPS_HOST/ca.crt"
trust_ca

daemon_json > /etc/docker/daemon.json

systemctl reload docker.service
n=0
until docker info 2>/dev/null | grep -q " $HTTP_HOST\$"; do
  n=$((n + 1)); [ "$n" -lt 300 ] || { echo "dockerd did not reload daemon.json" >&2; exit 1; }
  sleep 0.1
done
