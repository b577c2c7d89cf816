# shellcheck shell=sh
# containerd's facts: its unit, version, config file (the one its ExecStart names, else the default),
# whether that file is newer than the running process, its CRI plugin's state, and (where crictl is)
# what the running CRI uses. Follows src/node/sh/preamble.sh and kubelet.sh; variables CONTAINERD_SHOW
# (the `systemctl show` property arguments) and CONTAINERD_FACTS: `full`, or `auto`: the version and the
# CRI's state only where containerd may be the runtime to configure (no dockerd here, or kubelet talks to
# containerd); each costs a Go binary's start. Sets `containerd_config` for the parts that follow.
detail=${CONTAINERD_FACTS:-full}
if [ "$detail" = auto ]; then
  if ! has dockerd || [ "${kubelet_says_containerd:-no}" = yes ]; then detail=full; else detail=brief; fi
fi
cshow=
if has systemctl; then
  # shellcheck disable=SC2086 # CONTAINERD_SHOW is a list of arguments
  cshow=$(t systemctl show containerd.service $CONTAINERD_SHOW --no-pager 2>/dev/null)
fi
if [ -n "$cshow" ]; then section containerd-show; printf '%s\n' "$cshow"; fi
if has containerd; then
  if [ "$detail" = full ]; then section containerd-version; t containerd --version 2>&1; else section containerd-installed; fi
fi

containerd_config=$(printf '%s\n' "$cshow" | sed -n 's/^ExecStart=.*argv\[\]=[^;]* \(--config\|-c\) \([^ ;]*\).*/\2/p' | head -n 1)
[ -n "$containerd_config" ] || containerd_config=/etc/containerd/config.toml
section containerd-config-file
printf '%s\n' "$containerd_config"
if [ -f "$containerd_config" ]; then section containerd-config "$containerd_config"; cat "$containerd_config" 2>/dev/null; fi

cpid=
if has pidof; then cpid=$(pidof containerd 2>/dev/null | awk '{ print $1 }'); fi
if [ -n "$cpid" ] && [ "$detail" = full ]; then
  section containerd-pid
  printf '%s\n' "$cpid"
  age=$(ps -o etimes= -p "$cpid" 2>/dev/null | tr -d ' ')
  if [ -n "$age" ] && [ -f "$containerd_config" ]; then
    section containerd-config-newer
    if [ "$(stat -c %Y "$containerd_config")" -gt $(( $(date +%s) - age )) ]; then echo yes; else echo no; fi
  fi
  section containerd-cri
  cri_status
  if has crictl; then
    section crictl-info
    t crictl --runtime-endpoint unix:///run/containerd/containerd.sock info 2>/dev/null
  fi
fi
