# shellcheck shell=sh
# shellcheck disable=SC2154 # shown and values: set by unit_show and show_values (src/node/sh/preamble.sh)
# The containers-image runtime's facts (podman, buildah, skopeo, CRI-O): CRI-O's unit, the registries
# configuration they all read (registries.conf and its drop-ins, in the order containers/image reads
# them), root's own registries.conf, and the file names in the host directories of both certs.d trees.
# Follows src/node/sh/preamble.sh, src/facts/sh/kubelet.sh and src/runtimes/containers/node.sh;
# variables CRIO_SHOW (the `systemctl show` properties it reads) and RUNTIMES_WANTED (`auto`, or the
# runtimes the plays name). A version costs a Go binary's start: read where this runtime is named, or
# (auto) where it may be the one to configure (neither dockerd nor containerd here, or kubelet talks to CRI-O).
case " ${RUNTIMES_WANTED:-auto} " in
  *" containers "*) cdetail=full ;;
  " auto ")
    if kubelet_mentions crio.sock || { ! has dockerd && ! has containerd; }; then cdetail=full; else cdetail=brief; fi ;;
  *) cdetail=brief ;;
esac
# (timestamps in UTC, so they read the same everywhere)
# shellcheck disable=SC2086 # CRIO_SHOW is a list of property names
unit_show crio.service $CRIO_SHOW
crio_unit=$shown
if [ -n "$crio_unit" ]; then section containers-crio-show; printf '%s\n' "$crio_unit"; fi
if [ "$cdetail" = full ]; then
  for tool in podman crio; do
    if has "$tool"; then section containers-version "$tool"; t "$tool" --version 2>&1 | head -n 3; fi
  done
fi

if [ -f /etc/containers/registries.conf ]; then
  section containers-registries-conf /etc/containers/registries.conf
  cat /etc/containers/registries.conf 2>/dev/null
fi
for f in /etc/containers/registries.conf.d/*.conf; do
  if [ -f "$f" ]; then section containers-drop-in "$f"; cat "$f" 2>/dev/null; fi
done
if [ -f ~root/.config/containers/registries.conf ]; then
  section containers-user-conf
  printf '%s\n' ~root/.config/containers/registries.conf
fi
section containers-cert-files
for f in /etc/containers/certs.d/*/* /etc/docker/certs.d/*/*; do
  if [ -f "$f" ]; then printf '%s\n' "$f"; fi
done

# when the registries configuration last changed, against a running CRI-O's last start or reload
case $crio_unit in
  *ActiveState=active*)
    section containers-config-mtime
    stat -c %Y /etc/containers/registries.conf /etc/containers/registries.conf.d /etc/containers/registries.conf.d/*.conf 2>/dev/null | sort -n | tail -n 1 ;;
esac
