# shellcheck shell=sh
# shellcheck disable=SC2154 # shown and values: set by unit_show and show_values (src/node/sh/preamble.sh)
# containerd's facts: its unit, version, config file (the one its ExecStart names, else the default),
# whether that file is newer than the running process, its CRI plugin's state, and (where crictl is)
# what the running CRI uses. Follows src/node/sh/preamble.sh, src/facts/sh/kubelet.sh and
# src/runtimes/containerd/node.sh; variables CONTAINERD_SHOW (the `systemctl show` properties it reads)
# and RUNTIMES_WANTED (`auto`, or the runtimes the plays name). The version and the CRI's state cost a Go
# binary's start each: read where containerd is named, or (auto) where it may be the runtime to configure
# (no dockerd here, or kubelet talks to containerd). Adds containerd's files to `managed_files`.
case " ${RUNTIMES_WANTED:-auto} " in
  *" containerd "*) detail=full ;;
  " auto ")
    if ! has dockerd || kubelet_mentions containerd.sock; then detail=full; else detail=brief; fi ;;
  *) detail=brief ;;
esac
# shellcheck disable=SC2086 # CONTAINERD_SHOW is a list of property names
unit_show containerd.service $CONTAINERD_SHOW
cshow=$shown
if [ -n "$cshow" ]; then
  section containerd-show; printf '%s\n' "$cshow"
  # the unit's files, for the environment they give containerd (its proxy)
  show_values FragmentPath "$cshow"
  cfrag=$values
  if [ -n "$cfrag" ] && [ -f "$cfrag" ]; then section containerd-unit-file "$cfrag"; show_text "$cfrag"; fi
  set -f
  show_values DropInPaths "$cshow"
  for f in $values; do
    if [ -f "$f" ]; then section containerd-drop-in "$f"; show_text "$f"; fi
  done
  show_values EnvironmentFiles "$cshow"
  for f in $values; do
    if [ -f "$f" ]; then section containerd-env-file "$f"; show_text "$f"; fi
  done
  set +f
fi
# the config file its ExecStart names (`--config FILE` or `-c FILE`, the last one given)
containerd_config=
show_values ExecStart "$cshow"
while IFS= read -r l; do
  case $l in *'argv[]='*) ;; *) continue ;; esac
  l=${l##*'argv[]='}
  set -f
  # shellcheck disable=SC2086 # the argv's words
  set -- ${l%%;*}
  set +f
  while [ "$#" -gt 1 ]; do
    case $1 in --config|-c) [ -n "$2" ] && containerd_config=$2 ;; esac
    shift
  done
  [ -z "$containerd_config" ] || break
done <<EOF_EXEC
$values
EOF_EXEC
[ -n "$containerd_config" ] || containerd_config=/etc/containerd/config.toml
section containerd-config-file
printf '%s\n' "$containerd_config"
containerd_paths=
if [ -f "$containerd_config" ]; then
  section containerd-config "$containerd_config"
  cat "$containerd_config" 2>/dev/null
  # one awk for what the shell needs of it: `import FILE` for each file it imports (top-level `imports`,
  # before any table) and `path DIRS` for each config_path line (DIRS separated by colons)
  containerd_read=$(awk '
    /^[ \t]*\[/ { top = 1 }
    !top && /^[ \t]*imports[ \t]*=/ { on = 1 }
    on { line = $0; while (match(line, /"[^"]*"|\047[^\047]*\047/)) { print "import " substr(line, RSTART + 1, RLENGTH - 2); line = substr(line, RSTART + RLENGTH) }
         if ($0 ~ /\]/) on = 0 }
    /^[ \t]*config_path[ \t]*=[ \t]*["\047][^"\047]*["\047]/ {
      v = $0; sub(/^[ \t]*config_path[ \t]*=[ \t]*["\047]/, "", v); sub(/["\047].*/, "", v); print "path " v }' "$containerd_config" 2>/dev/null)
  containerd_imports=
  while IFS= read -r _l; do
    case $_l in
      'import '*) containerd_imports="$containerd_imports${_l#import }$NL" ;;
      'path '*) containerd_paths="$containerd_paths${_l#path }$NL" ;;
    esac
  done <<EOF_CREAD
$containerd_read
EOF_CREAD
  # the files it imports, globs expanded as containerd does, relative ones from the config file's
  # directory: their plugin tables replace config.toml's
  if [ -n "$containerd_imports" ]; then
    containerd_dir=$(dirname -- "$containerd_config")
    set -f
    for pattern in $containerd_imports; do
      case $pattern in /*) ;; *) pattern=$containerd_dir/$pattern ;; esac
      set +f
      for f in $pattern; do
        if [ -f "$f" ]; then section containerd-import "$f"; cat "$f" 2>/dev/null; fi
      done
      set -f
    done
    set +f
  fi
fi

cpid=
# shellcheck disable=SC2046 # pidof's PIDs, split; the first is kept
if has pidof; then containerd_first() { cpid=${1:-}; }; containerd_first $(pidof containerd 2>/dev/null); fi
# what a running containerd said before, where the read may take it (PROBE_CACHE=use) and the process and
# binaries are the same (src/runtimes/containerd/node.sh); else its version, CRI state and crictl info are
# asked below
ckept=no
if [ "$detail" = full ] && [ -n "$cpid" ]; then
  containerd_key "$cpid" "$containerd_config"
  if [ "${PROBE_CACHE:-}" = use ] && containerd_kept; then ckept=yes; section probe-kept containerd; fi
fi
if has containerd; then
  if [ "$detail" = full ]; then
    [ "$ckept" = yes ] || cversion=$(t containerd --version 2>&1)
    section containerd-version; printf '%s\n' "$cversion"
  else
    section containerd-installed
  fi
fi

# what planning reads: the config file and the hosts directories, the default one and every one its
# config_path lists
containerd_dirs=/etc/containerd/certs.d
if [ -f "$containerd_config" ]; then
  # config_path's directories are separated by colons
  _ifs=$IFS; IFS=":$NL"
  for d in $containerd_paths; do containerd_dirs="$containerd_dirs $d"; done
  IFS=$_ifs
fi
managed_files="${managed_files:-}
$containerd_config"
for d in $containerd_dirs; do
  managed_files="$managed_files
$d/*/hosts.toml
$d/*/*.crt"
done

# the proxy environment the running containerd has (it never changes its own), and its proxies for the
# node's view of the registries (src/reach/reach.sh reads `reach_proxies`)
if [ -n "$cpid" ] && [ -r "/proc/$cpid/environ" ]; then
  section containerd-environ
  cenv=
  while IFS= read -r l; do
    case $l in HTTPS_PROXY=*|HTTP_PROXY=*|https_proxy=*|http_proxy=*|NO_PROXY=*|no_proxy=*) cenv="$cenv$l$NL" ;; esac
  done <<EOF_CENV
$(tr '\0' '\n' 2>/dev/null < "/proc/$cpid/environ")
EOF_CENV
  cenv=${cenv%"$NL"}
  printf '%s\n' "$cenv"
  if [ -n "$cenv" ]; then
    reach_proxies="${reach_proxies:-}
$(printf '%s\n' "$cenv" | proxies_of containerd)"
  fi
fi
if [ -n "$cpid" ] && [ "$detail" = full ]; then
  section containerd-pid
  printf '%s\n' "$cpid"
  # whether config.toml was written after the process started: its time came with the key's one `stat`,
  # the start from /proc (no process but `date`)
  _up=
  { read -r _up _ < /proc/uptime; } 2>/dev/null || _up=
  if [ -n "$cconfig_time" ] && [ -n "$cstart" ] && [ -n "$_up" ] && _now=$(date +%s.%N 2>/dev/null); then
    _newer=$(containerd_newer "$cconfig_time" "$cstart" "$_now" "$_up")
    if [ -n "$_newer" ]; then section containerd-config-newer; printf '%s\n' "$_newer"; fi
  fi
  if [ "$ckept" = no ]; then
    ccri=$(containerd_cri_status)
    ccrictl=
    if has crictl; then ccrictl=$(t crictl --runtime-endpoint "$CONTAINERD_ENDPOINT" info 2>/dev/null); fi
    containerd_keep
  fi
  section containerd-cri
  printf '%s\n' "$ccri"
  if has crictl; then
    section crictl-info
    printf '%s\n' "$ccrictl"
  fi
fi
