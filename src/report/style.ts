/**
 * Colour on a terminal, none elsewhere. Node's `util.styleText` decides per stream: colour only when
 * the stream is a TTY that has colours, never with NO_COLOR set, always with FORCE_COLOR.
 */
import { styleText } from 'node:util';

export type Colour = 'green' | 'yellow' | 'magenta' | 'red' | 'gray' | 'cyan' | 'bold' | 'dim';

/** Wraps text in a colour (or returns it as it is). */
export type Paint = (colour: Colour, text: string) => string;

/** No colour at all: JSON, files, tests. */
export const plain: Paint = (_colour, text) => text;

/** Colour exactly when this stream shows it. */
export function painterFor(stream: NodeJS.WritableStream): Paint {
  return (colour, text) => (text === '' ? text : styleText(colour, text, { stream }));
}

/** A unified diff, its added and removed lines coloured. */
export function paintDiff(diff: string, paint: Paint): string {
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return paint('bold', line);
      if (line.startsWith('+')) return paint('green', line);
      if (line.startsWith('-')) return paint('red', line);
      if (line.startsWith('@@')) return paint('cyan', line);
      return line;
    })
    .join('\n');
}
