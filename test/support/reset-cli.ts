// Put lab nodes back to fresh by name: node test/support/reset-cli.ts deb1 ctrd1 (a tool for profiling by hand).
import { loadLab } from '../lab/lab.ts';
import { resetNodes } from './reset.ts';

const lab = loadLab();
await resetNodes(process.argv.slice(2).map((name) => {
  const node = lab.nodes.find((n) => n.name === name);
  if (node === undefined) throw new Error(`no lab node ${name}`);
  return node;
}));
