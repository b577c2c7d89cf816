/**
 * Everything dockhand prints goes through here: results on stdout, progress, warnings and verbose
 * logs on stderr, and every byte passes the redactor first, so no secret reaches a terminal or a log,
 * at any verbosity, on success or failure.
 */

import { painterFor, type Paint } from './style.ts';
import { mapStrings } from './mask.ts';
import { escapeAttribute, escapeText } from './xml.ts';

/**
 * Replaces every known secret with a mask. Secrets never reach output by construction (they travel
 * on stdin); this is the second line of defence, for a remote tool that echoes one. Strings shorter
 * than 4 characters are not masked: masking "a" would garble every line, and no such string is a
 * secret worth the name.
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  /** Every form of every secret, longest first; made again only when a secret is added. */
  #forms: readonly string[] | undefined;

  add(...secrets: (string | undefined)[]): void {
    for (const secret of secrets) {
      if (secret === undefined || secret.length < 4 || this.#secrets.has(secret)) continue;
      this.#secrets.add(secret);
      this.#forms = undefined;
    }
  }

  /**
   * `text` with every secret masked, also where the text is JSON or XML that escapes it (a quote, a
   * backslash, `<` or `&` in a password).
   */
  redact(text: string): string {
    let out = text;
    for (const form of this.#secretForms()) if (out.includes(form)) out = out.replaceAll(form, '********');
    return out;
  }

  #secretForms(): readonly string[] {
    if (this.#forms !== undefined) return this.#forms;
    // longest first, so a secret that contains another is masked whole
    const forms = [...this.#secrets].flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1), escapeText(secret), escapeAttribute(secret)]);
    this.#forms = [...new Set(forms)].sort((a, b) => b.length - a.length);
    return this.#forms;
  }

  /** Every string inside `value` (objects and arrays walked), redacted: a report before any format escapes it. */
  redactDeep<T>(value: T): T {
    return mapStrings(value, (text) => this.redact(text));
  }
}

/** Erase the current terminal line: carriage return, then clear to its end. */
const ERASE_LINE = '\r\x1b[K';

export class Output {
  readonly verbosity: number;
  readonly redactor: Redactor;
  /** Colour for what goes to stdout and to stderr: only where that stream is a colour terminal. */
  readonly paint: { readonly result: Paint; readonly notice: Paint };
  readonly #stdout: NodeJS.WritableStream;
  readonly #stderr: NodeJS.WritableStream;
  readonly #started = performance.now();
  /** The live progress line at the bottom of a terminal; every other line is written above it. */
  #live = '';

  constructor(verbosity: number, redactor = new Redactor(), stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr) {
    this.verbosity = verbosity;
    this.redactor = redactor;
    this.#stdout = stdout;
    this.#stderr = stderr;
    this.paint = { result: painterFor(stdout), notice: painterFor(stderr) };
  }

  /** The terminal width of stdout, when it is a terminal. */
  get resultWidth(): number | undefined {
    return (this.#stdout as { isTTY?: boolean; columns?: number }).isTTY ? (this.#stdout as { columns?: number }).columns : undefined;
  }

  /** The terminal width of stderr, when it is a terminal. */
  get noticeWidth(): number | undefined {
    return (this.#stderr as { isTTY?: boolean; columns?: number }).isTTY ? (this.#stderr as { columns?: number }).columns : undefined;
  }

  /** The command's result (a table, a recap, a JSON document). */
  result(text: string): void {
    this.live('');
    this.#stdout.write(this.redactor.redact(text));
  }

  /**
   * The command's result in parts (a long JSON report), each written as it comes; a part waits while the
   * stream holds more than it wants (a pipe on POSIX is written asynchronously), so the parts are never
   * all in memory at once.
   */
  async resultParts(parts: Iterable<string>): Promise<void> {
    this.live('');
    const stream = this.#stdout;
    for (const part of parts) {
      if (stream.write(this.redactor.redact(part))) continue;
      // a reader that went away (`| head`) never drains the stream: stop there, as one write would have
      const drained = await new Promise<boolean>((resolve) => {
        const done = (ok: boolean) => () => {
          stream.off('drain', onDrain).off('error', onGone).off('close', onGone);
          resolve(ok);
        };
        const onDrain = done(true);
        const onGone = done(false);
        stream.once('drain', onDrain).once('error', onGone).once('close', onGone);
      });
      if (!drained) return;
    }
  }

  /** A line for the person at the terminal (warnings, interrupts). */
  notice(text: string): void {
    this.#above(this.redactor.redact(`dockhand: ${text}\n`));
  }

  /** Replace the live line on a terminal ('' removes it). Only for a stderr that is a terminal. */
  live(text: string): void {
    if (text === this.#live) return;
    if (this.#live !== '' || text !== '') this.#stderr.write(`${ERASE_LINE}${this.redactor.redact(text)}`);
    this.#live = text;
  }

  /** Write lines to stderr above the live line, which is drawn again below them. */
  #above(text: string): void {
    if (this.#live === '') {
      this.#stderr.write(text);
      return;
    }
    this.#stderr.write(`${ERASE_LINE}${text}${this.redactor.redact(this.#live)}`);
  }

  /** A verbose line, shown from `-v` (1), `-vv` (2) or `-vvv` (3) on. */
  log(level: 1 | 2 | 3, node: string | undefined, text: string): void {
    if (this.verbosity < level) return;
    const at = ((performance.now() - this.#started) / 1000).toFixed(3).padStart(8);
    const who = node === undefined ? '' : `${node}: `;
    const body = this.redactor.redact(text).replace(/\n(?!$)/g, `\n${' '.repeat(12)}`);
    this.#above(`[${at}s] ${who}${body}${body.endsWith('\n') ? '' : '\n'}`);
  }
}
