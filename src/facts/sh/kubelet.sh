# shellcheck shell=sh
# kubelet: which container runtime it talks to. Its flags live in kubeadm's flags file, its config
# file, Kubespray's and KubeKey's environment files and its unit's drop-ins. Follows
# src/node/sh/preamble.sh. Defines `kubelet_mentions TEXT` for the runtimes' facts that follow.
kshow=
if has systemctl; then
  kshow=$(t systemctl show kubelet.service -p LoadState -p ActiveState -p ExecStart -p DropInPaths -p EnvironmentFiles --no-pager 2>/dev/null)
fi
if [ -n "$kshow" ]; then section kubelet-show; printf '%s\n' "$kshow"; fi
kfiles=$(printf '%s\n' "$kshow" | sed -n 's/^DropInPaths=//p; s/^EnvironmentFiles=\([^ ]*\) (ignore_errors=[a-z]*)$/\1/p')
kubelet_files=
set -f
for f in /var/lib/kubelet/kubeadm-flags.env /var/lib/kubelet/config.yaml /etc/kubernetes/kubelet.env \
    /etc/kubernetes/kubelet-config.yaml /etc/default/kubelet /etc/sysconfig/kubelet $kfiles; do
  if [ -f "$f" ] && [ -r "$f" ]; then
    section kubelet-file "$f"
    cat "$f" 2>/dev/null
    kubelet_files="$kubelet_files $f"
  fi
done
set +f

# kubelet_mentions TEXT: kubelet's unit or one of its files says TEXT (e.g. a runtime's socket)
kubelet_mentions() {
  case $kshow in *"$1"*) return 0 ;; esac
  # shellcheck disable=SC2086 # a list of paths without blanks
  [ -n "$kubelet_files" ] && grep -qsF -- "$1" $kubelet_files
}
