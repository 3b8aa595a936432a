/**
 * @module
 * The scheme, host and port a client reached Signet at, for URLs minted in
 * answers (grants): the configured public URL, or else the request's Host.
 */
import type { IncomingMessage } from 'node:http';

export function baseUrlOf(req: IncomingMessage, publicUrl: string | null): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const host = req.headers.host ?? `${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort ?? 80}`;
  return `${encrypted ? 'https' : 'http'}://${host}`;
}
