// A command in a lab container, as `docker exec` runs it (its namespaces, root, environment; root user), at a
// sixth of the CPU: `docker exec` costs ~175 ms of CPU on this 2-core machine (the CLI, dockerd, containerd and
// runc), nsenter ~30 ms (mostly the command itself). The lab and the tests run hundreds of them, and the suite is
// CPU-bound. nsenter needs root on this machine; otherwise, or with DOCKHAND_LAB_EXEC=docker, it is docker exec.
// A process started this way is in the container's PID namespace (it dies with the container) but not in its
// cgroup: nothing a test measures by a node's cgroup runs through here.
import { readFile } from 'node:fs/promises';
import { docker, run, type RunResult } from './util.ts';

interface Target {
  pid: number;
  /** /proc/PID/stat's start time: a PID reused after the container restarted is not taken for it */
  started: string;
  env: string[];
}

const targets = new Map<string, Target>();

const useNsenter = process.env.DOCKHAND_LAB_EXEC !== 'docker' && process.getuid?.() === 0;

async function startTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // the fields after the command's closing parenthesis; the start time is the 22nd field of the line
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The container's init as this machine sees it, or undefined when the container does not run. */
async function target(containerId: string): Promise<Target | undefined> {
  const known = targets.get(containerId);
  if (known !== undefined && (await startTime(known.pid)) === known.started) return known;
  targets.delete(containerId);
  const inspect = await docker(['inspect', '--format', '{{.State.Pid}} {{json .Config.Env}}', containerId], { reject: false });
  if (inspect.exitCode !== 0) return undefined;
  const space = inspect.stdout.indexOf(' ');
  const pid = Number(inspect.stdout.slice(0, space));
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const started = await startTime(pid);
  if (started === undefined) return undefined;
  const env = (JSON.parse(inspect.stdout.slice(space + 1)) as string[] | null) ?? [];
  const found: Target = { pid, started, env: env.some((e) => e.startsWith('HOME=')) ? env : [...env, 'HOME=/root'] };
  targets.set(containerId, found);
  return found;
}

/** True while the container runs: a look at /proc once its init is known, else docker inspect. */
export async function containerRuns(containerId: string): Promise<boolean> {
  if (useNsenter) return (await target(containerId)) !== undefined;
  const running = await docker(['inspect', '--format', '{{.State.Running}}', containerId], { reject: false });
  return running.stdout.trim() === 'true';
}

/** `docker exec [-i] CONTAINER CMD...`, never throwing on a non-zero exit. */
export async function execIn(containerId: string, cmd: string[], input?: string): Promise<RunResult> {
  const into = useNsenter ? await target(containerId) : undefined;
  if (into === undefined) {
    // docker says why it cannot (a container that is not running, or not there)
    return docker(['exec', ...(input !== undefined ? ['-i'] : []), containerId, ...cmd], { reject: false, ...(input !== undefined ? { input } : {}) });
  }
  const namespaces = ['--mount', '--uts', '--ipc', '--net', '--pid', '--cgroup', '--root', '--wd'];
  // Node.js hands a child's stdin over as a socket, which cannot be opened again by name (/dev/stdin: ENXIO);
  // docker exec gives the command a pipe, and so does this
  const stdin = input === undefined ? [] : ['sh', '-c', 'cat | "$@"', 'sh'];
  return run('nsenter', ['--target', String(into.pid), ...namespaces, 'env', '-i', ...into.env, ...stdin, ...cmd], {
    reject: false,
    ...(input !== undefined ? { input } : {}),
  });
}
