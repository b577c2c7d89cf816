# bench/floor-containerd-check.sh: the floor for `dockhand check` on a converged containerd node: what a
# minimal drift check does: read the same files, whether the running containerd started after its
# config.toml was written, and `ctr plugins ls` once; compare; exit 0 (no drift) or 3 (drift).
# Sent like floor-containerd.sh: the node's values, bench/floor-lib.sh (check_pins_and_ca, miss), then
# this.
certs=/etc/containerd/certs.d
config=/etc/containerd/config.toml

check_pins_and_ca "$certs"
[ "$(cat "$certs/$HTTP_HOST/hosts.toml" 2>/dev/null)" = "# Managed by dockhand: changes made here are replaced on the next apply.
server = \"http://$HTTP_HOST\"

[host.\"http://$HTTP_HOST\"]
  capabilities = [\"pull\", \"resolve\", \"push\"]

[host.\"https://$HTTP_HOST\"]
  capabilities = [\"pull\", \"resolve\", \"push\"]
  skip_verify = true" ] || miss "hosts.toml $HTTP_HOST"
[ "$(cat "$certs/$HTTPS_HOST/hosts.toml" 2>/dev/null)" = "# Managed by dockhand: changes made here are replaced on the next apply.
server = \"https://$HTTPS_HOST\"

[host.\"https://$HTTPS_HOST\"]
  capabilities = [\"pull\", \"resolve\", \"push\"]
  ca = \"$certs/$HTTPS_HOST/ca.crt\"" ] || miss "hosts.toml $HTTPS_HOST"
grep -Eq "^[[:space:]]*config_path = \"$certs\"" "$config" || miss "config_path"
pid=$(pidof containerd | awk '{ print $1 }')
age=$(ps -o etimes= -p "$pid" 2>/dev/null | tr -d ' ')
if [ -z "$age" ]; then
  miss "containerd not running"
elif [ "$(stat -c %Y "$config")" -gt $(( $(date +%s) - age )) ]; then
  miss "containerd runs on an older $config"
fi
ctr plugins ls 2>/dev/null | grep -q '^io\.containerd\.grpc\.v1 *cri .* ok *$' || miss "CRI plugin"
exit $((drift * 3))
