/**
 * The one POSIX sh script (dash-safe, no bashisms) that gathers a node's facts as root.
 * It never fails and never hangs: anything that may block runs under `timeout 10`, every
 * command's stdin is /dev/null, and it always exits 0. Output format: see sections.ts.
 */

/** Sections FACTS_SCRIPT prints, in order (optional ones only when there is something to show). */
export const FACTS_SECTIONS = [
  'begin',
  'hostname',
  'os-release',
  'systemctl-show',
  'unit-file',
  'drop-in',
  'env-file',
  'daemon-json',
  'dockerd-pids',
  'dockerd-version',
  'docker-info',
  'commands',
  'end',
] as const;

/** Version of the section format, printed as the `begin` marker's argument. */
export const FACTS_FORMAT_VERSION = '1';

const SYSTEMCTL_PROPERTIES = [
  'ExecStart',
  'DropInPaths',
  'Environment',
  'EnvironmentFiles',
  'ActiveState',
  'SubState',
  'LoadState',
  'ExecMainStartTimestamp',
  'FragmentPath',
];

/**
 * The facts script; run it with `sh` as root. `extra` is more sh, run before the end marker, that may
 * print sections of its own with the script's `section NAME [ARG]` function.
 */
export function factsScript(extra = ''): string {
  return `# dockhand facts v${FACTS_FORMAT_VERSION}
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
LC_ALL=C
export PATH LC_ALL
section() { printf '\\n@@dockhand:%s@@\\n' "$*"; }
has() { command -v "$1" >/dev/null 2>&1; }
t() { if has timeout; then timeout 10 "$@" </dev/null; else "$@" </dev/null; fi; }
dump() { if [ -f "$2" ] && [ -r "$2" ]; then section "$1" "$2"; cat "$2" 2>/dev/null; fi; }

section begin ${FACTS_FORMAT_VERSION}
section hostname
uname -n 2>/dev/null
section os-release
if [ -f /etc/os-release ]; then cat /etc/os-release 2>/dev/null
elif [ -f /usr/lib/os-release ]; then cat /usr/lib/os-release 2>/dev/null
fi

show=
if has systemctl; then
  show=$(t systemctl show docker.service ${SYSTEMCTL_PROPERTIES.map((p) => `-p ${p}`).join(' ')} --no-pager 2>/dev/null)
fi
if [ -n "$show" ]; then
  section systemctl-show
  printf '%s\\n' "$show"
  frag=$(printf '%s\\n' "$show" | sed -n 's/^FragmentPath=//p')
  dropins=$(printf '%s\\n' "$show" | sed -n 's/^DropInPaths=//p')
  envfiles=$(printf '%s\\n' "$show" | sed -n 's/^EnvironmentFiles=\\(.*\\) (ignore_errors=[a-z]*)$/\\1/p')
  if [ -n "$frag" ] && [ "$frag" != /dev/null ]; then dump unit-file "$frag"; fi
  set -f
  for f in $dropins; do dump drop-in "$f"; done
  for f in $envfiles; do dump env-file "$f"; done
  set +f
fi

if [ -e /etc/docker/daemon.json ]; then
  section daemon-json /etc/docker/daemon.json
  cat /etc/docker/daemon.json 2>&1
fi

pids=
if has pidof; then
  pids=$(pidof dockerd 2>/dev/null)
else
  for d in /proc/[0-9]*; do
    if [ "$(cat "$d/comm" 2>/dev/null)" = dockerd ]; then pids="$pids \${d#/proc/}"; fi
  done
fi
section dockerd-pids
if [ -n "$pids" ]; then echo $pids; fi

# A running daemon tells its version in docker info; starting the dockerd binary costs ~50 ms of CPU,
# so only a stopped one is asked.
if has dockerd; then
  section dockerd-version
  if [ -z "$pids" ]; then t dockerd --version 2>&1; fi
fi

if [ -n "$pids" ] && has docker; then
  section docker-info
  t docker info --format '{{json .}}' 2>/dev/null
fi

section commands
for c in update-ca-certificates update-ca-trust systemctl dockerd docker timeout; do
  printf '%s=%s\\n' "$c" "$(command -v "$c" 2>/dev/null)"
done
${extra}
section end
exit 0
`;
}

/** The facts script with nothing extra. */
export const FACTS_SCRIPT = factsScript();
