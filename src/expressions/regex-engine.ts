import { RE2JS } from 're2js';

/**
 * Regular expressions of Data Map expressions run in RE2 (the re2js port): matching time is
 * linear in the input, whatever the pattern, so a hostile record cannot make a pattern backtrack
 * for hours. Both backends use this engine (jsonata through its `RegexEngine` option), so they
 * agree with each other. RE2 has no backreferences and no lookahead/lookbehind; a pattern that
 * uses them is refused when the Data Map loads.
 */

const cache = new Map<string, RE2JS>();

function compileRe2(source: string, flags: string): RE2JS {
  const key = `${flags}/${source}`;
  let re = cache.get(key);
  if (!re) {
    let f = 0;
    if (flags.includes('i')) f |= RE2JS.CASE_INSENSITIVE;
    if (flags.includes('m')) f |= RE2JS.MULTILINE;
    re = RE2JS.compile(RE2JS.translateRegExp(source), f);
    if (cache.size > 1000) cache.clear();
    cache.set(key, re);
  }
  return re;
}

/** Why RE2 cannot run this pattern, if it cannot. */
export function regexProblem(source: string, flags = ''): string | undefined {
  try {
    compileRe2(source, flags);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** A RegExp look-alike over RE2, with the part of the interface jsonata uses (`lastIndex`, `exec`). */
export class SafeRegExp {
  lastIndex = 0;
  readonly source: string;
  readonly flags: string;
  private readonly re: RE2JS;

  constructor(pattern: RegExp | string, flags?: string) {
    // as RegExp does, anything else is turned into text (jsonata's `?:` and `??` copy the left
    // side through JSON, which leaves a regex literal there as `{}`)
    const re = pattern instanceof RegExp ? pattern : undefined;
    this.source = re ? re.source : String(pattern);
    this.flags = flags ?? (re ? re.flags : '');
    this.re = compileRe2(this.source, this.flags);
  }

  exec(str: string): (RegExpExecArray & { index: number }) | null {
    const from = this.flags.includes('g') ? this.lastIndex : 0;
    if (from > str.length) {
      this.lastIndex = 0;
      return null;
    }
    const m = this.re.matcher(str);
    if (!m.find(from)) {
      this.lastIndex = 0;
      return null;
    }
    const out: string[] = [];
    const n = m.groupCount();
    for (let i = 0; i <= n; i++) {
      const g = m.group(i);
      out.push(g === null ? (undefined as unknown as string) : g);
    }
    const arr = out as unknown as RegExpExecArray;
    arr.index = m.start();
    arr.input = str;
    if (this.flags.includes('g')) this.lastIndex = m.end();
    return arr;
  }

  test(str: string): boolean {
    return this.exec(str) !== null;
  }
}
