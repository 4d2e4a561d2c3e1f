import { styleText } from 'node:util';

/**
 * Colour for terminal output, through Node's own `util.styleText`. On when standard output is
 * a terminal (and TERM is not `dumb`); `NO_COLOR` (any non-empty value, https://no-color.org)
 * or `--no-color` turns it off; `FORCE_COLOR` (any value but `0`) turns it on even into a pipe.
 * Machine formats (json, sarif, junit, github) are never coloured.
 */
export function colorEnabled(env: Record<string, string | undefined>, isTTY: boolean, flag?: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY && env.TERM !== 'dumb';
}

type Style = Parameters<typeof styleText>[0];

let enabled = false;

/** Turns colour on or off for this CLI invocation. */
export function setColor(on: boolean): void {
  enabled = on;
}

function paint(format: Style, text: string): string {
  if (!enabled || text === '') return text;
  // validateStream: false: the decision above is ours (newer Node would check process.stdout itself)
  return (styleText as (f: Style, t: string, o?: { validateStream?: boolean }) => string)(format, text, { validateStream: false });
}

/** The styles the CLI uses. */
export const c = {
  error: (t: string) => paint(['bold', 'red'], t),
  warning: (t: string) => paint(['bold', 'yellow'], t),
  ok: (t: string) => paint('green', t),
  fail: (t: string) => paint(['bold', 'red'], t),
  dim: (t: string) => paint('dim', t),
  bold: (t: string) => paint('bold', t),
  code: (t: string) => paint('cyan', t),
  severity: (s: 'error' | 'warning') => (s === 'error' ? paint(['bold', 'red'], s) : paint(['bold', 'yellow'], s)),
};
