/** Turns a host's vars into how to reach it: address, port, login, privilege escalation, connection kind. */
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { shownValue } from './mask.ts';
import { resolveHostVars } from './vars.ts';
import type { Inventory, NodeTarget, VarOrigin, Vars } from './types.ts';

const TRUE = ['true', 'yes', 'on', '1', 'y'];
const FALSE = ['false', 'no', 'off', '0', 'n'];

/** The inline private key a KubeKey cluster file gives (`privateKey`); never reaches NodeTarget.vars. */
export const PRIVATE_KEY_VAR = 'dockhand_private_key';

/** What `fail` needs to name the place a var was set. */
type Fail = (key: string | undefined, message: string) => never;

/** Resolves one inventory host to a NodeTarget, validating the connection vars. */
export function resolveTarget(inv: Inventory, hostName: string): NodeTarget {
  const { vars, origins } = resolveHostVars(inv, hostName);
  const host = inv.hosts.get(hostName);
  const named = (key: string): string => origins[key]?.label ?? key;
  const fail: Fail = (key, message) => {
    const origin: VarOrigin | undefined = key === undefined ? undefined : origins[key];
    const file = origin?.file ?? host?.file ?? inv.source;
    const line = origin ? origin.line : host?.line;
    throw new InputError('E_INVENTORY', file, line, `host "${hostName}": ${message}`);
  };
  const text = (...keys: string[]): string | undefined => firstString(vars, keys, named, fail);
  const keyFile = text('ansible_ssh_private_key_file', 'ansible_private_key_file');
  const privateKey = text(PRIVATE_KEY_VAR);
  const method = text('ansible_become_method');
  if (method !== undefined && method.trim().toLowerCase() !== 'sudo') {
    fail('ansible_become_method', `${named('ansible_become_method')} "${method}" is not supported: dockhand escalates with sudo only`);
  }
  const { [PRIVATE_KEY_VAR]: _inlineKey, ...shared } = vars;
  return {
    name: hostName,
    address: text('ansible_host', 'ansible_ssh_host', 'ip') ?? hostName,
    port: parsePort(vars, named, fail),
    user: text('ansible_user', 'ansible_ssh_user'),
    privateKeyFile: keyFile === undefined ? undefined : keyPath(keyFile, host?.file ?? inv.source),
    ...(privateKey === undefined ? {} : { privateKey }),
    password: text('ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password'),
    become: parseBoolean(named('ansible_become'), vars['ansible_become'], (message) => fail('ansible_become', message)) ?? false,
    becomeUser: text('ansible_become_user') ?? 'root',
    becomePassword: text('ansible_become_password', 'ansible_become_pass'),
    connection: parseConnection(text('ansible_connection'), named('ansible_connection'), fail),
    vars: shared,
  };
}

/** An Ansible boolean: true/false, yes/no, on/off, 1/0 (any case); undefined when unset. */
export function parseBoolean(key: string, value: unknown, fail: (message: string) => never): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  const word = String(value).trim().toLowerCase();
  if (TRUE.includes(word)) return true;
  if (FALSE.includes(word)) return false;
  return fail(`${key} must be a boolean (true/false, yes/no, 1/0), got ${shownValue(key, value)}`);
}

/** The first of `keys` that is set, as a string; a Jinja template is refused, never evaluated. */
function firstString(vars: Vars, keys: string[], named: (key: string) => string, fail: Fail): string | undefined {
  for (const key of keys) {
    const value = vars[key];
    if (value === undefined || value === null) continue;
    if (typeof value === 'number' || typeof value === 'bigint') return String(value);
    if (typeof value !== 'string') return fail(key, `${named(key)} must be a string, got ${shownValue(key, value)}`);
    if (/\{\{|\{%/.test(value)) {
      return fail(key, `${named(key)} holds a Jinja template ({{ … }} or {% … %}): dockhand does not evaluate templates; give the value itself`);
    }
    return value;
  }
  return undefined;
}

function parsePort(vars: Vars, named: (key: string) => string, fail: Fail): number {
  const key = vars['ansible_port'] !== undefined ? 'ansible_port' : 'ansible_ssh_port';
  const value = vars[key];
  if (value === undefined || value === null) return 22;
  const port = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(String(value)) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return fail(key, `${named(key)} must be an integer from 1 to 65535, got ${JSON.stringify(typeof value === 'bigint' ? String(value) : value)}`);
  }
  return port;
}

/** `~/x` is under the home directory; a relative path is relative to the host's inventory file. */
function keyPath(file: string, inventoryFile: string): string {
  if (file === '~') return homedir();
  if (file.startsWith('~/')) return resolve(homedir(), file.slice(2));
  return isAbsolute(file) ? file : resolve(dirname(inventoryFile), file);
}

function parseConnection(value: string | undefined, name: string, fail: Fail): 'ssh' | 'local' {
  if (value === undefined) return 'ssh';
  const kind = value.trim().toLowerCase();
  if (kind === 'local') return 'local';
  if (kind === 'ssh' || kind === 'smart' || kind === 'paramiko' || kind === 'paramiko_ssh') return 'ssh';
  return fail('ansible_connection', `${name} "${value}" is not supported (use ssh or local)`);
}
