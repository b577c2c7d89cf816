// Where a lab keeps its state: lab.json, keys, passwords and CA, its inventories and playbook. The default
// home is this checkout's lab (.lab/, inventory/lab*.{ini,yml}, playbooks/lab.yml); a named home
// (.lab/<name>/, everything inside) lets a test start a lab of its own beside it.
import path from 'node:path';
import { INVENTORY_PATHS, PLAYBOOK_PATH } from './inventory-files.ts';
import { labJsonPath, repoRoot, stateDir } from './util.ts';

export interface LabHome {
  /** absolute: lab.json, id_ed25519, ops-password, registry-password, ca.crt (mode 0700) */
  stateDir: string;
  labJsonPath: string;
  /** relative to the repository root */
  inventories: { root: string; sudo: string; yaml: string };
  /** relative to the repository root */
  playbook: string;
  /** stateDir holds this lab's files and nothing else (inventories and playbook included): removed whole */
  dedicated: boolean;
}

export const DEFAULT_HOME: LabHome = { stateDir, labJsonPath, inventories: { ...INVENTORY_PATHS }, playbook: PLAYBOOK_PATH, dedicated: false };

/** A home of its own under .lab/NAME/, for a lab that runs beside this checkout's lab. */
export function namedHome(name: string): LabHome {
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(name)) throw new Error(`lab home name must match [a-z0-9][a-z0-9-]{0,30}: ${name}`);
  const dir = path.join(stateDir, name);
  const rel = path.relative(repoRoot, dir);
  return {
    stateDir: dir,
    labJsonPath: path.join(dir, 'lab.json'),
    inventories: { root: path.join(rel, 'inventory/lab.ini'), sudo: path.join(rel, 'inventory/lab-sudo.ini'), yaml: path.join(rel, 'inventory/lab.yml') },
    playbook: path.join(rel, 'playbooks/lab.yml'),
    dedicated: true,
  };
}

/** The environment variable that names the lab home a test worker works on. */
export const LAB_HOME_ENV = 'DOCKHAND_LAB_HOME';

/**
 * The lab a process works on when it names none: the home DOCKHAND_LAB_HOME names (the integration suite's
 * second lab sets it for its test files: suite-labs.ts), else this checkout's lab.
 */
export function currentHome(env: NodeJS.ProcessEnv = process.env): LabHome {
  const name = env[LAB_HOME_ENV];
  return name ? namedHome(name) : DEFAULT_HOME;
}

/**
 * The directory on this machine bound on a containerd node's /run/containerd, so that its CRI socket
 * is reachable from here. One per node, under one directory per lab (removed with the lab).
 * Absolute and short: a unix socket path must fit in 108 bytes.
 */
export const CRI_RUN_ROOT = process.env.DOCKHAND_LAB_RUN_DIR ?? '/run/dockhand-lab';

export function criRunDir(labId: string, node?: string): string {
  return node === undefined ? path.join(CRI_RUN_ROOT, labId) : path.join(CRI_RUN_ROOT, labId, node);
}
