#!/bin/sh
# A long-running task under containerd in namespace k8s.io (where kubelet's containers live), started
# without any image: its rootfs is the node's own sleep(1) and the libraries it links. Its shim is a
# process of its own, so the task outlives `systemctl restart containerd`.
#   containerd-task.sh start ID   start the task unless it runs, and print its PID
#   containerd-task.sh pid ID     print its PID; exit 1 when it does not run
set -eu
action=${1:-}
id=${2:-}
ns=k8s.io
root=/var/lib/lab-tasks/$id/rootfs

task_pid() {
  ctr -n "$ns" task ls 2>/dev/null | awk -v id="$id" '$1 == id && $3 == "RUNNING" { print $2 }'
}

case $action in
  start)
    pid=$(task_pid)
    if [ -z "$pid" ]; then
      # a stopped task of the same name (e.g. from before a reboot) is replaced
      ctr -n "$ns" task delete --force "$id" >/dev/null 2>&1 || true
      ctr -n "$ns" container delete "$id" >/dev/null 2>&1 || true
      mkdir -p "$root/bin" "$root/proc" "$root/dev" "$root/sys" "$root/tmp"
      cp /bin/sleep "$root/bin/sleep"
      for lib in $(ldd /bin/sleep | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
      done
      ctr -n "$ns" run -d --rootfs "$root" "$id" /bin/sleep infinity >/dev/null
      pid=$(task_pid)
    fi
    if [ -z "$pid" ]; then echo "task $id did not start" >&2; exit 1; fi
    echo "$pid"
    ;;
  pid)
    pid=$(task_pid)
    if [ -z "$pid" ]; then exit 1; fi
    # the process itself, not only containerd's record of it
    kill -0 "$pid"
    echo "$pid"
    ;;
  *)
    echo "usage: containerd-task.sh start|pid ID" >&2
    exit 2
    ;;
esac
