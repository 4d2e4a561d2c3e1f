/**
 * Flags regular expressions that can backtrack catastrophically on hostile input (ReDoS):
 * a quantified group that itself contains a quantifier, as in `(a+)+`, `(\w*)*` or `(a|aa){2,}`.
 * JSONata's timeout cannot interrupt a running regex, so such patterns are refused at load.
 */
export function isUnsafeRegex(source: string): boolean {
  // strip escapes and character classes, whose contents never nest
  const s = source.replace(/\\./g, 'x').replace(/\[[^\]]*\]/g, 'x');
  const stack: Array<{ quantified: boolean; alternation: boolean }> = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '(') {
      stack.push({ quantified: false, alternation: false });
    } else if (c === '|') {
      const top = stack[stack.length - 1];
      if (top) top.alternation = true;
    } else if (c === ')') {
      const inner = stack.pop();
      const next = s[i + 1];
      const quantifiedGroup = next === '*' || next === '+' || (next === '{' && /^\{\d*,\d*\}/.test(s.slice(i + 1)) && !/^\{\d+\}/.test(s.slice(i + 1)));
      if (inner && quantifiedGroup && (inner.quantified || inner.alternation)) return true;
      const parent = stack[stack.length - 1];
      if (parent && inner && (inner.quantified || quantifiedGroup)) parent.quantified = true;
    } else if (c === '*' || c === '+' || (c === '{' && !/^\{\d+\}/.test(s.slice(i)))) {
      const top = stack[stack.length - 1];
      if (top) top.quantified = true;
    }
  }
  return false;
}
