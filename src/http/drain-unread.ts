/**
 * @module
 * What every face does after an answer sent before the request body was read.
 */
import type { IncomingMessage } from 'node:http';

/**
 * An answer sent before the body was read (an error, usually): read and drop
 * the rest so the client can read the answer and reuse the connection; a
 * body over 8 MiB is not worth it, and the connection is cut instead.
 */
export function drainUnread(req: IncomingMessage): void {
  if (req.readableEnded || req.complete) return;
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > 8 * 1024 * 1024) req.destroy();
  });
  req.on('error', () => {});
  // A consumer that gave up (a POST form parser after a size error) may still hold it paused through a pipe.
  req.unpipe();
  req.resume();
}
