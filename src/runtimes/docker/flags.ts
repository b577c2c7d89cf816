/**
 * Registry flags inside a DOCKER_OPTS value. systemd splits an unbraced `$DOCKER_OPTS` at
 * whitespace, so a flag is `--name=value` or `--name value`.
 */
import { sameInsecure, sameMirror } from '../../registry/name.ts';

export const INSECURE_FLAG = '--insecure-registry';
export const MIRROR_FLAG = '--registry-mirror';
export type RegistryFlagName = typeof INSECURE_FLAG | typeof MIRROR_FLAG;

export interface RegistryFlag {
  readonly name: RegistryFlagName;
  readonly value: string;
}

export interface Token {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Whitespace-separated tokens of `text[from, to)`; a backslash-newline counts as whitespace. */
export function tokenize(text: string, from = 0, to = text.length): Token[] {
  const tokens: Token[] = [];
  let i = from;
  const isSpace = (at: number): number => {
    const ch = text[at];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') return 1;
    if (ch === '\\' && text[at + 1] === '\n') return 2;
    return 0;
  };
  while (i < to) {
    const space = isSpace(i);
    if (space > 0) {
      i += space;
      continue;
    }
    const start = i;
    while (i < to && isSpace(i) === 0) i += 1;
    tokens.push({ text: text.slice(start, i), start, end: i });
  }
  return tokens;
}

/** Two values of one flag are the same value when their registry names say so (src/registry/name.ts). */
export function sameFlagValue(name: RegistryFlagName, a: string, b: string): boolean {
  return name === MIRROR_FLAG ? sameMirror(a, b) : sameInsecure(a, b);
}

/** Each registry flag in the tokens, with the tokens it spans. */
export function findRegistryFlags(tokens: readonly Token[]): { flag: RegistryFlag; tokens: Token[] }[] {
  const found: { flag: RegistryFlag; tokens: Token[] }[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    for (const name of [INSECURE_FLAG, MIRROR_FLAG] as const) {
      if (token.text.startsWith(`${name}=`)) {
        found.push({ flag: { name, value: token.text.slice(name.length + 1) }, tokens: [token] });
      } else if (token.text === name && tokens[i + 1]) {
        const next = tokens[i + 1]!;
        found.push({ flag: { name, value: next.text }, tokens: [token, next] });
        i += 1;
      }
    }
  }
  return found;
}

/** The flag as dockhand writes it. */
export function formatFlag(flag: RegistryFlag): string {
  return `${flag.name}=${flag.value}`;
}
