/**
 * @module
 * Structured logs: one JSON object per line on stdout. Small on purpose; the
 * hot path logs one line per request at most.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const stdout = batchedPerTurn((text) => process.stdout.write(text));
const stdoutPerTurn = stdout.write;

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = stdoutPerTurn,
  base: Record<string, unknown> = {},
): Logger {
  const min = RANK[level];
  // The logger's own fields, serialised once; a line's fields follow them (a repeated name: the line's wins on parse).
  const baseText = membersOf(base);
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (RANK[lvl] < min) return;
    const extra = fields === undefined ? '' : membersOf(fields);
    write(`{"time":"${new Date().toISOString()}","level":"${lvl}","msg":${JSON.stringify(msg)}${baseText}${extra}}\n`);
    // Warnings and errors are not held back: the process may be about to fail.
    if (RANK[lvl] >= RANK.warn && write === stdoutPerTurn) stdout.flushNow();
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(level, write, { ...base, ...fields }),
  };
}

/**
 * `write`, called once per event-loop turn with every line of the turn: at
 * thousands of requests a second, a write call per access-log line costs
 * more than composing it. Lines are written in order; what is pending is
 * written at once by `flushNow` and on process exit, so only a SIGKILL can
 * lose the lines of the turn it interrupts.
 */
export function batchedPerTurn(write: (text: string) => void): { write: (line: string) => void; flushNow: () => void } {
  let pending: string[] = [];
  let scheduled = false;
  const flushNow = (): void => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    write(text);
  };
  process.on('exit', flushNow);
  return {
    write: (line) => {
      pending.push(line);
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        flushNow();
      });
    },
    flushNow,
  };
}

/** `,"a":1,"b":2` for `{ a: 1, b: 2 }`; empty for no members. */
function membersOf(fields: Record<string, unknown>): string {
  const text = JSON.stringify(fields, replacer);
  return text.length > 2 ? `,${text.slice(1, -1)}` : '';
}

/** Errors serialise to their message and stack instead of `{}`. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

export const silentLogger: Logger = createLogger('error', () => {});
