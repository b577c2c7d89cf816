// The Debian trust store refreshed by dockhand's own steps (src/node/transaction/trust.sh) ends exactly as
// `update-ca-certificates` leaves it: on a real Debian node, each case runs both from the same store and
// compares every link, its target and the bundle, byte for byte; and the https registry is trusted after.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { composeScript } from '../../src/node/compose.ts';
import { nodeScript } from '../../src/node/scripts.ts';
import { loadLab, nodeExec, type LabNode } from '../lab/lab.ts';
import { resetNodes } from '../support/reset.ts';

const lab = loadLab();
const node: LabNode = lab.nodes.filter((n) => n.variant === 'debian').at(-1)!;
const { https } = lab.registries;
const ca = readFileSync(https.caCertPath, 'utf8');
const LOCAL = '/usr/local/share/ca-certificates';

async function sh(script: string, input?: string): Promise<string> {
  const run = await nodeExec(node, ['sh', '-c', script], input);
  if (run.exitCode !== 0) throw new Error(`${node.name}: ${script}\n=> exit ${run.exitCode}: ${run.output}`);
  return run.stdout;
}

/** trust.sh's refresh, run as the worker runs it; prints which path it took. */
const REFRESH = composeScript(
  {},
  nodeScript('node/transaction/trust.sh'),
  'family=debian\nT=$(mktemp -d)\nif debian_trust_refresh; then echo quick; else update-ca-certificates >/dev/null 2>&1 && echo tool; fi\nrm -rf "$T"\n',
);

/** Everything in /etc/ssl/certs (name, type, link target) and the bundle's hash. */
const SNAPSHOT = 'cd /etc/ssl/certs && find . -printf "%p %y %l\\n" | LC_ALL=C sort && sha256sum ca-certificates.crt';

/** From the same store (/etc/ssl/certs kept aside), dockhand's refresh and then the tool's: both snapshots. */
async function both(): Promise<{ path: string; ours: string; tools: string }> {
  await sh('rm -rf /root/certs.before && cp -a /etc/ssl/certs /root/certs.before');
  const path = (await sh('sh -s', REFRESH)).trim();
  const ours = await sh(SNAPSHOT);
  await sh('rm -rf /etc/ssl/certs && cp -a /root/certs.before /etc/ssl/certs && LC_ALL=C update-ca-certificates >/dev/null 2>&1');
  const tools = await sh(SNAPSHOT);
  return { path, ours, tools };
}

const anchor = (name: string) => `${LOCAL}/dockhand/${name}/dockhand-${name}.crt`;
const put = (path: string, content: string) => sh(`mkdir -p "$(dirname '${path}')" && cat > '${path}'`, content);

afterAll(async () => {
  await sh(`rm -rf ${LOCAL}/dockhand ${LOCAL}/zz-extra.crt '${LOCAL}/with space.crt' /etc/ca-certificates/update.d/zz-marker /root/certs.before /tmp/trust-hook-ran; sed -i 's#^!mozilla/ACCVRAIZ1.crt$#mozilla/ACCVRAIZ1.crt#; /^mozilla\\/Not_There.crt$/d' /etc/ca-certificates.conf`);
  await sh('update-ca-certificates --fresh >/dev/null 2>&1');
  await resetNodes([node]);
}, 120_000);

describe('the Debian trust store refreshed by dockhand', () => {
  it('adds a registry CA as update-ca-certificates does, and the node then trusts the registry', async () => {
    await put(anchor(https.host), ca);
    const { path, ours, tools } = await both();
    expect(path).toBe('quick');
    expect(ours).toBe(tools);
    expect(ours).toContain(`dockhand-${https.host}.pem l ${anchor(https.host)}`);
    // the user's outcome: curl through the system bundle trusts the registry (401: it asks for a login)
    const code = await sh(`curl -sS -o /dev/null -w '%{http_code}' --resolve ${https.host}:443:${https.address} https://${https.host}/v2/`);
    expect(code).toBe('401');
  });

  it('adds several CAs, a second registry and another local CA, in the order the tool sorts them', async () => {
    await put(`${LOCAL}/dockhand/b.example/dockhand-b.example-1.crt`, ca);
    await put(`${LOCAL}/dockhand/b.example/dockhand-b.example-2.crt`, ca.replace(/\n$/, '')); // no final newline
    await put(`${LOCAL}/zz-extra.crt`, ca);
    const { path, ours, tools } = await both();
    expect(path).toBe('quick');
    expect(ours).toBe(tools);
  });

  it('replaces a CA in place, and leaves a removed one as the tool does (its link dangling until --fresh)', async () => {
    await put(anchor(https.host), `${ca}\n`);
    let run = await both();
    expect(run.path).toBe('quick');
    expect(run.ours).toBe(run.tools);
    await sh(`rm -rf ${LOCAL}/dockhand/b.example`);
    run = await both();
    expect(run.path).toBe('quick');
    expect(run.ours).toBe(run.tools);
  });

  it('follows the configuration: a deselected certificate loses its link, a listed one that is missing is skipped', async () => {
    await sh(`sed -i 's#^mozilla/ACCVRAIZ1.crt$#!mozilla/ACCVRAIZ1.crt#' /etc/ca-certificates.conf && echo mozilla/Not_There.crt >> /etc/ca-certificates.conf`);
    const { path, ours, tools } = await both();
    expect(path).toBe('quick');
    expect(ours).toBe(tools);
    expect(ours).not.toContain('ACCVRAIZ1.pem');
  });

  it('leaves a store with hooks, or a name the tool escapes, to update-ca-certificates itself', async () => {
    await put(`${LOCAL}/with space.crt`, ca);
    let run = await both();
    expect(run.path).toBe('tool');
    expect(run.ours).toBe(run.tools);
    await sh(`rm -f '${LOCAL}/with space.crt'`);
    await put('/etc/ca-certificates/update.d/zz-marker', '#!/bin/sh\ncat > /tmp/trust-hook-ran\n');
    await sh('chmod 0755 /etc/ca-certificates/update.d/zz-marker && rm -f /tmp/trust-hook-ran');
    await put(anchor('c.example'), ca);
    run = await both();
    expect(run.path).toBe('tool');
    expect(run.ours).toBe(run.tools);
    expect(await sh('cat /tmp/trust-hook-ran')).toContain(`dockhand-c.example.pem`);
  });
});
