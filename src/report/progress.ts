/**
 * Progress on stderr while nodes are worked on. On a terminal: a line per finished node with its real
 * status, and below them a live line naming the nodes still running, redrawn every quarter second so it
 * never looks frozen while one is slow. In CI, or with -v: plain lines only. Elsewhere (a pipe, a timer):
 * nothing, so logs carry only the result.
 */
import type { RunEvent } from '../run/events.ts';
import type { Output } from './output.ts';
import { STATUS, isConvergeStatus } from './status.ts';

export interface ProgressOptions {
  /** The node's own status once it has finished (changed, drift...), where the work knows better than "ok". */
  readonly statusOf?: (node: string) => { readonly status: string; readonly error: string | null } | undefined;
  /** stderr is a terminal. */
  readonly terminal?: boolean;
  /** Running in CI: no live line, even on a terminal. */
  readonly ci?: boolean;
  /** Nothing but failures: no progress at all. */
  readonly quiet?: boolean;
  /** How often the live line is redrawn. */
  readonly refreshMs?: number;
}

export interface Progress {
  readonly onEvent: (event: RunEvent) => void;
  /** Remove the live line and stop redrawing it. */
  readonly stop: () => void;
}

/** The live line: done/total, elapsed time, and the nodes still running (as many as fit). */
export function liveLine(done: number, total: number, running: readonly string[], elapsedMs: number, width: number): string {
  const head = `[${done}/${total}] ${(elapsedMs / 1000).toFixed(1)} s, running:`;
  let line = head;
  for (const [index, node] of running.entries()) {
    const more = running.length - index - 1;
    const tail = more > 0 ? ` (+${more})` : '';
    if (`${line} ${node}${tail}`.length > width - 1) return `${line} (+${running.length - index})`;
    line += ` ${node}`;
  }
  return line;
}

export function progressReporter(output: Output, total: number, options: ProgressOptions = {}): Progress {
  const terminal = options.terminal ?? Boolean(process.stderr.isTTY);
  const ci = options.ci ?? Boolean(process.env['CI']);
  const lines = !options.quiet && (terminal || output.verbosity > 0);
  const live = lines && terminal && !ci;
  const running = new Map<string, number>();
  const started = performance.now();
  let done = 0;
  let timer: NodeJS.Timeout | undefined;
  const width = String(total).length;
  const paint = output.paint.notice;

  const redraw = () => {
    if (!live) return;
    output.live(running.size === 0 ? '' : liveLine(done, total, [...running.keys()], performance.now() - started, output.noticeWidth ?? 80));
  };
  const stop = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    output.live('');
  };

  const onEvent = (event: RunEvent) => {
    switch (event.kind) {
      case 'node-start':
        output.log(1, event.node, 'started');
        running.set(event.node, performance.now());
        if (live && timer === undefined) {
          timer = setInterval(redraw, options.refreshMs ?? 250);
          timer.unref();
        }
        redraw();
        return;
      case 'node-end': {
        done += 1;
        running.delete(event.node);
        if (lines) {
          const { status, error } = (event.status === 'ok' ? options.statusOf?.(event.node) : undefined) ?? event;
          const shown = isConvergeStatus(status) ? paint(STATUS[status].colour, status) : status;
          const detail = error ? `: ${error}` : '';
          output.notice(`[${String(done).padStart(width)}/${total}] ${event.node} ${shown} (${event.durationMs} ms)${detail}`);
        }
        if (running.size === 0) stop();
        else redraw();
        return;
      }
      case 'batch-start':
        if (lines) output.notice(`batch ${event.batch}/${event.of}: ${event.nodes.join(' ')}`);
        return;
      case 'batches-stopped':
        output.notice(`stopping: ${event.reason}`);
        return;
    }
  };
  return { onEvent, stop };
}
