// npm run lab:up   -> node test/lab/cli.ts up [--debian N] [--rhel N] [--docker-ce N] [--containerd N]
//                       [--containerd17 N] [--kubekey N] [--kubespray N] [--podman N] [--k3s N] [--harbor-front]
//                       [--lean] [--id ID] [--home NAME]
// npm run lab:down -> node test/lab/cli.ts down [--all] [--home NAME]
//                     node test/lab/cli.ts status [--home NAME]
import './env.ts';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_HOME, DEFAULT_SPEC, isLabLive, loadLab, namedHome, startLab, stopAllLabs, stopLab, type Lab, type LabHome } from './lab.ts';
import { repoRoot } from './util.ts';
import { VARIANT_ORDER, VARIANTS } from './variants.ts';

function usage(): never {
  const counts = VARIANT_ORDER.map((v) => `[--${VARIANTS[v].flag} N]`).join(' ');
  process.stderr.write(
    `usage: node test/lab/cli.ts up ${counts} [--harbor-front] [--lean] [--id ID] [--home NAME]\n` +
    '       node test/lab/cli.ts down [--all] [--home NAME]   (this checkout\'s lab; --all: every lab on this engine)\n' +
    '       node test/lab/cli.ts status [--home NAME]\n' +
    '  --home NAME: a lab kept in .lab/NAME/ (beside the default one), e.g. the containerd tests\' lab\n' +
    '  --harbor-front: also the Harbor stand-in (nginx answering as Harbor, in front of the https registry)\n' +
    '  --lean: nodes trimmed as the test suite\'s are (no unit generators, dockerd without iptables, three public roots)\n' +
    VARIANT_ORDER.map((v) => `  --${VARIANTS[v].flag.padEnd(13)} ${VARIANTS[v].prefix}1..N: ${VARIANTS[v].describe}\n`).join(''),
  );
  process.exit(2);
}

function homeFrom(name: string | undefined): LabHome {
  return name === undefined ? DEFAULT_HOME : namedHome(name);
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

function summary(lab: Lab, homeName: string | undefined): string {
  const rel = (p: string): string => path.relative(process.cwd(), path.resolve(repoRoot, p)) || '.';
  const w = Math.max(...lab.nodes.map((n) => n.name.length), 4);
  return [
    `lab ${lab.id}  network ${lab.network.name} ${lab.network.subnet}`,
    '',
    'nodes:',
    ...lab.nodes.map((n) => `  ${n.name.padEnd(w)}  ${n.address.padEnd(15)}  ${n.family}${n.variant !== n.family ? ` (${n.variant})` : ''}` +
      `${n.criSocket ? `  CRI ${n.criSocket}` : ''}`),
    '',
    'registries (not in any node\'s /etc/hosts):',
    `  http   ${lab.registries.http.host.padEnd(22)} ${lab.registries.http.address}:80   no auth`,
    `  https  ${lab.registries.https.host.padEnd(22)} ${lab.registries.https.address}:443  user ${lab.registries.https.username}, password in ${rel(lab.registries.https.passwordFile)}, CA ${rel(lab.registries.https.caCertPath)}`,
    ...(lab.registries.harborFront === undefined ? [] : [
      `  harbor ${lab.registries.harborFront.host.padEnd(22)} ${lab.registries.harborFront.address}:443  Harbor stand-in in front of ${lab.registries.https.host} (same login); :80 308, :8443 getcert 404, :9443 expired certificate`,
    ]),
    `  seeded: ${lab.seededImage.repository}:{${lab.seededImage.tags.join(',')}}`,
    '',
    `ssh:    ssh -i ${rel(lab.sshKeyPath)} root@${lab.nodes[0]?.address ?? 'ADDRESS'}   (also ${lab.opsUser}@, sudo password in ${rel(lab.opsPasswordFile)})`,
    `inventories: ${rel(lab.inventories.root)} (root), ${rel(lab.inventories.sudo)} (ops + become), ${rel(lab.inventories.yaml)}`,
    `stop:   ${homeName === undefined ? 'npm run lab:down' : `node test/lab/cli.ts down --home ${homeName}`}`,
  ].join('\n');
}

/** Stops the lab this checkout started in this home, leaving other checkouts' labs alone. */
async function stopThisLab(home: LabHome): Promise<string[]> {
  let lab: Lab;
  try {
    lab = loadLab(home);
  } catch {
    return [];
  }
  await stopLab(lab, { home });
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
    options: {
      ...Object.fromEntries(VARIANT_ORDER.map((v) => [VARIANTS[v].flag, { type: 'string' as const }])),
      'harbor-front': { type: 'boolean' },
      lean: { type: 'boolean' },
      id: { type: 'string' },
      home: { type: 'string' },
    },
    strict: true,
  });
  const flagValue = (flag: string): string | undefined => {
    const v = (values as Record<string, string | boolean | undefined>)[flag];
    return typeof v === 'string' ? v : undefined;
  };
  const counts = Object.fromEntries(VARIANT_ORDER.map((v) => {
    const { count: key, flag } = VARIANTS[v];
    return [key, count(flagValue(flag), DEFAULT_SPEC[key], flag)];
  }));
  // startLab replaces this checkout's lab in that home; labs of other homes and checkouts keep running
  const lab = await startLab(
    { ...DEFAULT_SPEC, ...counts, harborFront: values['harbor-front'] === true, lean: values.lean === true, ...(values.id ? { id: values.id } : {}) },
    { home: homeFrom(values.home) },
  );
  process.stdout.write(`${summary(lab, values.home)}\n`);
} else if (command === 'down') {
  const { values } = parseArgs({ args: rest, options: { all: { type: 'boolean' }, home: { type: 'string' } }, strict: true });
  const ids = values.all === true ? await stopAllLabs() : await stopThisLab(homeFrom(values.home));
  process.stdout.write(ids.length > 0 ? `stopped lab ${ids.join(', ')}\n` : 'no lab running\n');
} else if (command === 'status') {
  const { values } = parseArgs({ args: rest, options: { home: { type: 'string' } }, strict: true });
  let lab: Lab;
  try {
    lab = loadLab(homeFrom(values.home));
  } catch (err) {
    process.stdout.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  const live = await isLabLive(lab);
  process.stdout.write(`${summary(lab, values.home)}\n\nstatus: ${live ? 'running' : 'NOT running (containers missing or stopped)'}\n`);
  process.exit(live ? 0 : 1);
} else {
  usage();
}
