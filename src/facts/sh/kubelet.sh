# shellcheck shell=sh
# shellcheck disable=SC2154 # shown and values: set by unit_show and show_values (src/node/sh/preamble.sh)
# kubelet: which container runtime it talks to. Its flags live in kubeadm's flags file, its config
# file, Kubespray's and KubeKey's environment files and its unit's drop-ins. Follows
# src/node/sh/preamble.sh. Defines `kubelet_mentions TEXT` for the runtimes' facts that follow.
# shellcheck disable=SC2086 # KUBELET_SHOW is a list of property names
unit_show kubelet.service $KUBELET_SHOW
kshow=$shown
if [ -n "$kshow" ]; then section kubelet-show; printf '%s\n' "$kshow"; fi
# its drop-ins and environment files (one whose path has a blank is not read), in the order systemctl shows them
kfiles=
while IFS= read -r l; do
  case $l in
    DropInPaths=*) kfiles="$kfiles ${l#DropInPaths=}" ;;
    EnvironmentFiles=*" (ignore_errors="*")")
      l=${l#EnvironmentFiles=}
      l=${l% (ignore_errors=*)}
      case $l in *" "*) ;; *) kfiles="$kfiles $l" ;; esac ;;
  esac
done <<EOF_KSHOW
$kshow
EOF_KSHOW
kubelet_files=
set -f
for f in /var/lib/kubelet/kubeadm-flags.env /var/lib/kubelet/config.yaml /etc/kubernetes/kubelet.env \
    /etc/kubernetes/kubelet-config.yaml /etc/default/kubelet /etc/sysconfig/kubelet $kfiles; do
  if [ -f "$f" ] && [ -r "$f" ]; then
    section kubelet-file "$f"
    show_text "$f"
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
