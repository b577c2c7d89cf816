/**
 * Everything dockhand prints goes through here: results on stdout, progress, warnings and verbose
 * logs on stderr, and every byte passes the redactor first, so no secret reaches a terminal or a log,
 * at any verbosity, on success or failure.
 */

/**
 * Replaces every known secret with a mask. Secrets never reach output by construction (they travel
 * on stdin); this is the second line of defence, for a remote tool that echoes one. Strings shorter
 * than 4 characters are not masked: masking "a" would garble every line, and no such string is a
 * secret worth the name.
 */
export class Redactor {
  readonly #secrets = new Set<string>();

  add(...secrets: (string | undefined)[]): void {
    for (const secret of secrets) if (secret !== undefined && secret.length >= 4) this.#secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    // longest first, so a secret that contains another is masked whole
    for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length)) out = out.replaceAll(secret, '********');
    return out;
  }
}

export class Output {
  readonly verbosity: number;
  readonly redactor: Redactor;
  readonly #stdout: NodeJS.WritableStream;
  readonly #stderr: NodeJS.WritableStream;
  readonly #started = performance.now();

  constructor(verbosity: number, redactor = new Redactor(), stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr) {
    this.verbosity = verbosity;
    this.redactor = redactor;
    this.#stdout = stdout;
    this.#stderr = stderr;
  }

  /** The command's result (a table, a recap, a JSON document). */
  result(text: string): void {
    this.#stdout.write(this.redactor.redact(text));
  }

  /** A line for the person at the terminal (warnings, interrupts). */
  notice(text: string): void {
    this.#stderr.write(this.redactor.redact(`dockhand: ${text}\n`));
  }

  /** A verbose line, shown from `-v` (1), `-vv` (2) or `-vvv` (3) on. */
  log(level: 1 | 2 | 3, node: string | undefined, text: string): void {
    if (this.verbosity < level) return;
    const at = ((performance.now() - this.#started) / 1000).toFixed(3).padStart(8);
    const who = node === undefined ? '' : `${node}: `;
    const body = this.redactor.redact(text).replace(/\n(?!$)/g, `\n${' '.repeat(12)}`);
    this.#stderr.write(`[${at}s] ${who}${body}${body.endsWith('\n') ? '' : '\n'}`);
  }
}
