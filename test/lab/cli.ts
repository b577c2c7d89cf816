// npm run lab:up   -> node test/lab/cli.ts up [--debian N] [--rhel N] [--docker-ce N] [--id ID]
// npm run lab:down -> node test/lab/cli.ts down [--all]
//                     node test/lab/cli.ts status
import './env.ts';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SPEC, isLabLive, loadLab, startLab, stopAllLabs, stopLab, type Lab } from './lab.ts';
import { repoRoot } from './util.ts';

function usage(): never {
  process.stderr.write(
    'usage: node test/lab/cli.ts up [--debian N] [--rhel N] [--docker-ce N] [--id ID]\n' +
    '       node test/lab/cli.ts down [--all]   (this checkout\'s lab; --all: every lab on this engine)\n' +
    '       node test/lab/cli.ts status\n',
  );
  process.exit(2);
}

function count(v: string | undefined, def: number, flag: string): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${flag}: not a count: ${v}\n`);
    process.exit(2);
  }
  return n;
}

function summary(lab: Lab): string {
  const rel = (p: string): string => path.relative(process.cwd(), path.resolve(repoRoot, p)) || '.';
  const w = Math.max(...lab.nodes.map((n) => n.name.length), 4);
  return [
    `lab ${lab.id}  network ${lab.network.name} ${lab.network.subnet}`,
    '',
    'nodes:',
    ...lab.nodes.map((n) => `  ${n.name.padEnd(w)}  ${n.address.padEnd(15)}  ${n.family}${n.variant !== n.family ? ` (${n.variant})` : ''}`),
    '',
    'registries (not in any node\'s /etc/hosts):',
    `  http   ${lab.registries.http.host.padEnd(22)} ${lab.registries.http.address}:80   no auth`,
    `  https  ${lab.registries.https.host.padEnd(22)} ${lab.registries.https.address}:443  user ${lab.registries.https.username}, password in ${rel(lab.registries.https.passwordFile)}, CA ${rel(lab.registries.https.caCertPath)}`,
    `  seeded: ${lab.seededImage.repository}:{${lab.seededImage.tags.join(',')}}`,
    '',
    `ssh:    ssh -i ${rel(lab.sshKeyPath)} root@${lab.nodes[0]?.address ?? 'ADDRESS'}   (also ${lab.opsUser}@, sudo password in ${rel(lab.opsPasswordFile)})`,
    `inventories: ${rel(lab.inventories.root)} (root), ${rel(lab.inventories.sudo)} (ops + become), ${rel(lab.inventories.yaml)}`,
    'stop:   npm run lab:down',
  ].join('\n');
}

/** Stops the lab this checkout started (.lab/lab.json), leaving other checkouts' labs alone. */
async function stopThisLab(): Promise<string[]> {
  let lab: Lab;
  try {
    lab = loadLab();
  } catch {
    return [];
  }
  await stopLab(lab);
  return [lab.id];
}

const [command, ...rest] = process.argv.slice(2);
process.on('uncaughtException', (err) => {
  process.stderr.write(`\nlab ${command ?? ''} failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
if (command === 'up') {
  const { values } = parseArgs({
    args: rest,
    options: { debian: { type: 'string' }, rhel: { type: 'string' }, 'docker-ce': { type: 'string' }, id: { type: 'string' } },
    strict: true,
  });
  // startLab replaces this checkout's lab (.lab/lab.json); labs of other checkouts keep running
  const lab = await startLab({
    debianNodes: count(values.debian, DEFAULT_SPEC.debianNodes, 'debian'),
    rhelNodes: count(values.rhel, DEFAULT_SPEC.rhelNodes, 'rhel'),
    dockerCeNodes: count(values['docker-ce'], DEFAULT_SPEC.dockerCeNodes, 'docker-ce'),
    ...(values.id ? { id: values.id } : {}),
  });
  process.stdout.write(`${summary(lab)}\n`);
} else if (command === 'down') {
  const { values } = parseArgs({ args: rest, options: { all: { type: 'boolean' } }, strict: true });
  const ids = values.all === true ? await stopAllLabs() : await stopThisLab();
  process.stdout.write(ids.length > 0 ? `stopped lab ${ids.join(', ')}\n` : 'no lab running\n');
} else if (command === 'status') {
  let lab: Lab;
  try {
    lab = loadLab();
  } catch (err) {
    process.stdout.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  const live = await isLabLive(lab);
  process.stdout.write(`${summary(lab)}\n\nstatus: ${live ? 'running' : 'NOT running (containers missing or stopped)'}\n`);
  process.exit(live ? 0 : 1);
} else {
  usage();
}
