# bench/floor-lib.sh: what the floor scripts of every runtime share. bench/floor.ts sends each node its
# values (as shell assignments), then this, then its runtime's floor script:
#   FAMILY (debian|rhel) HTTP_HOST HTTP_IP HTTPS_HOST HTTPS_IP CA_B64 (the https registry's CA, base64)
#   DOCKER_OPTS_VALUE (Docker nodes: the DOCKER_OPTS value for the drop-in, or daemon.json's on docker-ce)
# shellcheck shell=sh disable=SC2034 # anchor: used by the scripts that follow
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# the trust anchor dockhand writes for the https registry's CA
case "$FAMILY" in
  debian) anchor="/usr/local/share/ca-certificates/dockhand/$HTTPS_HOST/dockhand-$HTTPS_HOST.crt" ;;
  rhel) anchor="/etc/pki/ca-trust/source/anchors/dockhand-$HTTPS_HOST.crt" ;;
  *) echo "unknown FAMILY: $FAMILY" >&2; exit 1 ;;
esac

# pin_names: the registry names appended to /etc/hosts, in place (a bind mount in the containers, and
# often elsewhere: no rename onto it)
pin_names() {
  cat >> /etc/hosts <<HOSTS
# BEGIN dockhand registry names (managed by dockhand; edits inside are replaced)
$HTTP_IP	$HTTP_HOST
$HTTPS_IP	$HTTPS_HOST
# END dockhand registry names
HOSTS
}

# trust_ca: the https registry's CA as a trust anchor, then the family's trust update
trust_ca() {
  mkdir -p "${anchor%/*}"
  printf '%s' "$CA_B64" | base64 -d > "$anchor"
  if [ "$FAMILY" = rhel ]; then update-ca-trust extract; else update-ca-certificates; fi >/dev/null 2>&1
}

# daemon_json: docker-ce nodes' /etc/docker/daemon.json, as dockhand writes it on a node that has none: the
# insecure registries of DOCKER_OPTS_VALUE (--insecure-registry=VALUE ...)
daemon_json() {
  printf '{\n  "insecure-registries": ['
  sep=
  for flag in $DOCKER_OPTS_VALUE; do
    printf '%s\n    "%s"' "$sep" "${flag#--insecure-registry=}"
    sep=,
  done
  printf '\n  ]\n}\n'
}

# The drift checks: `miss WHAT` records drift (the check exits 3); check_pins_and_ca DIR: the registry names
# in /etc/hosts, the CA in the runtime's DIR/$HTTPS_HOST/ca.crt and as the trust anchor
drift=0
# shellcheck disable=SC2034 # drift: read by the check scripts (exit $((drift * 3)))
miss() { echo "drift: $*"; drift=1; }
check_pins_and_ca() {
  ca=$(printf '%s' "$CA_B64" | base64 -d)
  grep -Eq "^${HTTP_IP}[[:space:]]+$HTTP_HOST([[:space:]]|\$)" /etc/hosts || miss "hosts $HTTP_HOST"
  grep -Eq "^${HTTPS_IP}[[:space:]]+$HTTPS_HOST([[:space:]]|\$)" /etc/hosts || miss "hosts $HTTPS_HOST"
  [ "$(cat "$1/$HTTPS_HOST/ca.crt" 2>/dev/null)" = "$ca" ] || miss certs.d
  [ "$(cat "$anchor" 2>/dev/null)" = "$ca" ] || miss "trust anchor"
}
