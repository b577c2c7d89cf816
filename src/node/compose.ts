/**
 * A script for a node: variables first (each value quoted through the one quoting helper), then the
 * preamble every node-side script shares, then the bodies (.sh files and generated data).
 */
import { shQuote } from '../connection/quote.ts';
import { nodeScript } from './scripts.ts';

/** Shell variable names dockhand sets: upper case, as the .sh files expect them. */
const NAME = /^[A-Z][A-Z0-9_]*$/;

export function composeScript(variables: Readonly<Record<string, string>>, ...bodies: string[]): string {
  const assignments = Object.entries(variables).map(([name, value]) => {
    if (!NAME.test(name)) throw new TypeError(`not a script variable name: ${JSON.stringify(name)}`);
    return `${name}=${shQuote(value)}\n`;
  });
  return [...assignments, nodeScript('node/sh/preamble.sh'), ...bodies].join('');
}
