/** Turns a host's vars into how to reach it: address, port, login, privilege escalation, connection kind. */
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { hostVars } from './vars.ts';
import type { Inventory, NodeTarget, Vars } from './types.ts';

const TRUE = ['true', 'yes', 'on', '1', 'y'];
const FALSE = ['false', 'no', 'off', '0', 'n'];

/** Resolves one inventory host to a NodeTarget, validating the connection vars. */
export function resolveTarget(inv: Inventory, hostName: string): NodeTarget {
  const vars = hostVars(inv, hostName);
  const host = inv.hosts.get(hostName);
  const fail = (message: string): never => {
    throw new InputError('E_INVENTORY', host?.file ?? inv.source, host?.line, `host "${hostName}": ${message}`);
  };
  const text = (...keys: string[]): string | undefined => firstString(vars, keys, fail);
  const keyFile = text('ansible_ssh_private_key_file', 'ansible_private_key_file');
  return {
    name: hostName,
    address: text('ansible_host', 'ansible_ssh_host', 'ip') ?? hostName,
    port: parsePort(vars, fail),
    user: text('ansible_user', 'ansible_ssh_user'),
    privateKeyFile: keyFile === undefined ? undefined : keyPath(keyFile, inv.source),
    password: text('ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password'),
    become: parseBoolean('ansible_become', vars['ansible_become'], fail) ?? false,
    becomeUser: text('ansible_become_user') ?? 'root',
    becomePassword: text('ansible_become_password', 'ansible_become_pass'),
    connection: parseConnection(text('ansible_connection'), fail),
    vars,
  };
}

/** An Ansible boolean: true/false, yes/no, on/off, 1/0 (any case); undefined when unset. */
export function parseBoolean(key: string, value: unknown, fail: (message: string) => never): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  const word = String(value).trim().toLowerCase();
  if (TRUE.includes(word)) return true;
  if (FALSE.includes(word)) return false;
  return fail(`${key} must be a boolean (true/false, yes/no, 1/0), got ${JSON.stringify(value)}`);
}

function firstString(vars: Vars, keys: string[], fail: (message: string) => never): string | undefined {
  for (const key of keys) {
    const value = vars[key];
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'bigint') return String(value);
    return fail(`${key} must be a string, got ${JSON.stringify(value)}`);
  }
  return undefined;
}

function parsePort(vars: Vars, fail: (message: string) => never): number {
  const key = vars['ansible_port'] !== undefined ? 'ansible_port' : 'ansible_ssh_port';
  const value = vars[key];
  if (value === undefined || value === null) return 22;
  const port = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(String(value)) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return fail(`${key} must be an integer from 1 to 65535, got ${JSON.stringify(value)}`);
  }
  return port;
}

/** `~/x` is under the home directory; a relative path is relative to the inventory file. */
function keyPath(file: string, inventoryFile: string): string {
  if (file === '~') return homedir();
  if (file.startsWith('~/')) return resolve(homedir(), file.slice(2));
  return isAbsolute(file) ? file : resolve(dirname(inventoryFile), file);
}

function parseConnection(value: string | undefined, fail: (message: string) => never): 'ssh' | 'local' {
  if (value === undefined) return 'ssh';
  const kind = value.trim().toLowerCase();
  if (kind === 'local') return 'local';
  if (kind === 'ssh' || kind === 'smart' || kind === 'paramiko' || kind === 'paramiko_ssh') return 'ssh';
  return fail(`ansible_connection "${value}" is not supported (use ssh or local)`);
}
