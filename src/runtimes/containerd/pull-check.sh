# shellcheck shell=sh
# The pull check through containerd's CRI with crictl, the way kubelet pulls: IMAGE is pulled and
# removed again (unless it was there before). Follows src/node/sh/preamble.sh; variable IMAGE. No
# login here: crictl takes credentials only on its command line, where they must never be.
endpoint=unix:///run/containerd/containerd.sock
had=no
crictl --runtime-endpoint "$endpoint" inspecti "$IMAGE" >/dev/null 2>&1 && had=yes
crictl --runtime-endpoint "$endpoint" pull "$IMAGE" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ "$had" = no ]; then crictl --runtime-endpoint "$endpoint" rmi "$IMAGE" >/dev/null 2>&1; fi
exit "$rc"
