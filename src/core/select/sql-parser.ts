/**
 * @module
 * The SQL subset of S3 Select, parsed into a small AST:
 *
 * ```
 * SELECT * | item [, item]...  FROM S3Object[[*]] [[AS] alias]  [WHERE cond]  [LIMIT n]
 * item   := expr [[AS] name]
 * expr   := OR / AND / NOT, comparisons (= != <> < > <= >=), [NOT] LIKE [ESCAPE],
 *           [NOT] BETWEEN .. AND .., [NOT] IN (..), IS [NOT] NULL | MISSING,
 *           + - * / % ||, unary -, parentheses, numbers, 'strings', TRUE, FALSE, NULL,
 *           CAST(expr AS type), functions, COUNT(*), COUNT/SUM/AVG/MIN/MAX(expr),
 *           columns: _1, name, "Name", alias._1, alias.name, alias."Name", a.b.c, a[0]
 * ```
 *
 * Errors use S3 Select's codes (ParseUnexpectedToken, ParseSelectMissingFrom,
 * ParseExpectedTypeName, UnsupportedFunction, ...).
 */
import { fail } from '../errors.ts';
import { tokenize, type Token } from './sql-lexer.ts';

export type PathPart = { readonly name: string; readonly quoted: boolean } | { readonly index: number };

export const CAST_TYPES = {
  INT: 'INT',
  INTEGER: 'INT',
  BIGINT: 'INT',
  SMALLINT: 'INT',
  FLOAT: 'FLOAT',
  REAL: 'FLOAT',
  DOUBLE: 'FLOAT',
  DECIMAL: 'DECIMAL',
  NUMERIC: 'DECIMAL',
  STRING: 'STRING',
  VARCHAR: 'STRING',
  CHAR: 'STRING',
  BOOL: 'BOOL',
  BOOLEAN: 'BOOL',
} as const;
export type CastType = (typeof CAST_TYPES)[keyof typeof CAST_TYPES];

export type AggregateName = 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';
export const AGGREGATES: ReadonlySet<string> = new Set<AggregateName>(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX']);
/** Scalar functions and their arities [min, max]. */
export const FUNCTIONS: Readonly<Record<string, readonly [number, number]>> = {
  LOWER: [1, 1],
  UPPER: [1, 1],
  CHAR_LENGTH: [1, 1],
  CHARACTER_LENGTH: [1, 1],
  TRIM: [1, 1],
  SUBSTRING: [2, 3],
  COALESCE: [1, 64],
  NULLIF: [2, 2],
};

export type BinaryOp = '=' | '!=' | '<' | '>' | '<=' | '>=' | '+' | '-' | '*' | '/' | '%' | '||' | 'AND' | 'OR';

export type Expr =
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null | undefined }
  | { readonly kind: 'column'; readonly path: readonly PathPart[] }
  | { readonly kind: 'not'; readonly arg: Expr }
  | { readonly kind: 'negate'; readonly arg: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'like'; readonly arg: Expr; readonly pattern: Expr; readonly escape: Expr | null; readonly not: boolean }
  | { readonly kind: 'between'; readonly arg: Expr; readonly low: Expr; readonly high: Expr; readonly not: boolean }
  | { readonly kind: 'in'; readonly arg: Expr; readonly list: readonly Expr[]; readonly not: boolean }
  | { readonly kind: 'is'; readonly arg: Expr; readonly what: 'NULL' | 'MISSING'; readonly not: boolean }
  | { readonly kind: 'cast'; readonly arg: Expr; readonly type: CastType }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: 'aggregate'; readonly name: AggregateName; readonly arg: Expr | '*' };

export interface SelectItem {
  readonly expr: Expr;
  /** The output name: the alias, or the column's last name, or `_N` by position. */
  readonly name: string;
}

export interface Query {
  /** '*' for every field of the record. */
  readonly select: '*' | readonly SelectItem[];
  /** `FROM S3Object[*]`: the elements of a top-level array are the records. */
  readonly fromElements: boolean;
  readonly where: Expr | null;
  readonly limit: number | null;
  /** Whether the select list aggregates (COUNT, SUM, ...): one output row. */
  readonly aggregate: boolean;
}

/** S3's limit for the expression. */
export const MAX_EXPRESSION_BYTES = 256 * 1024;

const RESERVED = new Set([
  'SELECT', 'FROM', 'WHERE', 'LIMIT', 'AS', 'AND', 'OR', 'NOT', 'LIKE', 'ESCAPE', 'IS', 'NULL', 'MISSING', 'TRUE', 'FALSE', 'CAST', 'BETWEEN', 'IN',
  'GROUP', 'ORDER', 'BY', 'HAVING', 'JOIN', 'UNION', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'DISTINCT',
]);

const UNSUPPORTED_CLAUSES = new Set(['GROUP', 'ORDER', 'HAVING', 'JOIN', 'UNION', 'CASE', 'DISTINCT']);

/** Column paths as written, before the table alias is known. */
type RawColumn = { kind: 'column'; path: PathPart[] };

class Parser {
  readonly #t: Token[];
  #i = 0;
  readonly columns: RawColumn[] = [];

  constructor(tokens: Token[]) {
    this.#t = tokens;
  }

  get #peek(): Token {
    return this.#t[this.#i]!;
  }

  #next(): Token {
    return this.#t[this.#i++]!;
  }

  #isKeyword(word: string, offset = 0): boolean {
    const t = this.#t[this.#i + offset];
    return t?.kind === 'ident' && t.text.toUpperCase() === word;
  }

  #isOp(op: string): boolean {
    return this.#peek.kind === 'op' && this.#peek.text === op;
  }

  #acceptKeyword(word: string): boolean {
    if (!this.#isKeyword(word)) return false;
    this.#i++;
    return true;
  }

  #acceptOp(op: string): boolean {
    if (!this.#isOp(op)) return false;
    this.#i++;
    return true;
  }

  #unexpected(): never {
    const t = this.#peek;
    if (t.kind === 'ident' && UNSUPPORTED_CLAUSES.has(t.text.toUpperCase())) {
      fail('ParseUnsupportedSyntax', `The SQL expression contains unsupported syntax: ${t.text.toUpperCase()} is not supported.`);
    }
    const what = t.kind === 'eof' ? 'the end of the expression' : `${JSON.stringify(t.text)} at offset ${t.at}`;
    fail('ParseUnexpectedToken', `The SQL expression contains an unexpected token: ${what}.`);
  }

  #expectKeyword(word: string): void {
    if (!this.#acceptKeyword(word)) this.#unexpected();
  }

  #expectOp(op: string): void {
    if (!this.#acceptOp(op)) this.#unexpected();
  }

  query(): { select: '*' | { expr: Expr; alias: string | null }[]; fromElements: boolean; alias: string | null; where: Expr | null; limit: number | null } {
    this.#expectKeyword('SELECT');
    const select = this.#selectList();
    if (!this.#acceptKeyword('FROM')) {
      if (this.#peek.kind === 'eof') fail('ParseSelectMissingFrom', 'The SQL expression has no FROM clause.');
      this.#unexpected();
    }
    const source = this.#next();
    if (source.kind !== 'ident' || source.text.toLowerCase() !== 's3object') {
      fail('ParseUnsupportedSyntax', 'The SQL expression contains unsupported syntax: only FROM S3Object is supported.');
    }
    let fromElements = false;
    if (this.#acceptOp('[')) {
      this.#expectOp('*');
      this.#expectOp(']');
      fromElements = true;
    }
    if (this.#isOp('.') || this.#isOp('[')) fail('ParseUnsupportedSyntax', 'The SQL expression contains unsupported syntax: paths in FROM are not supported.');
    let alias: string | null = null;
    if (this.#acceptKeyword('AS')) alias = this.#aliasName();
    else if (this.#peek.kind === 'ident' && !RESERVED.has(this.#peek.text.toUpperCase())) alias = this.#next().text;
    let where: Expr | null = null;
    if (this.#acceptKeyword('WHERE')) where = this.#expr();
    let limit: number | null = null;
    if (this.#acceptKeyword('LIMIT')) {
      const t = this.#next();
      if (t.kind !== 'number' || !/^\d+$/.test(t.text)) fail('ParseUnexpectedToken', 'LIMIT takes a non-negative integer.');
      limit = Number(t.text);
    }
    this.#acceptOp(';');
    if (this.#peek.kind !== 'eof') this.#unexpected();
    return { select, fromElements, alias, where, limit };
  }

  #aliasName(): string {
    const t = this.#next();
    if ((t.kind === 'ident' && !RESERVED.has(t.text.toUpperCase())) || t.kind === 'quotedIdent') return t.text;
    this.#i--;
    return this.#unexpected();
  }

  #selectList(): '*' | { expr: Expr; alias: string | null }[] {
    if (this.#acceptOp('*')) {
      if (this.#isOp(',')) fail('ParseAsteriskIsNotAloneInSelectList', "Other expressions are not allowed in the SELECT list when '*' is used without dot notation in the SQL expression.");
      return '*';
    }
    // alias.* means the same as *.
    if (this.#peek.kind === 'ident' && this.#t[this.#i + 1]?.text === '.' && this.#t[this.#i + 2]?.text === '*') {
      this.#i += 3;
      if (this.#isOp(',')) fail('ParseAsteriskIsNotAloneInSelectList', "Other expressions are not allowed in the SELECT list when '*' is used without dot notation in the SQL expression.");
      return '*';
    }
    const items: { expr: Expr; alias: string | null }[] = [];
    do {
      if (this.#isOp('*')) fail('ParseAsteriskIsNotAloneInSelectList', "Other expressions are not allowed in the SELECT list when '*' is used without dot notation in the SQL expression.");
      const expr = this.#expr();
      let alias: string | null = null;
      if (this.#acceptKeyword('AS')) alias = this.#aliasName();
      else if ((this.#peek.kind === 'ident' && !RESERVED.has(this.#peek.text.toUpperCase())) || this.#peek.kind === 'quotedIdent') alias = this.#next().text;
      items.push({ expr, alias });
    } while (this.#acceptOp(','));
    return items;
  }

  #expr(): Expr {
    return this.#or();
  }

  #or(): Expr {
    let left = this.#and();
    while (this.#acceptKeyword('OR')) left = { kind: 'binary', op: 'OR', left, right: this.#and() };
    return left;
  }

  #and(): Expr {
    let left = this.#not();
    while (this.#acceptKeyword('AND')) left = { kind: 'binary', op: 'AND', left, right: this.#not() };
    return left;
  }

  #not(): Expr {
    if (this.#acceptKeyword('NOT')) return { kind: 'not', arg: this.#not() };
    return this.#predicate();
  }

  #predicate(): Expr {
    const arg = this.#additive();
    const t = this.#peek;
    if (t.kind === 'op' && ['=', '!=', '<>', '<', '>', '<=', '>='].includes(t.text)) {
      this.#i++;
      const op = (t.text === '<>' ? '!=' : t.text) as BinaryOp;
      return { kind: 'binary', op, left: arg, right: this.#additive() };
    }
    if (this.#acceptKeyword('IS')) {
      const not = this.#acceptKeyword('NOT');
      if (this.#acceptKeyword('NULL')) return { kind: 'is', arg, what: 'NULL', not };
      if (this.#acceptKeyword('MISSING')) return { kind: 'is', arg, what: 'MISSING', not };
      return this.#unexpected();
    }
    const not = this.#isKeyword('NOT') && (this.#isKeyword('LIKE', 1) || this.#isKeyword('BETWEEN', 1) || this.#isKeyword('IN', 1));
    if (not) this.#i++;
    if (this.#acceptKeyword('LIKE')) {
      const pattern = this.#additive();
      const escape = this.#acceptKeyword('ESCAPE') ? this.#additive() : null;
      return { kind: 'like', arg, pattern, escape, not };
    }
    if (this.#acceptKeyword('BETWEEN')) {
      const low = this.#additive();
      this.#expectKeyword('AND');
      return { kind: 'between', arg, low, high: this.#additive(), not };
    }
    if (this.#acceptKeyword('IN')) {
      this.#expectOp('(');
      const list: Expr[] = [this.#expr()];
      while (this.#acceptOp(',')) list.push(this.#expr());
      this.#expectOp(')');
      return { kind: 'in', arg, list, not };
    }
    return arg;
  }

  #additive(): Expr {
    let left = this.#multiplicative();
    for (;;) {
      const t = this.#peek;
      if (t.kind !== 'op' || (t.text !== '+' && t.text !== '-' && t.text !== '||')) return left;
      this.#i++;
      left = { kind: 'binary', op: t.text as BinaryOp, left, right: this.#multiplicative() };
    }
  }

  #multiplicative(): Expr {
    let left = this.#unary();
    for (;;) {
      const t = this.#peek;
      if (t.kind !== 'op' || (t.text !== '*' && t.text !== '/' && t.text !== '%')) return left;
      this.#i++;
      left = { kind: 'binary', op: t.text as BinaryOp, left, right: this.#unary() };
    }
  }

  #unary(): Expr {
    if (this.#acceptOp('-')) {
      const arg = this.#unary();
      return arg.kind === 'literal' && typeof arg.value === 'number' ? { kind: 'literal', value: -arg.value } : { kind: 'negate', arg };
    }
    if (this.#acceptOp('+')) return this.#unary();
    return this.#primary();
  }

  #primary(): Expr {
    const t = this.#peek;
    switch (t.kind) {
      case 'number':
        this.#i++;
        return { kind: 'literal', value: Number(t.text) };
      case 'string':
        this.#i++;
        return { kind: 'literal', value: t.text };
      case 'quotedIdent':
        return this.#column();
      case 'op':
        if (this.#acceptOp('(')) {
          const e = this.#expr();
          this.#expectOp(')');
          return e;
        }
        break;
      case 'ident': {
        const word = t.text.toUpperCase();
        if (word === 'NULL' || word === 'MISSING' || word === 'TRUE' || word === 'FALSE') {
          this.#i++;
          return { kind: 'literal', value: word === 'NULL' ? null : word === 'MISSING' ? undefined : word === 'TRUE' };
        }
        if (word === 'CAST') return this.#cast();
        if (this.#t[this.#i + 1]?.kind === 'op' && this.#t[this.#i + 1]?.text === '(') return this.#call();
        if (RESERVED.has(word)) break;
        return this.#column();
      }
      case 'eof':
        fail('ParseExpectedExpression', 'Did not find the expected SQL expression.');
    }
    return this.#unexpected();
  }

  #cast(): Expr {
    this.#i++;
    this.#expectOp('(');
    const arg = this.#expr();
    this.#expectKeyword('AS');
    const t = this.#next();
    const type = t.kind === 'ident' ? CAST_TYPES[t.text.toUpperCase() as keyof typeof CAST_TYPES] : undefined;
    if (type === undefined) fail('ParseExpectedTypeName', `Did not find the expected type name in the SQL expression (${JSON.stringify(t.text)} is not one of ${Object.keys(CAST_TYPES).join(', ')}).`);
    this.#expectOp(')');
    return { kind: 'cast', arg, type };
  }

  #call(): Expr {
    const name = this.#next().text.toUpperCase();
    this.#expectOp('(');
    if (AGGREGATES.has(name)) {
      if (this.#acceptOp('*')) {
        if (name !== 'COUNT') fail('ParseUnsupportedCallWithStar', 'Only COUNT with (*) as a parameter is supported in the SQL expression.');
        this.#expectOp(')');
        return { kind: 'aggregate', name: 'COUNT', arg: '*' };
      }
      const arg = this.#expr();
      this.#expectOp(')');
      return { kind: 'aggregate', name: name as AggregateName, arg };
    }
    const arity = FUNCTIONS[name];
    if (arity === undefined) fail('UnsupportedFunction', `Encountered an unsupported SQL function: ${name}.`);
    const args: Expr[] = [];
    if (!this.#isOp(')')) {
      do args.push(this.#expr());
      while (this.#acceptOp(','));
    }
    this.#expectOp(')');
    if (args.length < arity[0] || args.length > arity[1]) fail('IncorrectSqlFunctionArgumentType', `${name} takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]} to ${arity[1]}`} arguments.`);
    return { kind: 'call', name, args };
  }

  #column(): Expr {
    const path: PathPart[] = [];
    const first = this.#next();
    path.push({ name: first.text, quoted: first.kind === 'quotedIdent' });
    for (;;) {
      if (this.#acceptOp('.')) {
        const t = this.#next();
        if (t.kind !== 'ident' && t.kind !== 'quotedIdent') {
          this.#i--;
          this.#unexpected();
        }
        path.push({ name: t.text, quoted: t.kind === 'quotedIdent' });
      } else if (this.#acceptOp('[')) {
        const t = this.#next();
        if (t.kind === 'number' && /^\d+$/.test(t.text)) path.push({ index: Number(t.text) });
        else if (t.kind === 'string') path.push({ name: t.text, quoted: true });
        else {
          this.#i--;
          this.#unexpected();
        }
        this.#expectOp(']');
      } else {
        break;
      }
    }
    const column: RawColumn = { kind: 'column', path };
    this.columns.push(column);
    return column;
  }
}

/** Parses and checks a query. */
export function parseQuery(sql: string): Query {
  if (sql.trim() === '') fail('MissingRequiredParameter', 'The SelectRequest entity is missing a required parameter: Expression.');
  if (Buffer.byteLength(sql) > MAX_EXPRESSION_BYTES) fail('ExpressionTooLong', 'The SQL expression is too long: The maximum byte-length for the SQL expression is 256 KB.');
  const parser = new Parser(tokenize(sql));
  const q = parser.query();
  // The table alias (or S3Object itself) in front of a column is dropped: `s._1` is `_1`.
  for (const column of parser.columns) {
    const head = column.path[0]!;
    if (column.path.length > 1 && 'name' in head && !head.quoted) {
      const lower = head.name.toLowerCase();
      if ((q.alias !== null && lower === q.alias.toLowerCase()) || lower === 's3object') column.path.shift();
    }
  }
  let aggregate = false;
  let select: Query['select'] = '*';
  if (q.select !== '*') {
    const items = q.select;
    const kinds = items.map((i) => containsAggregate(i.expr));
    aggregate = kinds.some(Boolean);
    if (aggregate) {
      for (const item of items) if (hasColumnOutsideAggregate(item.expr)) fail('UnsupportedSqlOperation', 'Encountered an unsupported SQL operation: aggregate and non-aggregate expressions are mixed in the SELECT list.');
    }
    select = items.map((item, n) => ({ expr: item.expr, name: item.alias ?? columnName(item.expr) ?? `_${n + 1}` }));
  }
  if (q.where !== null && containsAggregate(q.where)) fail('UnsupportedSqlOperation', 'Encountered an unsupported SQL operation: aggregate functions are not allowed in WHERE.');
  for (const column of parser.columns) checkColumn(column.path);
  return { select, fromElements: q.fromElements, where: q.where, limit: q.limit, aggregate };
}

function checkColumn(path: readonly PathPart[]): void {
  const head = path[0];
  if (head === undefined) return;
  if ('name' in head && !head.quoted && /^_-?\d+$/.test(head.name) && Number(head.name.slice(1)) < 1) {
    fail('InvalidColumnIndex', `The column index ${head.name} is invalid: columns are numbered from _1.`);
  }
}

function columnName(e: Expr): string | null {
  if (e.kind !== 'column') return null;
  const last = e.path[e.path.length - 1];
  return last !== undefined && 'name' in last ? last.name : null;
}

function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'literal':
    case 'column':
      return [];
    case 'not':
    case 'negate':
    case 'cast':
      return [e.arg];
    case 'binary':
      return [e.left, e.right];
    case 'like':
      return e.escape ? [e.arg, e.pattern, e.escape] : [e.arg, e.pattern];
    case 'between':
      return [e.arg, e.low, e.high];
    case 'in':
      return [e.arg, ...e.list];
    case 'is':
      return [e.arg];
    case 'call':
      return [...e.args];
    case 'aggregate':
      return e.arg === '*' ? [] : [e.arg];
  }
}

export function containsAggregate(e: Expr): boolean {
  if (e.kind === 'aggregate') {
    if (e.arg !== '*' && containsAggregate(e.arg)) fail('UnsupportedSqlOperation', 'Encountered an unsupported SQL operation: aggregate functions cannot be nested.');
    return true;
  }
  return children(e).some(containsAggregate);
}

function hasColumnOutsideAggregate(e: Expr): boolean {
  if (e.kind === 'aggregate') return false;
  if (e.kind === 'column') return true;
  return children(e).some(hasColumnOutsideAggregate);
}
