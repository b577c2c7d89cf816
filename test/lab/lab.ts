// Start and stop the lab of real nodes: systemd + sshd containers running dockerd (Debian, a RHEL-family
// stand-in, a docker-ce-like Debian), only containerd (Debian 12 and 13, KubeKey- and Kubespray-style) or
// only podman and skopeo (Debian 12), plus an http and an https registry, on a private network.
import './env.ts';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { criRunDir, currentHome, DEFAULT_HOME, type LabHome } from './home.ts';
import { ensureImages } from './images.ts';
import { writeInventories, writeLabPlaybook } from './inventory-files.ts';
import { kubekeyNodeFiles } from './kubekey.ts';
import { createLabNetwork } from './network.ts';
import { containerExec, startNode } from './node.ts';
import { HARBOR_FRONT_FILES, startHarborFront } from './harbor-front.ts';
import { generatePki } from './pki.ts';
import { HTTP_REGISTRY_HOST, HTTPS_REGISTRY_HOST, startRegistries } from './registry.ts';
import { SEED_REPOSITORY, SEED_TAGS, seedRegistry } from './seed.ts';
import { generateSshKeyPair } from './ssh-keys.ts';
import type { Lab, LabNode, LabSpec } from './types.ts';
import { docker, LAB_LABEL, log, repoRoot, secs, step } from './util.ts';
import { fillCounts, nodePlan, VARIANT_ORDER, VARIANTS, variantsIn, ZERO_COUNTS, type LabCounts } from './variants.ts';

export type { Lab, LabNode, LabSpec } from './types.ts';
export { labJsonPath, stateDir } from './util.ts';
export { currentHome, DEFAULT_HOME, namedHome, type LabHome } from './home.ts';
export { isContainerdNode } from './variants.ts';

/** The lab's nodes whose runtime is Docker (Debian, the RHEL stand-in, docker-ce). */
export function dockerNodes(lab: Lab): LabNode[] {
  return lab.nodes.filter((n) => VARIANTS[n.variant].runtime === 'docker');
}

/** The lab's containerd nodes (no Docker). */
export function containerdNodes(lab: Lab): LabNode[] {
  return lab.nodes.filter((n) => VARIANTS[n.variant].runtime === 'containerd');
}

/** The first node of each variant among these, in their order: a test that covers every kind once. */
export function oneOfEachVariant(nodes: readonly LabNode[]): LabNode[] {
  const seen = new Set<string>();
  return nodes.filter((n) => !seen.has(n.variant) && seen.add(n.variant));
}

/** The lab's podman nodes (neither Docker nor containerd). */
export function containersNodes(lab: Lab): LabNode[] {
  return lab.nodes.filter((n) => VARIANTS[n.variant].runtime === 'containers');
}

/** Nodes a lab can hold: its network is a /24, which leaves room for the registries and the Harbor stand-in. */
export const MAX_NODES = 240;
export const DEFAULT_SPEC: LabCounts = { ...ZERO_COUNTS, debianNodes: 2, rhelNodes: 1, containerdNodes: 1 };
export const REGISTRY_USERNAME = 'dockhand';
export const OPS_USER = 'ops';

const SECRET_FILES = ['ops-password', 'registry-password', 'id_ed25519', 'id_ed25519.pub', 'ca.crt', 'ca.key',
  `${HTTPS_REGISTRY_HOST}.crt`, `${HTTPS_REGISTRY_HOST}.key`, ...HARBOR_FRONT_FILES];

async function raiseInotifyLimits(): Promise<void> {
  for (const [file, min] of [
    ['/proc/sys/fs/inotify/max_user_instances', 8192],
    ['/proc/sys/fs/inotify/max_user_watches', 524288],
  ] as const) {
    try {
      const cur = Number((await readFile(file, 'utf8')).trim());
      if (cur < min) {
        await writeFile(file, String(min));
        log(`${path.basename(file)}: ${cur} -> ${min}`);
      }
    } catch (err) {
      log(`warning: cannot raise ${file}: ${String(err)} (many nodes may fail to boot)`);
    }
  }
}

async function writeSecret(dir: string, file: string, content: string): Promise<string> {
  const p = path.join(dir, file);
  await writeFile(p, content, { mode: 0o600 });
  await chmod(p, 0o600);
  return p;
}

function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}


export interface LabOptions {
  /** where lab.json, secrets and inventories go; default: this checkout's .lab/ */
  home?: LabHome;
}

/**
 * Starts a lab (building or reusing its images) and writes its home's lab.json and inventories.
 * A lab previously described by that home's lab.json is stopped first: its state files are about to be
 * replaced (labs of other homes and other checkouts keep running).
 * On failure the half-started lab is removed (set DOCKHAND_LAB_KEEP_ON_FAILURE=1 to keep it for a look).
 */
export async function startLab(specIn: Partial<LabSpec> = {}, options: LabOptions = {}): Promise<Lab> {
  const home = options.home ?? DEFAULT_HOME;
  const spec = fillCounts(specIn, DEFAULT_SPEC);
  for (const [k, v] of Object.entries(spec)) {
    if (!Number.isInteger(v) || v < 0 || v > MAX_NODES) throw new Error(`lab spec: ${k} must be an integer 0..${MAX_NODES}, got ${v}`);
  }
  const total = Object.values(spec).reduce((a, b) => a + b, 0);
  if (total > MAX_NODES) throw new Error(`lab spec: at most ${MAX_NODES} nodes in all (the lab network is a /24), got ${total}`);
  const id = specIn.id ?? `l${randomBytes(3).toString('hex')}`;
  if (!/^[a-z0-9][a-z0-9-]{0,19}$/.test(id)) throw new Error(`lab id must match [a-z0-9][a-z0-9-]{0,19}: ${id}`);
  const started = Date.now();
  const described = VARIANT_ORDER.filter((v) => spec[VARIANTS[v].count] > 0).map((v) => `${spec[VARIANTS[v].count]} ${v}`);
  const harborFront = specIn.harborFront === true;
  const lean = specIn.lean === true;
  log(`starting lab ${id}: ${described.join(', ') || 'no nodes'}${harborFront ? ', the Harbor stand-in' : ''}${lean ? ', lean nodes' : ''}`);

  const previous = await readLabFile(home);
  if (previous) await stopLab(previous.id, { home });
  await raiseInotifyLimits();
  await mkdir(home.stateDir, { recursive: true, mode: 0o700 });
  await chmod(home.stateDir, 0o700);

  try {
    const opsPassword = randomPassword();
    const registryPassword = randomPassword();
    const [images, keys, pki] = await Promise.all([
      step('images', () => ensureImages(variantsIn(spec), { harborFront })),
      generateSshKeyPair(home.stateDir, id),
      generatePki(home.stateDir, HTTPS_REGISTRY_HOST, id),
    ]);
    const opsPasswordFile = await writeSecret(home.stateDir, 'ops-password', `${opsPassword}\n`);
    const registryPasswordFile = await writeSecret(home.stateDir, 'registry-password', `${registryPassword}\n`);
    const network = await createLabNetwork(id);
    log(`network ${network.name} ${network.subnet}`);

    const registriesP = step('registries', async () => {
      const regs = await startRegistries({
        labId: id, image: images.registry, network: network.name,
        username: REGISTRY_USERNAME, password: registryPassword,
        serverCert: pki.serverCert, serverKey: pki.serverKey, caCert: pki.caCert,
      });
      await Promise.all([
        seedRegistry({ host: regs.http.host, address: regs.http.address, port: 80 }),
        seedRegistry({
          host: regs.https.host, address: regs.https.address, port: 443, ca: pki.caCert,
          auth: { username: REGISTRY_USERNAME, password: registryPassword },
        }),
      ]);
      log(`seeded ${SEED_REPOSITORY}:{${SEED_TAGS.join(',')}} in both registries`);
      const front = images.harborFront === undefined ? undefined : await startHarborFront({
        labId: id, image: images.harborFront, network: network.name, stateDir: home.stateDir, pki,
        registry: { host: regs.https.host, address: regs.https.address },
      });
      return { ...regs, front };
    });
    const kubekeyFiles = kubekeyNodeFiles({
      httpHost: HTTP_REGISTRY_HOST, httpsHost: HTTPS_REGISTRY_HOST,
      username: REGISTRY_USERNAME, password: registryPassword, caCert: pki.caCert,
    });
    const plan = nodePlan(spec);
    const nodesP = step(`nodes (${plan.map((p) => p.name).join(' ')})`, () =>
      Promise.all(plan.map((p) => {
        const image = images.nodes[p.variant];
        if (!image) throw new Error(`no image for variant ${p.variant}`);
        const withCri = VARIANTS[p.variant].runtime !== 'docker';
        return startNode({
          labId: id, ...p, image, network: network.name,
          authorizedKey: keys.publicKey, opsPassword,
          ...(withCri ? { criRunDir: criRunDir(id, p.name) } : {}),
          files: p.variant === 'kubekey' ? kubekeyFiles : [],
          lean,
        });
      })));
    const [regs, nodes] = await Promise.all([registriesP, nodesP]);

    const lab: Lab = {
      id,
      createdAt: new Date().toISOString(),
      ...(lean ? { lean } : {}),
      network: { name: network.name, subnet: network.subnet },
      nodes,
      registries: {
        http: { host: HTTP_REGISTRY_HOST, address: regs.http.address, port: 80, containerId: regs.http.containerId },
        https: {
          host: HTTPS_REGISTRY_HOST, address: regs.https.address, port: 443,
          username: REGISTRY_USERNAME, passwordFile: registryPasswordFile, caCertPath: pki.caCertPath,
          containerId: regs.https.containerId,
        },
        ...(regs.front === undefined ? {} : { harborFront: regs.front }),
      },
      sshKeyPath: keys.privateKeyPath,
      opsUser: OPS_USER,
      opsPasswordFile,
      inventories: { ...home.inventories },
      playbook: home.playbook,
      seededImage: { repository: SEED_REPOSITORY, tags: [...SEED_TAGS] },
    };
    await writeInventories({ labId: id, nodes, sshKeyPath: keys.privateKeyPath, opsUser: OPS_USER, opsPassword }, home.inventories);
    await writeLabPlaybook({ labId: id, http: lab.registries.http, https: lab.registries.https }, home.playbook);
    await writeFile(home.labJsonPath, `${JSON.stringify(lab, null, 2)}\n`, { mode: 0o644 });
    log(`lab ${id} up in ${secs(started)}`);
    return lab;
  } catch (err) {
    if (process.env.DOCKHAND_LAB_KEEP_ON_FAILURE === '1') {
      log(`lab ${id} failed; kept for inspection (DOCKHAND_LAB_KEEP_ON_FAILURE=1): npm run lab:down removes it`);
    } else {
      log(`lab ${id} failed; removing what was started`);
      await stopLab(id, { home }).catch((e: unknown) => log(`cleanup failed: ${String(e)}`));
      await removeStateFiles(home);
    }
    throw err;
  }
}

async function listByLabel(kind: 'container' | 'volume' | 'network', filter: string): Promise<string[]> {
  const args = kind === 'container'
    ? ['ps', '-aq', '--no-trunc', '--filter', `label=${filter}`]
    : [kind, 'ls', '-q', '--filter', `label=${filter}`];
  return (await docker(args)).stdout.split('\n').map((s) => s.trim()).filter(Boolean);
}

/**
 * Removes the containers, volumes, network and CRI socket directories of a lab (found by label and id),
 * idempotent. When it is the lab described by the home's lab.json, that file, the secrets and the
 * inventories go too.
 */
export async function stopLab(labOrId: Lab | string, options: LabOptions = {}): Promise<void> {
  const home = options.home ?? DEFAULT_HOME;
  const id = typeof labOrId === 'string' ? labOrId : labOrId.id;
  const started = Date.now();
  const filter = `${LAB_LABEL}=${id}`;
  const containers = await listByLabel('container', filter);
  if (containers.length > 0) await docker(['rm', '-f', '-v', ...containers], { reject: false });
  const volumes = await listByLabel('volume', filter);
  if (volumes.length > 0) await docker(['volume', 'rm', '-f', ...volumes], { reject: false });
  const networks = await listByLabel('network', filter);
  for (const n of networks) await docker(['network', 'rm', n], { reject: false });
  // sockets and state containerd left in the bind-mounted /run/containerd of each node
  await rm(criRunDir(id), { recursive: true, force: true });
  const current = await readLabFile(home);
  if (current?.id === id) await removeStateFiles(home);
  if (containers.length + volumes.length + networks.length > 0) {
    log(`lab ${id} stopped (${containers.length} containers, ${volumes.length} volumes, ${networks.length} networks) in ${secs(started)}`);
  }
}

/** Stops every lab on this docker engine (anything labelled dockhand.lab); clears this checkout's default home. */
export async function stopAllLabs(): Promise<string[]> {
  const ids = new Set<string>();
  for (const kind of ['container', 'volume', 'network'] as const) {
    const fmt = '{{index .Labels "dockhand.lab"}}';
    const args = kind === 'container'
      ? ['ps', '-a', '--filter', `label=${LAB_LABEL}`, '--format', `{{.Label "${LAB_LABEL}"}}`]
      : [kind, 'ls', '--filter', `label=${LAB_LABEL}`, '--format', kind === 'volume' ? `{{.Label "${LAB_LABEL}"}}` : fmt];
    const r = await docker(args, { reject: false });
    for (const l of r.stdout.split('\n')) if (l.trim()) ids.add(l.trim());
  }
  const current = await readLabFile(DEFAULT_HOME);
  if (current) ids.add(current.id);
  for (const id of ids) await stopLab(id);
  await removeStateFiles(DEFAULT_HOME);
  return [...ids];
}

async function removeStateFiles(home: LabHome): Promise<void> {
  if (home.dedicated) {
    await rm(home.stateDir, { recursive: true, force: true });
    return;
  }
  await rm(home.labJsonPath, { force: true });
  for (const f of SECRET_FILES) await rm(path.join(home.stateDir, f), { force: true });
  for (const p of [...Object.values(home.inventories), home.playbook]) await rm(path.join(repoRoot, p), { force: true });
}

async function readLabFile(home: LabHome): Promise<Lab | undefined> {
  try {
    return JSON.parse(await readFile(home.labJsonPath, 'utf8')) as Lab;
  } catch {
    return undefined;
  }
}

/** The running lab, from the home's lab.json (written by startLab). Throws when there is none. */
export function loadLab(home: LabHome = currentHome()): Lab {
  let text: string;
  try {
    text = readFileSync(home.labJsonPath, 'utf8');
  } catch {
    throw new Error(`no lab: ${home.labJsonPath} is missing (start one with \`npm run lab:up\`)`);
  }
  return JSON.parse(text) as Lab;
}

/** True when every container of the lab is running. */
export async function isLabLive(lab: Lab): Promise<boolean> {
  const ids = [...lab.nodes.map((n) => n.containerId), lab.registries.http.containerId, lab.registries.https.containerId,
    ...(lab.registries.harborFront ? [lab.registries.harborFront.containerId] : [])];
  const r = await docker(['inspect', '--format', '{{.State.Running}}', ...ids], { reject: false });
  return r.exitCode === 0 && r.stdout.trim().split('\n').every((l) => l.trim() === 'true');
}

/** Runs cmd in a node through `docker exec` (as root); never throws on a non-zero exit. */
export async function nodeExec(node: LabNode | string, cmd: string[], input?: string): Promise<{ exitCode: number; output: string; stdout: string; stderr: string }> {
  const containerId = typeof node === 'string' ? findNode(node).containerId : node.containerId;
  return containerExec(containerId, cmd, input);
}

/** A node of the running lab by name (deb1, rhel1, ce1, ctrd1, ctrdx1, kk1, ks1, podman1 ...). */
export function findNode(name: string, lab: Lab = loadLab()): LabNode {
  const n = lab.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`lab ${lab.id} has no node ${name} (has: ${lab.nodes.map((x) => x.name).join(', ')})`);
  return n;
}

/** The secret behind a *File path of lab.json (ops password, registry password). */
export function readSecret(file: string): string {
  return readFileSync(file, 'utf8').trim();
}
