/**
 * Every file a run reads: the playbook (or the installer's file or directory), the inventory's files
 * (group_vars/ and host_vars/ included: every file a var came from), the private key of each node, and
 * each registry's and mirror's CA. With where each is named, so a message can point at it.
 */
import { resolve } from 'node:path';
import { resolveHostVars, resolveTarget } from '../inventory/index.ts';
import { KEY_VARS } from '../inventory/key-files.ts';
import type { Inventory } from '../inventory/types.ts';
import type { Playbook } from '../playbook/types.ts';
import type { RunPath } from './sandbox.ts';

const place = (file: string, line: number | undefined) => `${file}${line === undefined ? '' : `:${line}`}`;

export function filesRead(source: { readonly path: string; readonly what: string }, playbook: Playbook, inventory: Inventory, hosts: readonly string[]): RunPath[] {
  const read = (path: string, what: string): RunPath => ({ path: resolve(path), what, access: 'read' });
  const paths: RunPath[] = [read(source.path, source.what), ...inventory.sources.map((path) => read(path, 'an inventory (-i)'))];
  for (const name of hosts) {
    const host = inventory.hosts.get(name);
    if (host !== undefined) paths.push(read(host.file, `the inventory file of host ${name}`));
    const { origins } = resolveHostVars(inventory, name);
    for (const [variable, origin] of Object.entries(origins)) paths.push(read(origin.file, `where ${variable} of host ${name} is set`));
    const target = resolveTarget(inventory, name);
    if (target.privateKeyFile !== undefined && target.privateKey === undefined) {
      const key = KEY_VARS.find((v) => origins[v] !== undefined);
      const origin = key === undefined ? undefined : origins[key];
      const named = origin === undefined ? 'the default private key' : `${origin.label ?? key} (${place(origin.file, origin.line)})`;
      paths.push(read(target.privateKeyFile, `the private key of host ${name}: ${named}`));
    }
  }
  for (const play of playbook.plays) {
    for (const registry of play.registries) {
      if (registry.ca !== undefined) paths.push(read(registry.ca.file, `the CA of registry ${registry.host} (play ${JSON.stringify(play.name)}, ${place(play.source.file, play.source.line)})`));
      for (const mirror of registry.mirrors ?? []) {
        if (mirror.ca !== undefined) paths.push(read(mirror.ca.file, `the CA of mirror ${mirror.url} of registry ${registry.host} (play ${JSON.stringify(play.name)})`));
      }
    }
  }
  return paths;
}
