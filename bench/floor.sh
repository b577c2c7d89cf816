# bench/floor.sh: the floor for `dockhand apply` on a fresh Docker node: the same job, written by hand, no
# checks, no reading first. Run as root with `sh -s` over one ssh connection, after the node's values and
# bench/floor-lib.sh (pin_names, trust_ca). It writes the same bytes dockhand writes.
set -e

pin_names
mkdir -p "/etc/docker/certs.d/$HTTPS_HOST"
printf '%s' "$CA_B64" | base64 -d > "/etc/docker/certs.d/$HTTPS_HOST/ca.crt"
trust_ca

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
