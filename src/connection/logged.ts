import { STDIN_SCRIPT, type Connection, type RunOptions, type RunResult } from './types.ts';

/** Where a connection tells what it does: whoever prints (and redacts) it implements this. */
export interface ConnectionLog {
  /** 0: nothing is logged; 1: each run; 2: its script; 3: its raw output. */
  readonly verbosity: number;
  log(level: 1 | 2 | 3, node: string | undefined, text: string): void;
}

function firstLine(script: string): string {
  const line = script.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '';
  return line.length > 100 ? `${line.slice(0, 100)}...` : line;
}

/**
 * A connection that tells what it does: -v each run with its timing and exit, -vv the script,
 * -vvv its raw output. Input (file contents, secrets) is never shown, only its size.
 */
export function loggedConnection(inner: Connection, node: string, output: ConnectionLog): Connection {
  if (output.verbosity === 0) return inner;
  return {
    kind: inner.kind,
    async open() {
      const started = performance.now();
      output.log(1, node, `connecting (${inner.kind})`);
      await inner.open();
      output.log(1, node, `connected in ${Math.round(performance.now() - started)} ms`);
    },
    async run(script: string, options: RunOptions = {}): Promise<RunResult> {
      const as = options.become ? ' as root' : '';
      // `sh -s` runs take their script on stdin (dockhand's own script: shown); any other input
      // (credentials, for one) is never shown, only its size.
      const scriptOnStdin = script === STDIN_SCRIPT && typeof options.input === 'string';
      const shown = scriptOnStdin ? String(options.input) : script;
      const note = options.input && !scriptOnStdin ? ` (stdin: ${options.input.length} bytes, not shown)` : '';
      output.log(2, node, `run${as}${note}:\n${shown.trimEnd()}`);
      const result = await inner.run(script, options).catch((error: unknown) => {
        output.log(1, node, `run${as} failed: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      });
      const how = result.timedOut ? 'timed out' : `exit ${String(result.exitCode ?? result.signal)}`;
      output.log(1, node, `ran${as} "${firstLine(shown)}": ${how} in ${result.durationMs} ms`);
      if (result.stdout) output.log(3, node, `stdout:\n${result.stdout}`);
      if (result.stderr) output.log(3, node, `stderr:\n${result.stderr}`);
      return result;
    },
    async openSocket(path: string) {
      output.log(1, node, `opening the socket ${path}`);
      return inner.openSocket(path);
    },
    close: () => inner.close(),
  };
}
