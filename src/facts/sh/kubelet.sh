# kubelet: which container runtime it talks to. Its flags live in kubeadm's flags file, its config
# file, Kubespray's and KubeKey's environment files and its unit's drop-ins. Follows
# src/node/sh/preamble.sh.
kshow=
if has systemctl; then
  kshow=$(t systemctl show kubelet.service -p LoadState -p ActiveState -p ExecStart -p DropInPaths -p EnvironmentFiles --no-pager 2>/dev/null)
fi
if [ -n "$kshow" ]; then section kubelet-show; printf '%s\n' "$kshow"; fi
kfiles=$(printf '%s\n' "$kshow" | sed -n 's/^DropInPaths=//p; s/^EnvironmentFiles=\([^ ]*\) (ignore_errors=[a-z]*)$/\1/p')
set -f
for f in /var/lib/kubelet/kubeadm-flags.env /var/lib/kubelet/config.yaml /etc/kubernetes/kubelet.env \
    /etc/kubernetes/kubelet-config.yaml /etc/default/kubelet /etc/sysconfig/kubelet $kfiles; do
  if [ -f "$f" ] && [ -r "$f" ]; then section kubelet-file "$f"; cat "$f" 2>/dev/null; fi
done
set +f
