# shellcheck shell=sh
# The node's own view of each registry, in the round trip that reads its state: a TCP connection to the
# registry's address and port (the pinned address where there is one), for https a TLS handshake validated
# with the play's CA for that name (or the trust store as it is on disk, where the play gives none), and the
# same through each proxy a runtime here runs with. The play's CA is the only trust such a check uses:
# whatever the node trusted before must not make a wrong CA pass. Every probe is bounded (REACH_CONNECT seconds to connect,
# REACH_LIMIT in all) and they all run at once. curl where the node has it (it speaks to a proxy as a Go
# runtime does: CONNECT for https, a plain request for http), else openssl s_client. The chain the registry
# serves comes from curl's own handshake where curl tells it (`%{certs}`, curl 7.88 and later, a handshake it
# accepted), else from openssl s_client. Prints raw facts; src/reach/parse.ts judges them.
#
# Follows src/node/sh/preamble.sh and the facts, whose runtime parts add `RUNTIME SCHEME URL` lines to
# `reach_proxies` (the proxies the running daemons use). Variables:
#   REACH_TARGETS  one registry a line: `ID SCHEME HOST PORT ADDRESS` (ADDRESS `-`: the node resolves HOST)
#   REACH_CA_ID    the play's CA (PEM) for target ID, where it gives one
#   REACH_CONNECT, REACH_LIMIT  seconds
# Sections: `reach ID PATH` (PATH `direct`, or `via RUNTIME`), lines `tool curl|openssl`, `exit N`,
# `http CODE`, `connect CODE` (the proxy's answer to CONNECT), `connected yes|no`, `verify CODE TEXT`,
# `said TEXT`; `reach-chain ID`: the certificates the registry served, PEM.

reach_dir=$(mktemp -d 2>/dev/null) || reach_dir=
if [ -n "$reach_dir" ] && [ -n "${REACH_TARGETS:-}" ]; then
  # bounded: the whole probe dies at REACH_LIMIT, whatever it waits for
  reach_bound() { if has timeout; then timeout "$REACH_LIMIT" "$@"; else "$@"; fi; }

  # reach_lines FILE: FILE's lines, as cat would print them (FILE is text dockhand wrote)
  reach_lines() { while IFS= read -r _l || [ -n "$_l" ]; do printf '%s\n' "$_l"; done < "$1"; }

  # reach_curl OUT SCHEME HOST PORT ADDRESS PROXY: one request for /v2/, direct (PROXY -) or through PROXY;
  # for https, direct, the chain curl was served to OUT's .chain file where curl tells it
  reach_curl() {
    _out=$1 _scheme=$2 _host=$3 _port=$4 _address=$5 _proxy=$6
    case $_host in *:*) _url="$_scheme://[$_host]:$_port/v2/" ;; *) _url="$_scheme://$_host:$_port/v2/" ;; esac
    case $_address in *:*) _address="[$_address]" ;; esac
    if [ "$_proxy" != - ]; then set -- --noproxy '' --proxy "$_proxy"
    elif [ "$_address" != - ]; then set -- --noproxy '*' --resolve "$_host:$_port:$_address"
    else set -- --noproxy '*'
    fi
    # the play's CA alone: not the trust store too, which may hold whatever the node trusted before
    # (the directory holds no hashed certificate names: an empty CA path)
    if [ "$_scheme" = https ] && [ -n "$reach_ca" ]; then set -- "$@" --cacert "$reach_ca" --capath "$reach_dir"; fi
    _format='http %{http_code}\nconnect %{http_connect}\n'
    if [ "$_scheme" = https ] && [ "$_proxy" = - ]; then _format="$_format%{certs}"; fi
    _err=${_out%/*}/err.${_out##*/}
    {
      echo 'tool curl'
      # (bounded by curl's own -m: no `timeout` process besides it)
      _w=$(curl -v -sS -o /dev/null --connect-timeout "$REACH_CONNECT" -m "$REACH_LIMIT" \
        -w "$_format" "$@" "$_url" 2>"$_err")
      echo "exit $?"
      # the two lines of the format, then (https) the certificates: their PEM blocks to the chain file
      _certs=
      case $_w in *"$NL"*"$NL"*) _certs=${_w#*"$NL"*"$NL"}; _w=${_w%"$NL$_certs"} ;; esac
      printf '%s\n' "$_w"
      _w=$_certs
      _pem=
      _in=no
      while [ -n "$_w" ]; do
        _l=${_w%%"$NL"*}
        case $_w in *"$NL"*) _w=${_w#*"$NL"} ;; *) _w= ;; esac
        case $_l in *'-----BEGIN CERTIFICATE-----') _in=yes; _l='-----BEGIN CERTIFICATE-----' ;; esac
        if [ "$_in" = yes ]; then _pem="$_pem$_l$NL"; fi
        case $_l in '-----END CERTIFICATE-----') _in=no ;; esac
      done
      if [ -n "$_pem" ]; then printf '%s' "$_pem" > "${_out%.direct}.chain"; fi
      # what curl said of a failure: its last two such lines
      _s1=''
      _s2=''
      while IFS= read -r _l; do
        case $_l in
          '* connect to '*' failed: '*) _s1=$_s2; _s2="said ${_l#\* }" ;;
          'curl: ('*') '*) _s1=$_s2; _s2="said $_l" ;;
        esac
      done < "$_err"
      if [ -n "$_s1" ]; then printf '%s\n' "$_s1"; fi
      if [ -n "$_s2" ]; then printf '%s\n' "$_s2"; fi
    } > "$_out" 2>/dev/null
  }

  # reach_openssl OUT SCHEME HOST PORT ADDRESS PROXY: a TCP connection and, for https, a handshake verified
  # with the play's CA (or the trust store) and the registry's name
  reach_openssl() {
    _out=$1 _host=$3 _port=$4 _address=$5 _proxy=$6
    [ "$_address" = - ] && _address=$_host
    case $_address in *:*) _address="[$_address]" ;; esac
    set -- -connect "$_address:$_port" -servername "$_host" -verify_hostname "$_host" -verify_return_error
    if [ "$_proxy" != - ]; then set -- "$@" -proxy "$(printf '%s\n' "$_proxy" | sed 's|^[a-z]*://||; s|^[^@/]*@||; s|/.*||')"; fi
    if [ -n "$reach_ca" ]; then set -- "$@" -CAfile "$reach_ca" -no-CApath; fi
    if [ -n "$reach_ca" ] && [ -n "$reach_no_store" ]; then set -- "$@" -no-CAstore; fi
    {
      echo 'tool openssl'
      _said=$(reach_bound openssl s_client "$@" </dev/null 2>&1)
      echo "exit $?"
      case $_said in *CONNECTED*) echo 'connected yes' ;; *) echo 'connected no' ;; esac
      printf '%s\n' "$_said" | sed -n 's/^Verify return code: \(.*\)/verify \1/p' | head -n 1
      printf '%s\n' "$_said" | grep -E 'verify error|errno=|timed out|refused|unreachable|Name or service|proxy' | head -n 2 | sed 's/^/said /'
    } > "$_out" 2>/dev/null
  }

  # reach_chain OUT HOST PORT ADDRESS: the certificates the registry serves (direct), PEM
  reach_chain() {
    _target=$4
    [ "$_target" = - ] && _target=$2
    case $_target in *:*) _target="[$_target]" ;; esac
    reach_bound openssl s_client -connect "$_target:$3" -servername "$2" -showcerts </dev/null 2>/dev/null |
      sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' > "$1"
  }

  # OpenSSL 3 has a default store besides the default path (1.1 has neither option nor store); asked only
  # where the probes go through openssl (a node without curl): it costs an openssl process on every read
  reach_no_store=
  if ! has curl && has openssl && openssl s_client -help 2>&1 | grep -q -- -no-CAstore; then reach_no_store=yes; fi

  # reach_transfer SCHEME HOST PORT ADDRESS PROXY ARG: one probe as a transfer of the batch's curl config
  # file (-K), its write-out the section reach_curl would write (ARG: `ID direct` or `ID via RUNTIME`); fails,
  # adding nothing, where a value holds a quote or a backslash (that probe then runs alone)
  reach_transfer() {
    _scheme=$1 _host=$2 _port=$3 _address=$4 _proxy=$5
    case "$_host$_address$_proxy$reach_ca" in *[\"\\]*) return 1 ;; esac
    case $_host in *:*) _url="$_scheme://[$_host]:$_port/v2/" ;; *) _url="$_scheme://$_host:$_port/v2/" ;; esac
    case $_address in *:*) _address="[$_address]" ;; esac
    {
      if [ "$reach_n" -gt 0 ]; then echo next; fi
      printf 'url = "%s"\noutput = "/dev/null"\nconnect-timeout = %s\nmax-time = %s\n' "$_url" "$REACH_CONNECT" "$REACH_LIMIT"
      if [ "$_proxy" != - ]; then printf 'noproxy = ""\nproxy = "%s"\n' "$_proxy"
      elif [ "$_address" != - ]; then printf 'noproxy = "*"\nresolve = "%s"\n' "$_host:$_port:$_address"
      else echo 'noproxy = "*"'
      fi
      if [ "$_scheme" = https ] && [ -n "$reach_ca" ]; then printf 'cacert = "%s"\ncapath = "%s"\n' "$reach_ca" "$reach_dir"; fi
      _format="\\n@@dockhand:reach $6@@\\ntool curl\\nexit %{exitcode}\\nhttp %{http_code}\\nconnect %{http_connect}\\nsaid %{errormsg}\\n"
      if [ "$_scheme" = https ] && [ "$_proxy" = - ]; then _format="$_format@@chain@@\\n%{certs}"; fi
      printf 'write-out = "%s"\n' "$_format"
    } >> "$reach_dir/batch.conf"
    reach_n=$((reach_n + 1))
  }

  # reach_answered ARG: the batch's curl answered that probe (its section and chain are written)
  reach_answered() { case "$NL$reach_batch_ok" in *"$NL$1$NL"*) return 0 ;; esac; return 1; }

  # reach_probes FUNC: runs `FUNC ID SCHEME HOST PORT ADDRESS PROXY ARG` for every probe, in order: each
  # target direct (PROXY -), then through each proxy of its scheme a runtime here runs with (ADDRESS -);
  # ARG is the probe's section argument, `ID direct` or `ID via RUNTIME`. (Loops over here-documents run in
  # this shell: what FUNC starts in the background, one `wait` waits for.)
  reach_probes() {
    while read -r _rp_id _rp_scheme _rp_host _rp_port _rp_address; do
      [ -n "$_rp_id" ] || continue
      "$1" "$_rp_id" "$_rp_scheme" "$_rp_host" "$_rp_port" "$_rp_address" - "$_rp_id direct"
      while read -r _rp_runtime _rp_pscheme _rp_purl; do
        if [ -z "$_rp_runtime" ] || [ "$_rp_pscheme" != "$_rp_scheme" ]; then continue; fi
        "$1" "$_rp_id" "$_rp_scheme" "$_rp_host" "$_rp_port" - "$_rp_purl" "$_rp_id via $_rp_runtime"
      done <<EOF_PROXIES
${reach_proxies:-}
EOF_PROXIES
    done <<EOF_TARGETS
$REACH_TARGETS
EOF_TARGETS
  }

  # reach_ca_of ID: sets `reach_ca`, the file of the play's CA for target ID, written on first use; empty
  # where the play gives none
  reach_ca_of() {
    reach_ca=$reach_dir/$1.ca
    [ -f "$reach_ca" ] && return 0
    eval "_pem=\${REACH_CA_$1:-}"
    # shellcheck disable=SC2154 # set by the eval above
    if [ -n "$_pem" ]; then printf '%s\n' "$_pem" > "$reach_ca"; else reach_ca=; fi
  }

  # reach_batched ID SCHEME HOST PORT ADDRESS PROXY ARG: the probe as a transfer of the batch
  reach_batched() {
    reach_ca_of "$1"
    shift
    reach_transfer "$@" || :
  }

  # reach_alone ID SCHEME HOST PORT ADDRESS PROXY ARG: a probe the batch did not answer, in the background,
  # writing its own file; for a direct https one, then the chain from openssl where curl did not read it
  reach_alone() {
    reach_ca_of "$1"
    case $7 in *' direct') _out=$reach_dir/$1.direct ;; *) _out=$reach_dir/$1.via.${7##* } ;; esac
    if reach_answered "$7"; then
      # a curl older than 7.88 answers without the certificates it was served
      if [ "$6" = - ] && [ "$2" = https ] && [ ! -s "$reach_dir/$1.chain" ] && has openssl; then reach_chain "$reach_dir/$1.chain" "$3" "$4" "$5" & fi
      return 0
    fi
    if [ "$6" != - ]; then
      if has curl; then reach_curl "$_out" "$2" "$3" "$4" - "$6" &
      elif [ "$2" = https ] && has openssl; then reach_openssl "$_out" "$2" "$3" "$4" - "$6" &
      fi
      return 0
    fi
    {
      if has curl; then reach_curl "$_out" "$2" "$3" "$4" "$5" -
      elif has openssl; then reach_openssl "$_out" "$2" "$3" "$4" "$5" -
      fi
      if [ "$2" = https ] && [ ! -s "$reach_dir/$1.chain" ] && has openssl; then reach_chain "$reach_dir/$1.chain" "$3" "$4" "$5"; fi
    } &
  }

  # one curl for every probe at once (curl 7.75 and later: -Z and %{exitcode}), where there are two or
  # more: each curl process costs ~30 ms of CPU, most of it loading its libraries, on every read of the
  # node. A probe the batch could not connect (or every probe, where the node's curl cannot run them this
  # way) then runs alone, as before: its -v says why (refused, no route), which %{errormsg} does not. Then
  # the sections, in order.
  reach_n=0
  reach_batch_ok=
  if has curl; then reach_probes reach_batched; fi
  if [ "$reach_n" -ge 2 ]; then
    # (bounded by each transfer's own max-time: no `timeout` process besides it)
    { printf 'parallel\nparallel-max = 64\nsilent\n'; } >> "$reach_dir/batch.conf"
    curl -K "$reach_dir/batch.conf" > "$reach_dir/batch.out" 2>/dev/null
    # each probe's lines to its own file, as reach_curl writes them; the chain of one that answered to its
    # chain file, its certificates' PEM blocks only
    _key=
    while IFS= read -r _l || [ -n "$_l" ]; do
      case $_l in
        '') ;;
        '@@dockhand:reach '*'@@')
          _key=${_l#@@dockhand:reach }
          _key=${_key%@@}
          case $_key in *' direct') _file=$reach_dir/${_key%% *}.direct ;; *) _file=$reach_dir/${_key%% *}.via.${_key##* } ;; esac
          _part=status
          _answered=no
          : > "$_file" ;;
        '@@chain@@') _part=chain; _in=no ;;
        *)
          [ -n "$_key" ] || continue
          if [ "$_part" = status ]; then
            printf '%s\n' "$_l" >> "$_file"
            # a try that could not connect runs again alone, whose -v says refused or no route; one
            # that timed out or failed its TLS check is told by its exit code and %{errormsg} (a
            # second try would only wait again); a curl before 7.75 says no exit code: all alone
            case $_l in
              'exit 7' | 'exit ') ;;
              'exit '*) _answered=yes; reach_batch_ok="$reach_batch_ok$_key$NL" ;;
            esac
          elif [ "$_answered" = yes ]; then
            case $_l in *'-----BEGIN CERTIFICATE-----') _in=yes; _l='-----BEGIN CERTIFICATE-----' ;; esac
            if [ "$_in" = yes ]; then printf '%s\n' "$_l" >> "$reach_dir/${_key%% *}.chain"; fi
            case $_l in '-----END CERTIFICATE-----') _in=no ;; esac
          fi ;;
      esac
    done < "$reach_dir/batch.out"
  fi

  reach_probes reach_alone
  wait
  while read -r id _rest; do
    [ -n "$id" ] || continue
    for f in "$reach_dir/$id.direct" "$reach_dir/$id".via.*; do
      [ -f "$f" ] || continue
      case $f in *.direct) section reach "$id" direct ;; *) section reach "$id" "via ${f##*.via.}" ;; esac
      reach_lines "$f"
    done
    if [ -s "$reach_dir/$id.chain" ]; then section reach-chain "$id"; reach_lines "$reach_dir/$id.chain"; fi
  done <<EOF_TARGETS
$REACH_TARGETS
EOF_TARGETS
fi
[ -n "$reach_dir" ] && rm -rf -- "$reach_dir"
