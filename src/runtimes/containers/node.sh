# shellcheck shell=sh
# The containers-image runtime on the node (podman, buildah, skopeo, CRI-O): the registries as podman
# reads them, and the functions the node transaction dispatches to (src/node/transaction/worker.sh).
# Definitions only; follows src/node/sh/preamble.sh (and, in the transaction, the worker's helpers:
# wait_active, ACTIVE_WAIT).

# containers_registries: the registries configuration as containers/image merges it, from `podman info`
# (which fails, saying why, where the files cannot be read): `insecure PREFIX` and `mirror PREFIX>LOCATION`
# a line. podman info samples the CPU for a second, so it gets longer than `t` gives.
containers_registries() {
  # shellcheck disable=SC2016 # a Go template, not shell
  _format='{{range $k, $v := .Registries}}{{if ne $k "search"}}{{if $v.Insecure}}insecure {{$k}}
{{end}}{{range $v.Mirrors}}mirror {{$k}}>{{.Location}}
{{end}}{{end}}{{end}}'
  if has timeout; then timeout 60 podman info --format "$_format" </dev/null; else podman info --format "$_format" </dev/null; fi
}

# containers_validate FILE: nothing to run before a drop-in replaces the old one: dockhand renders its
# drop-ins and reads them back before the run, and podman's reading of the whole configuration is
# checked once they are in place (containers_lacking: readable)
containers_validate() {
  return 0
}

# containers_handler ACTION: reload (CRI-O re-reads its registries configuration on SIGHUP; containers
# keep running), or wait (for a reload cut off by a dead worker); on failure the reason on stdout,
# systemctl's own words on stderr (the transaction's log)
containers_handler() {
  case $1 in
    reload)
      timeout "$ACTIVE_WAIT" systemctl reload crio.service >&2 || { echo 'CRI-O did not reload its registries configuration'; return 1; } ;;
    wait)
      wait_active crio.service || { echo 'CRI-O is not active'; return 1; } ;;
    *) echo "containers-image has no $1"; return 1 ;;
  esac
}

# containers_lacking: reads the expectations (KIND [VALUE] a line) on stdin; prints what the node lacks,
# one a line
containers_lacking() {
  _registries=
  _read=no
  while read -r _kind _value; do
    case $_kind in
      crio) systemctl is-active --quiet crio.service || echo 'a running CRI-O' ;;
      readable|insecure|mirror)
        if [ "$_read" = no ]; then
          _read=yes
          if ! _registries=$(containers_registries 2>&1); then
            _read=failed
            printf 'a registries configuration podman can read (podman info: %s)\n' "$(printf '%s\n' "$_registries" | tail -n 1)"
          fi
        fi
        [ "$_read" = yes ] || continue
        case $_kind in
          insecure) printf '%s\n' "$_registries" | grep -qxF "insecure $_value" || echo "insecure registry $_value" ;;
          mirror) printf '%s\n' "$_registries" | grep -qxF "mirror $_value" || echo "mirror ${_value#*>} of ${_value%%>*}" ;;
        esac ;;
    esac
  done
}

# containers_report: how the runtime is after the transaction (for the outcome)
containers_report() {
  if systemctl cat crio.service >/dev/null 2>&1; then printf 'crio %s\n' "$(systemctl is-active crio.service 2>/dev/null)"; fi
  return 0
}

# containers_journal: the end of CRI-O's journal, for a rollback's report (podman has no daemon to ask)
containers_journal() {
  if systemctl cat crio.service >/dev/null 2>&1; then journalctl -u crio.service -n 25 --no-pager -o cat 2>&1 | tail -n 25; fi
  return 0
}
