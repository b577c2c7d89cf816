# bench/floor-check.sh: the floor for `dockhand check` on a converged node: what a minimal drift check
# does: read the same files and `docker info` once, compare, exit 0 (no drift) or 3 (drift).
# Sent like floor.sh: the node's values, bench/floor-lib.sh (check_pins_and_ca, miss), then this.
check_pins_and_ca /etc/docker/certs.d
dropin=$(cat /etc/systemd/system/docker.service.d/docker-options.conf 2>/dev/null)
info=$(docker info 2>/dev/null)
for flag in $DOCKER_OPTS_VALUE; do
  case "$dropin" in *"$flag"*) ;; *) miss "drop-in $flag" ;; esac
  value=${flag#--insecure-registry=}
  case "$info" in *" $value"*) ;; *) miss "dockerd $value" ;; esac
done
exit $((drift * 3))
