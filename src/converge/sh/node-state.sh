# shellcheck shell=sh
# What a node is now, beyond its facts: the content of every file dockhand manages there, which
# installed trust anchors the system bundle lacks, and transactions an earlier run left unfinished.
# Follows src/node/sh/preamble.sh and the facts (whose runtime parts add their own files to
# `managed_files`); variables: MANAGED_FILES (paths and globs, one per line), DEBIAN_ANCHORS,
# RHEL_ANCHORS (globs), DEBIAN_BUNDLE, RHEL_BUNDLE.

# every managed file that exists, byte-exact, a symlink read through: their sizes (one `stat`), then all
# their bytes at once (one `cat` into one `base64`), which the controller splits by the sizes. A process
# per file cost ~3 ms of CPU each on every read. A file that changes between the two reads the controller
# tells by the total and reads the node again; where `stat` is missing or fails, one `base64` per file.
set -f
set --
for pattern in $MANAGED_FILES ${managed_files:-}; do
  set +f
  for f in $pattern; do
    if [ -f "$f" ]; then
      set -- "$@" "$f"
      if [ -L "$f" ]; then section managed-link "$f"; fi
    fi
  done
  set -f
done
set +f
if [ "$#" -gt 0 ]; then
  if ! has stat || ! _sizes=$(stat -L -c %s -- "$@" 2>/dev/null); then _sizes=; fi
  if [ -n "$_sizes" ]; then
    section managed-files
    for f; do
      printf '%s %s\n' "${_sizes%%"$NL"*}" "$f"
      case $_sizes in *"$NL"*) _sizes=${_sizes#*"$NL"} ;; *) _sizes= ;; esac
    done
    section managed-bytes
    cat -- "$@" 2>/dev/null | base64
  else
    for f; do section managed-file "$f"; base64 < "$f"; done
  fi
  set --
fi

section trust-missing
set -f
for pattern in $DEBIAN_ANCHORS $RHEL_ANCHORS; do
  set +f
  for a in $pattern; do
    [ -f "$a" ] || continue
    case "$a" in /etc/pki/*) b=$RHEL_BUNDLE ;; *) b=$DEBIAN_BUNDLE ;; esac
    # the first line after each BEGIN line must be a line of the bundle (read here, not by a sed)
    n=
    while IFS= read -r l || [ -n "$l" ]; do
      if [ -z "$n" ]; then
        case $l in *-----BEGIN\ CERTIFICATE-----*) n=yes ;; esac
        continue
      fi
      n=
      if ! grep -qxF -- "$l" "$b" 2>/dev/null; then printf '%s\n' "$a"; break; fi
    done < "$a"
  done
  set -f
done
set +f

# what dockhand created here (a retired registry's files go only where dockhand made them), and the
# changes that failed here (not tried again unless asked)
if [ -f "$STATE/ledger" ]; then section ledger; show_text "$STATE/ledger"; fi
for f in "$STATE"/failed/*; do
  if [ -f "$f" ]; then section failed-change "${f##*/}"; cat "$f"; fi
done

# transactions: unfinished ones (begun, no outcome) matter only when no worker holds the lock
section node-lock
if [ ! -e "$STATE/lock" ] || ! has flock; then
  echo free
elif { flock -n 9; } 9<"$STATE/lock" 2>/dev/null; then
  # (the lock, taken on this shell's descriptor, goes when the descriptor closes)
  echo free
else
  echo held
fi
if [ -d "$STATE/txn" ]; then
  for d in "$STATE"/txn/*/; do
    if [ ! -f "$d/journal" ] || [ -f "$d/outcome" ] || ! grep -qx begin "$d/journal"; then continue; fi
    section unfinished "$(basename -- "$d")"
    cat "$d/journal"
  done
fi
