/** Parses files named by `EnvironmentFile=` (systemd's KEY=VALUE format, e.g. /etc/default/docker). */

/** Variables an environment file sets: `#`/`;` comments, quotes, backslash escapes and continuations. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  const joined = text.replace(/\r\n/g, '\n').replace(/\\\n/g, '');
  for (const raw of joined.split('\n')) {
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (match?.[1] === undefined) continue;
    env[match[1]] = readValue(match[2] ?? '');
  }
  return env;
}

function readValue(raw: string): string {
  let value = '';
  let trailing = '';
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] ?? '';
    if (quote === "'") {
      if (c === "'") quote = null;
      else value += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < raw.length) value += raw[++i];
      else value += c;
    } else if (c === ' ' || c === '\t') {
      trailing += c;
      continue;
    } else {
      value += trailing;
      if (c === '"' || c === "'") quote = c;
      else if (c === '\\' && i + 1 < raw.length) value += raw[++i];
      else value += c;
    }
    trailing = '';
  }
  return value;
}
