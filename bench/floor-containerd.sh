# bench/floor-containerd.sh: the floor for `dockhand apply` on a fresh containerd node (no Docker): the same
# job, written by hand, no checks, no reading first. Run as root with `sh -s` over one ssh connection, after
# the node's values and bench/floor-lib.sh (pin_names, trust_ca). It writes the same bytes dockhand writes.
# config.toml is the package's own (version 2, a CRI plugin table, no registry table): appending the
# registry table with config_path is the whole edit.
set -e

pin_names
certs=/etc/containerd/certs.d
mkdir -p "$certs/$HTTP_HOST" "$certs/$HTTPS_HOST"
cat > "$certs/$HTTP_HOST/hosts.toml" <<TOML
# Managed by dockhand: changes made here are replaced on the next apply.
server = "http://$HTTP_HOST"

[host."http://$HTTP_HOST"]
  capabilities = ["pull", "resolve", "push"]

[host."https://$HTTP_HOST"]
  capabilities = ["pull", "resolve", "push"]
  skip_verify = true
TOML
cat > "$certs/$HTTPS_HOST/hosts.toml" <<TOML
# Managed by dockhand: changes made here are replaced on the next apply.
server = "https://$HTTPS_HOST"

[host."https://$HTTPS_HOST"]
  capabilities = ["pull", "resolve", "push"]
  ca = "$certs/$HTTPS_HOST/ca.crt"
TOML
printf '%s' "$CA_B64" | base64 -d > "$certs/$HTTPS_HOST/ca.crt"
trust_ca

cat >> /etc/containerd/config.toml <<TOML

[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "$certs"
TOML

systemctl reset-failed containerd.service 2>/dev/null || true
systemctl restart containerd.service
n=0
until ctr plugins ls 2>/dev/null | grep -q '^io\.containerd\.grpc\.v1 *cri .* ok *$'; do
  n=$((n + 1)); [ "$n" -lt 100 ] || { echo "containerd's CRI plugin not ok" >&2; exit 1; }
  sleep 0.1
done
