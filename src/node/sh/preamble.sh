# shellcheck shell=sh
# dockhand: the start of every script run on a node (POSIX sh, run as root).
# Output protocol: a line `@@dockhand:NAME ARG@@`, always after a newline, opens section NAME (src/formats/sections.ts).
# shellcheck disable=SC2317 # helpers for the scripts that follow; not every script calls each
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LC_ALL=C
export PATH LC_ALL
umask 022
# dockhand's own directory on the node: transactions (journal, backups, outcome) and the node lock
# shellcheck disable=SC2034 # used by the scripts that follow
STATE=/var/lib/dockhand
section() { printf '\n@@dockhand:%s@@\n' "$*"; }
has() { command -v "$1" >/dev/null 2>&1; }
# show_text FILE: FILE's lines as `cat` prints them (a newline after a last line that has none), read by
# the shell: for the small text files the facts show (units, drop-ins, environment files), where a `cat`
# process costs more than the read; nothing where FILE cannot be read
show_text() { { while IFS= read -r _tl || [ -n "$_tl" ]; do printf '%s\n' "$_tl"; done < "$1"; } 2>/dev/null; }
# t CMD...: CMD with stdin closed, under `timeout 10` where there is one
t() { if has timeout; then timeout 10 "$@" </dev/null; else "$@" </dev/null; fi; }
NL='
'
# units_read: one `systemctl show` of every unit in SHOW_UNITS (the facts' units, in that order) with the
# properties SHOW_PROPERTIES (`-p NAME` words), timestamps in UTC; `unit_show` then answers from it. Its
# blocks (blank-line separated, in argument order) are kept as units_shown_1, units_shown_2, ...; where
# their number is not the number of units, `unit_show` asks systemctl itself.
# A unit without a file in any directory of systemd's unit load path (systemd.unit(5); UNIT_DIRS) is not
# loaded, so not asked about: systemd's lookup of each unit it cannot find costs CPU on every read.
units_state=
units_absent=' '
units_read() {
  units_state=
  units_absent=' '
  if ! has systemctl || [ -z "${SHOW_UNITS:-}" ]; then return 0; fi
  _su_ask=
  for _sx in $SHOW_UNITS; do
    _sf=no
    for _sd in ${UNIT_DIRS:-/etc/systemd/system.control /run/systemd/system.control /run/systemd/transient /run/systemd/generator.early /etc/systemd/system /etc/systemd/system.attached /run/systemd/system /run/systemd/system.attached /run/systemd/generator /usr/local/lib/systemd/system /lib/systemd/system /usr/lib/systemd/system /run/systemd/generator.late}; do
      if [ -e "$_sd/$_sx" ] || [ -L "$_sd/$_sx" ]; then _sf=yes; break; fi
    done
    if [ "$_sf" = yes ]; then _su_ask="$_su_ask $_sx"; else units_absent="$units_absent$_sx "; fi
  done
  SHOW_UNITS=${_su_ask# }
  if [ -z "$SHOW_UNITS" ]; then units_state=ok; return 0; fi
  # shellcheck disable=SC2086 # lists of unit names and arguments
  _sa=$(TZ=UTC; export TZ; t systemctl show $SHOW_UNITS $SHOW_PROPERTIES --no-pager 2>/dev/null)
  _sn=0
  while [ -n "$_sa" ]; do
    _sn=$((_sn + 1))
    eval "units_shown_$_sn=\${_sa%%\"\$NL\$NL\"*}"
    case $_sa in *"$NL$NL"*) _sa=${_sa#*"$NL$NL"} ;; *) _sa= ;; esac
  done
  for _sx in $SHOW_UNITS; do _sn=$((_sn - 1)); done
  if [ "$_sn" -eq 0 ]; then units_state=ok; fi
  return 0
}
# unit_show UNIT PROPERTY...: sets `shown` to what `systemctl show UNIT -p PROPERTY...` prints (in systemd's
# order, timestamps in UTC; empty without systemctl), from units_read's output where UNIT was among its units
unit_show() {
  _su=$1
  shift
  shown=
  _sb=
  if [ "$units_state" = ok ]; then
    # a unit with no file: what systemctl would say of it, not-found (consumers read it as no unit)
    case $units_absent in *" $_su "*) return 0 ;; esac
    _sn=0
    for _sx in $SHOW_UNITS; do
      _sn=$((_sn + 1))
      if [ "$_sx" = "$_su" ]; then eval "_sb=\$units_shown_$_sn"; break; fi
    done
  fi
  if [ -z "$_sb" ]; then
    has systemctl || return 0
    _sg=
    for _sp in "$@"; do _sg="$_sg -p $_sp"; done
    # shellcheck disable=SC2086 # a list of arguments
    _sb=$(TZ=UTC; export TZ; t systemctl show "$_su" $_sg --no-pager 2>/dev/null)
  fi
  _sw=" $* "
  while [ -n "$_sb" ]; do
    _sl=${_sb%%"$NL"*}
    case $_sb in *"$NL"*) _sb=${_sb#*"$NL"} ;; *) _sb= ;; esac
    case $_sw in *" ${_sl%%=*} "*) shown=$shown$_sl$NL ;; esac
  done
  shown=${shown%"$NL"}
}
# show_values NAME TEXT: sets `values` to the values of property NAME in TEXT (`systemctl show` lines), one a
# line; an EnvironmentFiles= value without its ` (ignore_errors=...)` (a value without one is left out)
show_values() {
  values=
  _st=$2
  while [ -n "$_st" ]; do
    _sl=${_st%%"$NL"*}
    case $_st in *"$NL"*) _st=${_st#*"$NL"} ;; *) _st= ;; esac
    case $_sl in
      EnvironmentFiles=*" (ignore_errors="*")") [ "$1" = EnvironmentFiles ] && _sl=${_sl% (ignore_errors=*)} ;;
      EnvironmentFiles=*) [ "$1" = EnvironmentFiles ] && continue ;;
    esac
    case $_sl in "$1="*) values=$values${_sl#*=}$NL ;; esac
  done
  values=${values%"$NL"}
}
# no_proxy_has ENTRY: the NO_PROXY value on stdin holds ENTRY (entries trimmed, compared case-insensitively)
no_proxy_has() { tr ',' '\n' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//' | grep -qixF -- "$1"; }
# proxies_of NAME: from an environment (KEY=VALUE lines) on stdin, `NAME https URL` and `NAME http URL` for
# the proxies a Go program takes from it (the upper-case variable first, an empty one not at all)
proxies_of() {
  awk -v n="$1" '
    { i = index($0, "="); if (i > 1 && substr($0, i + 1) != "") e[substr($0, 1, i - 1)] = substr($0, i + 1) }
    END {
      h = ("HTTPS_PROXY" in e) ? e["HTTPS_PROXY"] : e["https_proxy"]; if (h != "") print n, "https", h
      h = ("HTTP_PROXY" in e) ? e["HTTP_PROXY"] : e["http_proxy"]; if (h != "") print n, "http", h
    }'
}
# kept_write FILE KEY NAME=VALUE...: what a runtime said, kept for the next state read: `key KEY`, each line
# of each VALUE as `NAME LINE` (an empty VALUE: none), then `end`; written whole (a temporary file renamed
# over FILE) or not at all: a cache, so a failed write is no failure
kept_write() {
  _kwf=$1 _kwk=$2
  shift 2
  [ -d "${_kwf%/*}" ] || mkdir -p "${_kwf%/*}" 2>/dev/null || return 0
  # shellcheck disable=SC2015 # a cache: a failed write is no failure
  {
    printf 'key %s\n' "$_kwk"
    for _kwp; do
      [ -n "${_kwp#*=}" ] || continue
      while IFS= read -r _kwl; do printf '%s %s\n' "${_kwp%%=*}" "$_kwl"; done <<EOF_KEPT
${_kwp#*=}
EOF_KEPT
    done
    echo end
  } > "$_kwf.$$" 2>/dev/null && mv -f "$_kwf.$$" "$_kwf" 2>/dev/null || rm -f "$_kwf.$$" 2>/dev/null
  return 0
}
# kept_read FILE KEY NAME...: sets `kept_NAME` for each NAME (its lines, joined by newlines) from the record
# kept_write left in FILE under KEY; fails where there is none, it is under another key or cut short
kept_read() {
  _krf=$1 _krk=$2
  shift 2
  [ -n "$_krk" ] && [ -f "$_krf" ] || return 1
  for _krn; do eval "kept_$_krn="; done
  _krkey=no
  _krend=no
  while IFS= read -r _krl; do
    case $_krl in
      "key $_krk") _krkey=yes ;;
      key\ *) return 1 ;;
      end) _krend=yes ;;
      *)
        _krn=${_krl%% *}
        # only the names asked for, which are names (never text from the file) in what eval runs
        case " $* " in *" $_krn "*) eval "kept_$_krn=\"\$kept_$_krn\${_krl#* }\$NL\"" ;; esac ;;
    esac
  done < "$_krf"
  [ "$_krkey" = yes ] && [ "$_krend" = yes ] || return 1
  for _krn; do eval "kept_$_krn=\${kept_$_krn%\"\$NL\"}"; done
}
