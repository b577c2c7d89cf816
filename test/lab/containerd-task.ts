// A task running under a node's containerd before a test acts, to prove afterwards that it still runs with
// the same PID (a `systemctl restart containerd` leaves running containers alone: their shims survive).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nodeExec } from './lab.ts';
import type { LabNode } from './types.ts';
import { VARIANTS } from './variants.ts';

const SCRIPT = readFileSync(path.join(import.meta.dirname, 'node-scripts', 'containerd-task.sh'), 'utf8');

/** ctr on the node's containerd: its own socket, or (a k3s node) the one k3s runs its containerd on. */
function ctrEnv(node: LabNode): string[] {
  return VARIANTS[node.variant].runtime === 'k3s' ? ['env', 'CONTAINERD_ADDRESS=/run/k3s/containerd/containerd.sock'] : [];
}

/** Starts task `id` on the node (unless it runs already) and returns its PID, as the node sees it. */
export async function startContainerdTask(node: LabNode, id = 'lab-task'): Promise<number> {
  const r = await nodeExec(node, [...ctrEnv(node), 'sh', '-s', 'start', id], SCRIPT);
  const pid = Number(r.stdout.trim());
  if (r.exitCode !== 0 || !Number.isInteger(pid) || pid <= 0) {
    throw new Error(`${node.name}: starting containerd task ${id} failed (exit ${r.exitCode}):\n${r.output}`);
  }
  return pid;
}

/** The PID of task `id` on the node, or undefined when it does not run. */
export async function containerdTaskPid(node: LabNode, id = 'lab-task'): Promise<number | undefined> {
  const r = await nodeExec(node, [...ctrEnv(node), 'sh', '-s', 'pid', id], SCRIPT);
  const pid = Number(r.stdout.trim());
  return r.exitCode === 0 && Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
