# bench/floor-daemon-json-check.sh: the floor for `dockhand check` on a converged docker-ce node: read the
# same files (daemon.json instead of the drop-in) and `docker info` once, compare, exit 0 (no drift) or 3.
# Sent like floor-daemon-json.sh: the node's values, bench/floor-lib.sh (check_pins_and_ca, miss), then this.
check_pins_and_ca /etc/docker/certs.d
json=$(cat /etc/docker/daemon.json 2>/dev/null)
info=$(docker info 2>/dev/null)
for flag in $DOCKER_OPTS_VALUE; do
  value=${flag#--insecure-registry=}
  case "$json" in *"\"$value\""*) ;; *) miss "daemon.json $value" ;; esac
  case "$info" in *" $value"*) ;; *) miss "dockerd $value" ;; esac
done
exit $((drift * 3))
