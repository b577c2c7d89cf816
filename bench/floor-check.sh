# bench/floor-check.sh: the floor for `dockhand check` on a converged node: what a minimal drift check
# does: read the same files and `docker info` once, compare, exit 0 (no drift) or 3 (drift).
# Sent like floor.sh: the node's values, bench/floor-lib.sh ($anchor), then this.
drift=0
miss() { echo "drift: $*"; drift=1; }
ca=$(printf '%s' "$CA_B64" | base64 -d)

grep -Eq "^${HTTP_IP}[[:space:]]+$HTTP_HOST([[:space:]]|\$)" /etc/hosts || miss "hosts $HTTP_HOST"
grep -Eq "^${HTTPS_IP}[[:space:]]+$HTTPS_HOST([[:space:]]|\$)" /etc/hosts || miss "hosts $HTTPS_HOST"
[ "$(cat "/etc/docker/certs.d/$HTTPS_HOST/ca.crt" 2>/dev/null)" = "$ca" ] || miss certs.d
# shellcheck disable=SC2154 # anchor: set by bench/floor-lib.sh
[ "$(cat "$anchor" 2>/dev/null)" = "$ca" ] || miss "trust anchor"
dropin=$(cat /etc/systemd/system/docker.service.d/docker-options.conf 2>/dev/null)
info=$(docker info 2>/dev/null)
for flag in $DOCKER_OPTS_VALUE; do
  case "$dropin" in *"$flag"*) ;; *) miss "drop-in $flag" ;; esac
  value=${flag#--insecure-registry=}
  case "$info" in *" $value"*) ;; *) miss "dockerd $value" ;; esac
done
exit $((drift * 3))
