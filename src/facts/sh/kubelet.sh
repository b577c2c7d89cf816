# shellcheck shell=sh
# kubelet: which container runtime it talks to. Its flags live in kubeadm's flags file, its config
# file, Kubespray's and KubeKey's environment files and its unit's drop-ins. Follows
# src/node/sh/preamble.sh. Sets `kubelet_says_containerd` (yes/no) for the runtime facts that follow.
kshow=
if has systemctl; then
  kshow=$(t systemctl show kubelet.service -p LoadState -p ActiveState -p ExecStart -p DropInPaths -p EnvironmentFiles --no-pager 2>/dev/null)
fi
if [ -n "$kshow" ]; then section kubelet-show; printf '%s\n' "$kshow"; fi
kfiles=$(printf '%s\n' "$kshow" | sed -n 's/^DropInPaths=//p; s/^EnvironmentFiles=\([^ ]*\) (ignore_errors=[a-z]*)$/\1/p')
# shellcheck disable=SC2034 # read by runtimes/containerd/facts.sh, which follows
kubelet_says_containerd=no
case $kshow in *containerd.sock*) kubelet_says_containerd=yes ;; esac
set -f
for f in /var/lib/kubelet/kubeadm-flags.env /var/lib/kubelet/config.yaml /etc/kubernetes/kubelet.env \
    /etc/kubernetes/kubelet-config.yaml /etc/default/kubelet /etc/sysconfig/kubelet $kfiles; do
  if [ -f "$f" ] && [ -r "$f" ]; then
    section kubelet-file "$f"
    cat "$f" 2>/dev/null
    # shellcheck disable=SC2034 # read by runtimes/containerd/facts.sh
    if grep -q 'containerd\.sock' "$f" 2>/dev/null; then kubelet_says_containerd=yes; fi
  fi
done
set +f
