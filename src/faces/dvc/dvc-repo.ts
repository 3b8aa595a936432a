/**
 * @module
 * DVC Studio's `repo` parameter to a Signet namespace, whatever form a user
 * pastes: `owner/name`, `git@host:owner/name.git`, `ssh://git@host/owner/name`,
 * `https://host/owner/name(.git)`, `host/owner/name`, with or without a
 * trailing slash. The namespace is the repository path on its host.
 */
import { fail } from '../../core/errors.ts';

/** `user@host:path` (scp-like Git address). */
const SCP_LIKE = /^[^/@:\s]+@[^/:\s]+:(?!\/\/)(.+)$/;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
/** A first segment that is a host name (with a dot, optionally a port). */
const HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?$/i;

function repoPath(repo: string): string {
  const scp = SCP_LIKE.exec(repo);
  if (scp) return scp[1]!;
  if (!URL_LIKE.test(repo)) return repo;
  try {
    return decodeURIComponent(new URL(repo).pathname);
  } catch {
    return fail('InvalidArgument', `"repo" is not a Git repository URL: ${repo}`);
  }
}

export function namespaceOfRepo(repo: string): string {
  let path = repoPath(repo.trim()).replace(/^\/+|\/+$/g, '');
  path = path.replace(/\.git$/, '').replace(/\/+$/, '');
  const segments = path.split('/');
  // `github.com/owner/name`: a pasted URL without its scheme.
  if (segments.length >= 3 && HOST.test(segments[0]!)) path = segments.slice(1).join('/');
  if (path === '') fail('InvalidArgument', `"repo" names no repository: ${repo}`);
  return path;
}
