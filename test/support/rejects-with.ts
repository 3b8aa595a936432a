/**
 * The assertion most core and face tests make: a call fails with one
 * SignetError code (and, optionally, a message).
 */
import assert from 'node:assert/strict';
import { isSignetError } from '../../src/core/errors.ts';
import type { ErrorCode } from '../../src/core/errors.ts';

/** Asserts that `run` rejects with a SignetError of `code` whose message matches `message`, if given. */
export async function rejectsWith(run: Promise<unknown> | (() => unknown), code: ErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(
    async () => (typeof run === 'function' ? run() : run),
    (e: unknown) => {
      assert.ok(isSignetError(e), `expected a SignetError, got ${String(e)}`);
      assert.equal(e.code, code, `code (message: ${e.message})`);
      if (message) assert.match(e.message, message);
      return true;
    },
  );
}
