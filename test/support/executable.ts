/** dockhand's single executable, built (again) when any source is newer than it. */
import { execa } from 'execa';
import { globSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './cli.ts';

export const EXECUTABLE = join(REPO, 'dist', 'dockhand');

function newestSource(): number {
  const files = [...globSync('{src,scripts}/**/*', { cwd: REPO }), 'package-lock.json'];
  return Math.max(...files.map((f) => statSync(join(REPO, f)).mtimeMs));
}

export async function ensureExecutable(): Promise<string> {
  const built = (() => {
    try {
      return statSync(EXECUTABLE).mtimeMs;
    } catch {
      return 0;
    }
  })();
  if (built < newestSource()) await execa('npm', ['run', 'build:sea'], { cwd: REPO });
  return EXECUTABLE;
}

/**
 * Put the executable on a lab node as /usr/local/bin/dockhand. Like Node.js itself it needs libatomic
 * (Debian's libatomic1), which a minimal node lacks and cannot fetch: the host's copy goes along.
 */
export async function installOnNode(containerId: string): Promise<void> {
  const { docker } = await import('../lab/util.ts');
  await ensureExecutable();
  await docker(['cp', EXECUTABLE, `${containerId}:/usr/local/bin/dockhand`]);
  await docker(['cp', '-L', '/usr/lib/x86_64-linux-gnu/libatomic.so.1', `${containerId}:/usr/local/lib/libatomic.so.1`]);
  await docker(['exec', containerId, 'ldconfig']);
}

export async function removeFromNode(containerId: string): Promise<void> {
  const { docker } = await import('../lab/util.ts');
  await docker(['exec', containerId, 'sh', '-c', 'rm -f /usr/local/bin/dockhand /usr/local/lib/libatomic.so.1 && ldconfig'], { reject: false });
}
