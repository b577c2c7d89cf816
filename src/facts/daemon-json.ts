/** Parses /etc/docker/daemon.json leniently: invalid JSON becomes a fact, never an exception. */
import type { DaemonJson } from './types.ts';

/** The daemon.json fact for the file's raw text, or for an absent file when `raw` is null. */
export function parseDaemonJson(raw: string | null): DaemonJson {
  if (raw === null) return { present: false, valid: true, error: null, keys: [], content: null, raw: null };
  const text = raw.replace(/^\uFEFF/, '');
  if (text.trim() === '') return { present: true, valid: true, error: null, keys: [], content: {}, raw };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { present: true, valid: false, error: error instanceof Error ? error.message : String(error), keys: [], content: null, raw };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { present: true, valid: false, error: 'daemon.json must hold a JSON object', keys: [], content: null, raw };
  }
  const content = parsed as Record<string, unknown>;
  return { present: true, valid: true, error: null, keys: Object.keys(content), content, raw };
}
