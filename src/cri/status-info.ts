/**
 * What a verbose CRI Status tells about the running containerd: `info["config"]` is its CRI plugin
 * config as JSON (what `crictl info` prints under "config"), the effective values, not the file's.
 */
import { DockhandError } from '../errors.ts';
import type { CriStatus } from './messages.ts';

/** The parsed `info["config"]`; throws when the status was not verbose or the runtime sent no config. */
export function criConfig(status: CriStatus): Record<string, unknown> {
  const raw = status.info['config'];
  if (raw === undefined) {
    throw new DockhandError('E_REMOTE', 'CRI status has no "config" info (ask for a verbose status; a runtime other than containerd may not send it)');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new DockhandError('E_REMOTE', `CRI status "config" info is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DockhandError('E_REMOTE', 'CRI status "config" info is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** `registry.configPath` of the running CRI plugin: "" when unset (containerd then ignores hosts.toml files). */
export function registryConfigPath(status: CriStatus): string {
  const registry = criConfig(status)['registry'];
  if (typeof registry !== 'object' || registry === null) return '';
  const configPath = (registry as Record<string, unknown>)['configPath'];
  return typeof configPath === 'string' ? configPath : '';
}
