/**
 * Questions for the person at the terminal (a CA to trust, an address to pin). Only where stdin and stderr
 * are both terminals: a script gets a refusal saying which option answers the question instead.
 */
import { createInterface } from 'node:readline/promises';

/** Asks and returns the answer; undefined when there is no one to ask. */
export type Ask = (question: string) => Promise<string | undefined>;

export const terminalAsk: Ask = async (question) => {
  if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
};

/** No one to ask (tests, --json). */
export const nobodyToAsk: Ask = () => Promise.resolve(undefined);

export function isYes(answer: string | undefined): boolean {
  return answer !== undefined && /^y(es)?$/i.test(answer);
}
