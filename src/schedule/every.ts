/**
 * `--every 15m` as a systemd calendar event. Runs fall at the same wall-clock times every hour (or day),
 * which is what `Persistent=true` needs to catch up on a run missed while the controller was off; so an
 * interval must divide its unit evenly (15m: :00, :15, :30, :45).
 */
import { InputError } from '../errors.ts';

export interface Every {
  /** As written: 15m. */
  readonly text: string;
  readonly seconds: number;
  /** systemd OnCalendar= */
  readonly calendar: string;
}

const DIVISORS_OF_60 = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30];
const DIVISORS_OF_24 = [1, 2, 3, 4, 6, 8, 12];

export function parseEvery(text: string): Every {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  const fail = (why: string): never => {
    throw new InputError('E_USAGE', '--every', undefined, `"${text}" ${why}`);
  };
  if (!match) return fail('is not an interval: write a number and a unit, like 30s, 15m, 2h or 1d');
  const n = Number(match[1]);
  const pad = (v: number) => String(v).padStart(2, '0');
  switch (match[2]) {
    case 's':
      if (!DIVISORS_OF_60.includes(n)) return fail(`: seconds must divide a minute (${DIVISORS_OF_60.join(', ')})`);
      return { text, seconds: n, calendar: `*-*-* *:*:00/${pad(n)}` };
    case 'm':
      if (!DIVISORS_OF_60.includes(n)) return fail(`: minutes must divide an hour (${DIVISORS_OF_60.join(', ')})`);
      return { text, seconds: n * 60, calendar: `*-*-* *:00/${pad(n)}:00` };
    case 'h':
      if (!DIVISORS_OF_24.includes(n)) return fail(`: hours must divide a day (${DIVISORS_OF_24.join(', ')})`);
      return { text, seconds: n * 3600, calendar: `*-*-* 00/${pad(n)}:00:00` };
    default:
      if (n !== 1) return fail(': the longest interval is 1d');
      return { text, seconds: 86_400, calendar: '*-*-* 00:00:00' };
  }
}
