/**
 * The one place remote command lines are built. Every value that reaches a remote shell
 * goes through `shQuote`; secrets and file contents never do (they travel on stdin).
 */

/** Quote one word for POSIX sh: the result always reads back as exactly `value`. */
export function shQuote(value: string): string {
  if (value.includes('\0')) throw new TypeError('a shell word cannot contain a NUL byte');
  if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) && !value.startsWith('-')) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Join words into one command line, each quoted. */
export function shCommand(words: readonly string[]): string {
  return words.map(shQuote).join(' ');
}
