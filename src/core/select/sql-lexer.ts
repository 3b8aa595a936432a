/**
 * @module
 * Tokens of S3 Select's SQL: identifiers (bare, case-insensitive; or
 * "quoted", exact), 'strings' (with '' for a quote), numbers, operators and
 * punctuation. Keywords are identifiers the parser recognises by their upper
 * case. An unknown character is LexerInvalidChar.
 */
import { fail } from '../errors.ts';

export type TokenKind = 'ident' | 'quotedIdent' | 'string' | 'number' | 'op' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The identifier, the string's value, the number's text, or the operator. */
  readonly text: string;
  /** Offset in the expression (for error messages). */
  readonly at: number;
}

const OPERATORS = ['<=', '>=', '<>', '!=', '||', '=', '<', '>', '+', '-', '*', '/', '%', '(', ')', ',', '.', '[', ']', ';'];

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      // A comment to the end of the line.
      while (i < n && sql[i] !== '\n') i++;
      continue;
    }
    const at = i;
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(sql[j]!)) j++;
      tokens.push({ kind: 'ident', text: sql.slice(i, j), at });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(sql.slice(i))!;
      tokens.push({ kind: 'number', text: m[0], at });
      i += m[0].length;
      if (/[A-Za-z_]/.test(sql[i] ?? '')) fail('LexerInvalidChar', `The SQL expression contains an invalid character at offset ${i}.`);
      continue;
    }
    if (c === "'" || c === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= n) fail('LexerInvalidChar', `The SQL expression has an unterminated ${c === "'" ? 'string' : 'quoted identifier'} starting at offset ${at}.`);
        if (sql[j] === c) {
          if (sql[j + 1] === c) {
            value += c;
            j += 2;
            continue;
          }
          break;
        }
        value += sql[j];
        j++;
      }
      tokens.push({ kind: c === "'" ? 'string' : 'quotedIdent', text: value, at });
      i = j + 1;
      continue;
    }
    const op = OPERATORS.find((o) => sql.startsWith(o, i));
    if (op === undefined) fail('LexerInvalidChar', `The SQL expression contains an invalid character at offset ${i}: ${JSON.stringify(c)}.`);
    tokens.push({ kind: 'op', text: op, at });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '', at: n });
  return tokens;
}
