/**
 * containers-certs.d(5): a registry's CA in /etc/containers/certs.d/HOST[:PORT]/ca.crt. containers/image
 * looks in ~/.config/containers/certs.d, /etc/containers/certs.d and /etc/docker/certs.d and uses only
 * the first HOST directory that exists (docker/docker_client.go, dockerCertDir), so the directory dockhand
 * writes shadows Docker's: the certificates there are carried over (a client certificate and key pair is
 * not: its key would have to leave the node, so the node is refused with the copy to make by hand).
 * Read on every new connection: no reload.
 */
import { fileChange, fileRemoval } from '../../plan/file-change.ts';
import type { NodeState } from '../../plan/node-state.ts';
import type { FileChange } from '../../plan/types.ts';
import { CERTS_D_ROOT as DOCKER_CERTS_D } from '../docker/certs-d.ts';

export const CERTS_D = '/etc/containers/certs.d';

/** The host directory of a registry (as image references write it, port included). */
export function certsDir(host: string): string {
  return `${CERTS_D}/${host}`;
}

/** The host of a mirror URL, as its certs.d directory is named. */
export function urlHost(url: string): string {
  return new URL(url).host;
}

export interface CertsPlan {
  readonly changes: FileChange[];
  readonly blockers: string[];
  readonly notes: string[];
}

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/**
 * Each CA (host -> PEM) in its host directory, with what Docker's directory for the host holds carried
 * over; `retired`: hosts whose files dockhand made go.
 */
export function planCertsD(state: NodeState, certFiles: readonly string[], cas: ReadonlyMap<string, string>, retired: readonly string[]): CertsPlan {
  const plan: CertsPlan = { changes: [], blockers: [], notes: [] };
  const add = (change: FileChange | undefined) => {
    if (change !== undefined) plan.changes.push(change);
  };
  for (const [host, pem] of cas) {
    const dir = certsDir(host);
    add(fileChange(state, 'certs.d', `${dir}/ca.crt`, pem));
    const docker = `${DOCKER_CERTS_D}/${host}/`;
    for (const source of certFiles.filter((path) => path.startsWith(docker) && !path.slice(docker.length).includes('/'))) {
      const name = base(source);
      const target = `${dir}/${name}`;
      if (name === 'ca.crt' || certFiles.includes(target)) {
        // the play's CA replaces Docker's; a file of the same name that someone put here stays, unless dockhand put it
        const text = state.files.get(source)?.text;
        if (name !== 'ca.crt' && state.created.has(target) && typeof text === 'string') add(fileChange(state, 'certs.d', target, text));
        continue;
      }
      if (name.endsWith('.crt')) {
        const text = state.files.get(source)?.text;
        if (text === undefined || text === null) plan.notes.push(`left ${source} out of ${dir}: it is not a UTF-8 text certificate`);
        else add(fileChange(state, 'certs.d', target, text));
      } else if (name.endsWith('.cert') || name.endsWith('.key')) {
        plan.blockers.push(
          `${source} is part of a client certificate for ${host}, which ${dir} (created for the registry's CA) would hide from podman and CRI-O: ` +
            `copy ${docker}*.cert and *.key into ${dir}/ yourself (dockhand never carries a private key off a node), then run again`,
        );
      }
    }
  }
  for (const host of retired) {
    const dir = `${certsDir(host)}/`;
    for (const path of [...state.files.keys()].filter((p) => p.startsWith(dir) && p.endsWith('.crt'))) {
      const removal = fileRemoval(state, 'certs.d', path);
      add(removal.change);
      if (removal.note !== undefined) plan.notes.push(removal.note);
    }
  }
  return plan;
}
