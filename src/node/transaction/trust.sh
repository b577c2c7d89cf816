# shellcheck shell=sh
# The system trust store's refresh, after a transaction changed dockhand's trust anchors. Follows
# src/node/sh/preamble.sh; the worker (worker.sh) sets `family` and calls trust_update and trust_command.
#
# RHEL family: `update-ca-trust extract` (one process). Debian/Ubuntu: what `update-ca-certificates`
# (Debian's ca-certificates 2023x) does, in about ten processes instead of its ~900 (a `basename`, `sed`
# and `readlink` per certificate and a `test` per link: 3 to 5 s of CPU per node), ending in the same
# links and the same bundle, byte for byte (test/integration/trust.test.ts runs both on lab nodes and
# compares). Where the node's store is anything but the stock layout it knows (hooks in
# /etc/ca-certificates/update.d, such as Java's keystore, a name it would have to escape, no
# /etc/ca-certificates.conf), it runs `update-ca-certificates` itself; it does the same if any of its
# steps fails, which repairs whatever it left half done (the tool rebuilds the store from its sources).

# shellcheck disable=SC2154 # family: set by the worker
trust_command() {
  if [ "$family" = rhel ]; then echo 'update-ca-trust extract'; else echo update-ca-certificates; fi
}

trust_update() {
  if [ "$family" = rhel ]; then update-ca-trust extract; return; fi
  debian_trust_refresh || update-ca-certificates
}

# debian_trust_refresh: update-ca-certificates without --fresh, for a stock store; 1 (a step failed, or the
# store is not one it knows) where update-ca-certificates must run instead
debian_trust_refresh() {
  _conf=/etc/ca-certificates.conf
  _shared=/usr/share/ca-certificates
  _local=/usr/local/share/ca-certificates
  _etc=/etc/ssl/certs
  [ -s "$_conf" ] && [ -d "$_etc" ] && has openssl && has sed && has find || return 1
  for _hook in /etc/ca-certificates/update.d/* /etc/ca-certificates/update.d/.[!.]*; do
    if [ -e "$_hook" ] || [ -L "$_hook" ]; then return 1; fi
  done
  _locals=$(if [ -d "$_local" ]; then find -L "$_local" -type f -name '*.crt' | sort; fi) || return 1

  # every link in the directory and its target, one `NAME<TAB>TARGET` per line
  _tab=$(printf '\t')
  _links="
$(find "$_etc" -maxdepth 1 -type l -printf '%f\t%l\n')
" || return 1
  # a refresh this transaction began and did not end (killed) may have made links and not their hashes:
  # the links are then as wanted, so the hashes are made again whatever else is found
  _changed=0
  if [ -e "$T/trust-pending" ]; then _changed=1; fi
  : > "$T/trust-pending" || return 1

  # deselected certificates (`!NAME` in the configuration): their links go
  while IFS= read -r _line; do
    case $_line in '!'*) ;; *) continue ;; esac
    trust_name "${_line#!}" || return 1
    pem_of "$_shared/$_name" || return 1
    if [ -L "$_etc/$_pem" ]; then rm -f -- "${_etc:?}/$_pem" || return 1; _changed=1; fi
  done < "$_conf"

  # the selected ones, then the local ones in the order `sort` gives: a link each, and each into the bundle
  set --
  while IFS= read -r _line; do
    case $_line in '' | '#'* | '!'*) continue ;; esac
    trust_name "$_line" || return 1
    if [ -n "$_name" ] && [ -f "$_shared/$_name" ]; then set -- "$@" "$_shared/$_name"; fi
  done < "$_conf"
  _n=$#
  if [ -n "$_locals" ]; then
    while IFS= read -r _cert; do set -- "$@" "$_cert"; done <<LOCALS
$_locals
LOCALS
  fi
  for _cert in "$@"; do
    pem_of "$_cert" || return 1
    case $_links in
      *"
$_pem$_tab$_cert
"*) [ -e "$_etc/$_pem" ] && continue ;;
    esac
    ln -sf -- "$_cert" "$_etc/$_pem" || return 1
    _changed=1
  done

  # a link that leads nowhere would stop `openssl rehash`; the tool removes them first, as here
  if [ "$_changed" = 1 ]; then
    find -L "$_etc" -type l -exec rm -f -- {} + || return 1
    (cd "$_etc" && openssl rehash . >/dev/null) || return 1
  fi
  # no certificate at all: the tool leaves the bundle as it is
  if [ "$#" -eq 0 ]; then rm -f -- "$T/trust-pending"; return 0; fi
  # each certificate ends with a newline in the bundle, as the tool's `sed -e '$a\'` makes it
  _new="$_etc/ca-certificates.crt.new"
  # shellcheck disable=SC1003 # sed's `a\` with no text: a newline where the last line has none
  sed -s -e '$a\' -- "$@" > "$_new" || return 1
  chmod 0644 "$_new" && sync -- "$_new" && mv -f -- "$_new" "$_etc/ca-certificates.crt" && sync -- "$_etc" &&
    rm -f -- "$T/trust-pending"
}

# trust_name LINE: the certificate name the tool's `read` makes of a configuration line (blanks around it
# taken off) in `_name`; 1 for a name it would read otherwise (a backslash) or escape (blanks inside)
trust_name() {
  case $1 in *\\*) return 1 ;; esac
  _name=${1#"${1%%[![:space:]]*}"}
  _name=${_name%"${_name##*[![:space:]]}"}
  case $_name in *[[:space:]]*) return 1 ;; esac
}

# pem_of CERT: the name of CERT's link in /etc/ssl/certs, in `_pem` (`basename CERT .crt`.pem); 1 for a
# name the tool would escape (spaces, parentheses, commas) or that could not be in a list of lines
pem_of() {
  _pem=${1##*/}
  case $_pem in *[[:space:]\(\),]* | *\\*) return 1 ;; ?*.crt) _pem=${_pem%.crt} ;; esac
  _pem=$_pem.pem
}
