/**
 * Inventory text quoted in a message passes through here first: an inventory line may hold a password,
 * and a mistake on that line must not print it. Masking happens before the message is built, so no
 * later layer (the redactor included) has to catch it.
 */

/** Names of variables whose values are secrets: passwords, passphrases, keys, tokens. */
const SECRET_NAME = /pass|secret|token|private_?key|credential/i;

const MASK = '********';

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * Text with the value of every secret-looking assignment masked: `ansible_become_password=x`,
 * `password: x`, `"ansible_ssh_pass": "x"` all keep their name and lose their value.
 */
export function maskSecrets(text: string): string {
  return text.replace(
    /([A-Za-z0-9_.-]*(?:pass|secret|token|private_?key|credential)[A-Za-z0-9_-]*)(["']?\s*[=:]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,}\]]+)/gi,
    `$1$2${MASK}`,
  );
}

/** A value for a message about variable `name`: JSON, masked whole when the name is a secret's. */
export function shownValue(name: string, value: unknown): string {
  if (isSecretName(name)) return `${describeType(value)} (masked)`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  const masked = maskSecrets(text);
  return masked.length > 80 ? `${masked.slice(0, 79)}…` : masked;
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}
