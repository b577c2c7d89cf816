// Records what a converged lab node answers to dockhand's state read, for bench/controller.ts's light
// endpoints: node bench/capture-endpoint.ts NODE (a node of this checkout's lab that `dockhand apply
// playbooks/lab.yml` converged). Writes bench/fixtures/endpoint/: state.out (the answer), ca.crt (the lab
// CA's certificate: public) and playbook.yml (the lab playbook, its CA beside it).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { nodeStateScript } from '../src/converge/node-state.ts';
import { loadPlaybook } from '../src/playbook/load.ts';
import { loadLab, nodeExec } from '../test/lab/lab.ts';
import { repoRoot } from '../test/lab/util.ts';

const name = process.argv[2];
const lab = loadLab();
const node = lab.nodes.find((n) => n.name === name);
if (node === undefined) throw new Error(`usage: node bench/capture-endpoint.ts NODE (a node of lab ${lab.id})`);
const labBook = path.join(repoRoot, 'playbooks', 'lab.yml');
const playbook = await loadPlaybook(labBook);
const play = playbook.plays[0]!;
const run = await nodeExec(node, ['sh', '-s'], nodeStateScript(play.runtimes, play.registries));
if (run.exitCode !== 0) throw new Error(`${name}: the state read exited ${run.exitCode}: ${run.output}`);
const out = path.join(import.meta.dirname, 'fixtures', 'endpoint');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'state.out'), run.stdout);
copyFileSync(lab.registries.https.caCertPath, path.join(out, 'ca.crt'));
const text = readFileSync(labBook, 'utf8')
  .replace(/^# dockhand lab .*\n/m, `# the lab playbook the endpoint's state was read with (bench/capture-endpoint.ts ${name})\n`)
  .replace(/ca: .*$/m, 'ca: ca.crt');
writeFileSync(path.join(out, 'playbook.yml'), text);
process.stderr.write(`wrote ${out}: state.out (${run.stdout.length} bytes), ca.crt, playbook.yml\n`);
