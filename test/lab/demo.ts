// npm run demo: start a lab of real nodes (Docker and containerd), then show dockhand converging it and a
// pull working on every node. Run on the Node.js the project installs (npm scripts do that).
import './env.ts';
import { execa } from 'execa';
import { CriClient, unixSocket } from '../../src/cri/index.ts';
import { containerdNodes, dockerNodes, nodeExec, readSecret, startLab } from './lab.ts';
import { repoRoot } from './util.ts';

const say = (text: string): void => void process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);

async function dockhand(args: string[]): Promise<number> {
  process.stdout.write(`$ dockhand ${args.join(' ')}\n`);
  const run = await execa(process.execPath, ['bin/dockhand.js', ...args], { cwd: repoRoot, stdio: 'inherit', reject: false });
  return run.exitCode ?? 1;
}

const lab = await startLab();
const common = ['-i', lab.inventories.root, '--known-hosts', '.lab/known_hosts'];

say('What the nodes are and how their Docker is wired');
await dockhand(['facts', ...common]);

say('What the registry playbook would change (exit 3: drift)');
const check = await dockhand(['check', lab.playbook, ...common]);

say('Converge every node');
const apply = await dockhand(['apply', lab.playbook, ...common]);

say('The proof: on every Docker node a docker pull, on every containerd node a pull through its CRI (as kubelet pulls), from the http registry and (with the login) the https one');
const { http, https } = lab.registries;
let failures = 0;
for (const node of containerdNodes(lab)) {
  const cri = new CriClient({ connect: unixSocket(node.criSocket!), target: node.name });
  for (const [registry, login] of [[http.host, false], [https.host, true]] as const) {
    const image = `${registry}/${lab.seededImage.repository}:${lab.seededImage.tags[0]}`;
    const auth = login ? { username: https.username, password: readSecret(https.passwordFile) } : undefined;
    const result = await cri.pullImage(image, auth ? { auth } : {}).then(() => 'ok', (error: unknown) => `FAILED: ${String(error)}`);
    if (result !== 'ok') failures += 1;
    else await cri.removeImage(image).catch(() => undefined);
    process.stdout.write(`${node.name.padEnd(6)} CRI pull ${image}: ${result}\n`);
  }
  await cri.close();
}
for (const node of dockerNodes(lab).filter((n) => n.variant !== 'docker-ce')) {
  for (const [registry, login] of [[http.host, false], [https.host, true]] as const) {
    const image = `${registry}/${lab.seededImage.repository}:${lab.seededImage.tags[0]}`;
    const script = login
      ? `docker login -u ${https.username} --password-stdin ${registry} >/dev/null && docker pull -q ${image} && docker logout ${registry} >/dev/null`
      : `docker pull -q ${image}`;
    const result = await nodeExec(node, ['sh', '-c', `${script} && docker rmi -f ${image} >/dev/null`], login ? readSecret(https.passwordFile) : undefined);
    if (result.exitCode !== 0) failures += 1;
    process.stdout.write(`${node.name.padEnd(6)} docker pull ${image}: ${result.exitCode === 0 ? 'ok' : `FAILED: ${result.output.trim()}`}\n`);
  }
}

say('A second run changes nothing (exit 0)');
const again = await dockhand(['check', lab.playbook, ...common]);

process.stdout.write(`\ncheck before: exit ${check}, apply: exit ${apply}, pulls failed: ${failures}, check after: exit ${again}\n`);
process.stdout.write('The lab keeps running: try `npx dockhand facts -i inventory/lab.ini --known-hosts .lab/known_hosts`; stop it with `npm run lab:down`.\n');
process.exitCode = check === 3 && apply === 0 && failures === 0 && again === 0 ? 0 : 1;
