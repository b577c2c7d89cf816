import { stripVTControlCharacters } from 'node:util';

export interface TableOptions {
  /** The widest line allowed (a terminal's columns); unlimited when absent. */
  readonly maxWidth?: number | undefined;
  /** Columns never shortened (names, statuses): the others give up width, widest first. */
  readonly fixed?: readonly number[];
}

const GAP = 2;
const MIN_COLUMN = 6;
const visible = (text: string): number => stripVTControlCharacters(text).length;

/** Shorten a cell to `width` characters, marking the cut with an ellipsis. */
function fit(cell: string, width: number): string {
  const text = stripVTControlCharacters(cell);
  return text.length <= width ? cell : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** Column widths that fit `maxWidth`, taking from the widest shortenable column first. */
function fittedWidths(natural: number[], header: readonly string[], options: TableOptions): number[] {
  const widths = [...natural];
  if (options.maxWidth === undefined) return widths;
  const floor = (column: number) => Math.min(natural[column]!, Math.max(MIN_COLUMN, header[column]!.length));
  const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP * (widths.length - 1);
  while (total() > options.maxWidth) {
    let widest = -1;
    for (const [column, width] of widths.entries()) {
      if (options.fixed?.includes(column) || width <= floor(column)) continue;
      if (widest === -1 || width > widths[widest]!) widest = column;
    }
    if (widest === -1) break; // nothing left to give: the terminal wraps
    widths[widest] = widths[widest]! - 1;
  }
  return widths;
}

/**
 * A plain text table: columns padded to their widest cell, no trailing spaces. With `maxWidth` (a
 * terminal), wide columns are cut with an ellipsis so each row stays on one line; cells may carry
 * colour, which takes no width.
 */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const natural = header.map((title, column) => Math.max(title.length, ...rows.map((row) => visible(row[column] ?? ''))));
  const widths = fittedWidths(natural, header, options);
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        const shown = fit(cell, width);
        return shown + ' '.repeat(Math.max(0, width - visible(shown)));
      })
      .join(' '.repeat(GAP))
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
