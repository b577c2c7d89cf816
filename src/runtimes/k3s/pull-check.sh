# shellcheck shell=sh
# The pull check through the CRI of k3s's containerd with crictl, the way kubelet pulls: IMAGE is pulled
# and removed again (unless it was there before). Follows src/node/sh/preamble.sh and
# src/runtimes/k3s/node.sh; variable IMAGE. No login here: crictl takes credentials only on its command
# line, where they must never be.
k3s_crictl() {
  if has k3s; then t k3s crictl --runtime-endpoint "unix://$K3S_SOCKET" "$@"
  elif [ -x /var/lib/rancher/rke2/bin/crictl ]; then t /var/lib/rancher/rke2/bin/crictl --runtime-endpoint "unix://$K3S_SOCKET" "$@"
  elif has crictl; then t crictl --runtime-endpoint "unix://$K3S_SOCKET" "$@"
  else echo 'no crictl here (neither k3s crictl, nor RKE2 bundled one, nor crictl on the PATH)'; return 127
  fi
}
had=no
k3s_crictl inspecti "$IMAGE" >/dev/null 2>&1 && had=yes
k3s_crictl pull "$IMAGE" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ "$had" = no ]; then k3s_crictl rmi "$IMAGE" >/dev/null 2>&1; fi
exit "$rc"
