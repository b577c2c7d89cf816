/**
 * Ansible's connection variables, and what to say about an inventory variable that looks like one but is
 * not (`ansible_hosts`, `ansible_becom`, `ansibel_become`): a typo there silently changes how a node is
 * reached, so every such name gets a warning with the nearest known name.
 */

/** Variables dockhand reads to reach a node. */
export const USED_VARS = [
  'ansible_host', 'ansible_ssh_host', 'ansible_port', 'ansible_ssh_port', 'ansible_user', 'ansible_ssh_user',
  'ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password', 'ansible_ssh_private_key_file', 'ansible_private_key_file',
  'ansible_connection', 'ansible_become', 'ansible_become_user', 'ansible_become_password', 'ansible_become_pass',
  'ansible_become_method', 'ansible_group_priority',
] as const;

/** Ansible variables that change how Ansible connects, which dockhand does not do: said once, with the reason. */
const IGNORED_WITH_REASON: Readonly<Record<string, string>> = {
  ansible_ssh_common_args: 'dockhand passes no extra arguments to SSH (no ProxyCommand/ProxyJump)',
  ansible_ssh_extra_args: 'dockhand passes no extra arguments to SSH',
  ansible_ssh_args: 'dockhand passes no extra arguments to SSH',
  ansible_ssh_executable: 'dockhand speaks SSH itself, without an ssh executable',
  ansible_become_exe: 'dockhand runs sudo as it is found on the node',
  ansible_become_flags: 'dockhand runs sudo with its own flags',
  ansible_timeout: 'use --connect-timeout',
  ansible_ssh_timeout: 'use --connect-timeout',
  ansible_host_key_checking: 'use --host-key-checking',
  ansible_ssh_host_key_checking: 'use --host-key-checking',
  ansible_sudo: 'an old name: use ansible_become',
  ansible_sudo_pass: 'an old name: use ansible_become_password',
  ansible_sudo_password: 'an old name: use ansible_become_password',
  ansible_sudo_user: 'an old name: use ansible_become_user',
  ansible_sudo_exe: 'an old name, and dockhand runs sudo as it is found on the node',
  ansible_sudo_flags: 'an old name, and dockhand runs sudo with its own flags',
  ansible_su: 'dockhand escalates with sudo only',
  ansible_su_pass: 'dockhand escalates with sudo only',
  ansible_su_user: 'dockhand escalates with sudo only',
};

/** Ansible variables that do not matter to dockhand: accepted without a word. */
const HARMLESS_VARS = [
  'ansible_python_interpreter', 'ansible_shell_type', 'ansible_shell_executable', 'ansible_pipelining', 'ansible_ssh_pipelining',
  'ansible_remote_tmp', 'ansible_keep_remote_files', 'ansible_module_compression', 'ansible_ssh_retries',
  'ansible_ssh_transfer_method', 'ansible_scp_if_ssh', 'ansible_sftp_batch_mode', 'ansible_sftp_extra_args',
  'ansible_scp_extra_args', 'ansible_network_os', 'ansible_control_path', 'ansible_control_path_dir',
  'ansible_ssh_use_tty', 'ansible_facts', 'ansible_play_hosts', 'ansible_check_mode', 'ansible_limit',
  'ansible_distribution', 'ansible_os_family', 'ansible_architecture', 'ansible_hostname', 'ansible_fqdn',
  'ansible_default_ipv4', 'ansible_default_ipv6', 'ansible_env', 'ansible_local', 'ansible_machine_id',
];

/** Families of Ansible variables matched by their start (`ansible_perl_interpreter`, `ansible_winrm_transport`). */
const HARMLESS_PATTERNS = [/^ansible_[a-z0-9]+_interpreter$/, /^ansible_(?:winrm|psrp|paramiko|netconf|httpapi|docker|kubectl|libssh)_/];

const KNOWN = [...USED_VARS, ...Object.keys(IGNORED_WITH_REASON), ...HARMLESS_VARS];

/** What to tell the user about variable `name`, or undefined when it is fine or not ansible_-like. */
export function varNameWarning(name: string): string | undefined {
  const lower = name.toLowerCase();
  if ((USED_VARS as readonly string[]).includes(name) || HARMLESS_VARS.includes(name)) return undefined;
  if (HARMLESS_PATTERNS.some((pattern) => pattern.test(name))) return undefined;
  const reason = IGNORED_WITH_REASON[name];
  if (reason !== undefined) return `${name} is an Ansible variable dockhand does not use: ${reason}`;
  if (!looksAnsible(lower)) return undefined;
  return `unknown variable "${name}": did you mean ${nearest(lower)}?`;
}

/** `ansible_…`, or a prefix one or two typos away from `ansible` (`ansibel_become`, `ansble_host`). */
function looksAnsible(name: string): boolean {
  const underscore = name.indexOf('_');
  if (underscore < 0) return KNOWN.some((known) => distance(name, known) <= 2);
  const prefix = name.slice(0, underscore);
  return prefix === 'ansible' || (prefix.length >= 5 && distance(prefix, 'ansible') <= 2);
}

function nearest(name: string): string {
  let best = KNOWN[0]!;
  let bestDistance = Infinity;
  for (const known of KNOWN) {
    const d = distance(name, known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

/** Edit distance with adjacent transpositions (optimal string alignment): `ansibel` is one step from `ansible`. */
export function distance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[rows - 1]![cols - 1]!;
}
