# bench/floor.sh: the floor for `dockhand apply` on a fresh node: the same job, written by hand, no checks,
# no reading first. Run as root with `sh -s` over one ssh connection; bench/run.ts prepends the per-node
# values as shell assignments:
#   FAMILY (debian|rhel) HTTP_HOST HTTP_IP HTTPS_HOST HTTPS_IP CA_B64 (the https registry's CA, base64)
#   DOCKER_OPTS_VALUE (the DOCKER_OPTS value for the drop-in)
set -e
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# /etc/hosts is a bind mount in the containers (and often elsewhere): append in place
cat >> /etc/hosts <<HOSTS
# BEGIN dockhand registry names (managed by dockhand; edits inside are replaced)
$HTTP_IP	$HTTP_HOST
$HTTPS_IP	$HTTPS_HOST
# END dockhand registry names
HOSTS

mkdir -p "/etc/docker/certs.d/$HTTPS_HOST"
printf '%s' "$CA_B64" | base64 -d > "/etc/docker/certs.d/$HTTPS_HOST/ca.crt"

case "$FAMILY" in
  debian)
    mkdir -p "/usr/local/share/ca-certificates/dockhand/$HTTPS_HOST"
    printf '%s' "$CA_B64" | base64 -d > "/usr/local/share/ca-certificates/dockhand/$HTTPS_HOST/ca.crt"
    update-ca-certificates >/dev/null 2>&1
    ;;
  rhel)
    printf '%s' "$CA_B64" | base64 -d > "/etc/pki/ca-trust/source/anchors/dockhand-$HTTPS_HOST.crt"
    update-ca-trust extract >/dev/null 2>&1
    ;;
  *) echo "unknown FAMILY: $FAMILY" >&2; exit 1 ;;
esac

mkdir -p /etc/systemd/system/docker.service.d
cat > /etc/systemd/system/docker.service.d/docker-options.conf <<DROPIN
[Service]
Environment="DOCKER_OPTS=$DOCKER_OPTS_VALUE"
DROPIN

systemctl daemon-reload
systemctl reset-failed docker.service 2>/dev/null || true
systemctl restart docker.service
n=0
until systemctl is-active --quiet docker.service; do
  n=$((n + 1)); [ "$n" -lt 60 ] || { echo "docker not active" >&2; exit 1; }
  sleep 1
done
