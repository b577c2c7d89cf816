/**
 * Where dockhand keeps what it needs between runs on the controller (run locks, the run history of a
 * schedule): DOCKHAND_STATE_DIR; else systemd's StateDirectory= ($STATE_DIRECTORY); else /var/lib/dockhand
 * for root and $XDG_STATE_HOME/dockhand (~/.local/state/dockhand) for anyone else.
 */
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export function stateDir(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? -1): string {
  const own = env['DOCKHAND_STATE_DIR'];
  if (own) return own;
  // systemd may list several directories, separated by colons
  const systemd = env['STATE_DIRECTORY']?.split(':')[0];
  if (systemd) return systemd;
  if (uid === 0) return '/var/lib/dockhand';
  return join(env['XDG_STATE_HOME'] || join(homedir() || tmpdir(), '.local', 'state'), 'dockhand');
}

/** The default run history: runs/ in the state directory. */
export function defaultLogDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'runs');
}
