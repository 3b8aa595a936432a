/**
 * @module
 * The `*` / `?` wildcards of IAM policies (actions, resources, `StringLike`)
 * and of CORS rules, matched without regular expressions: a set of pattern
 * positions is advanced one character at a time, so a hostile pattern costs
 * at most length(pattern) × length(text) steps.
 */

/** Positions of `pattern` reachable after reading `text`; empty when no completion can match. */
function states(pattern: string, text: string, ignoreCase: boolean): Set<number> {
  const p = [...(ignoreCase ? pattern.toLowerCase() : pattern)];
  const t = [...(ignoreCase ? text.toLowerCase() : text)];
  const close = (set: Set<number>): Set<number> => {
    for (const i of set) if (p[i] === '*') set.add(i + 1); // `*` may match nothing (Set iteration visits added items)
    return set;
  };
  let current = close(new Set([0]));
  for (const c of t) {
    const next = new Set<number>();
    for (const i of current) {
      if (i >= p.length) continue;
      if (p[i] === '*') next.add(i);
      else if (p[i] === '?' || p[i] === c) next.add(i + 1);
    }
    if (next.size === 0) return next;
    current = close(next);
  }
  return current;
}

/** Whether `text` matches `pattern` as a whole (`*`: any run, `?`: one character). */
export function globMatch(pattern: string, text: string, ignoreCase = false): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return ignoreCase ? pattern.toLowerCase() === text.toLowerCase() : pattern === text;
  return states(pattern, text, ignoreCase).has([...(ignoreCase ? pattern.toLowerCase() : pattern)].length);
}

/** Whether some string that starts with `prefix` matches `pattern`. */
export function globMatchesSomeExtension(pattern: string, prefix: string, ignoreCase = false): boolean {
  return states(pattern, prefix, ignoreCase).size > 0;
}
