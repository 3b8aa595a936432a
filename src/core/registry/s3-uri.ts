/**
 * @module
 * `s3://bucket/key` URIs, as SageMaker (S3Uri, HostingArtifactUri) and the
 * aws CLI write them: the key is taken literally (no percent-decoding), a
 * trailing `/` makes it a prefix.
 */
import { fail, isSignetError } from '../errors.ts';
import { validateBucketName, validateKey } from '../names.ts';
import type { FileSource, ParseS3Uri } from './registry-api.ts';

const SCHEME = 's3://';

/** Parses `s3://bucket/key-or-prefix` (a prefix when it ends with `/`, is empty, or `asPrefix`). */
export const parseS3Uri: ParseS3Uri = (uri: string, asPrefix = false): FileSource => {
  if (typeof uri !== 'string' || !uri.startsWith(SCHEME)) fail('InvalidArgument', `"${String(uri)}" is not an s3:// URI`);
  const rest = uri.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  checked(uri, () => validateBucketName(bucket));
  if (key === '' || key.endsWith('/') || asPrefix) {
    if (key !== '') checked(uri, () => validateKey(key));
    return { kind: 's3-prefix', bucket, prefix: key };
  }
  checked(uri, () => validateKey(key));
  return { kind: 's3-object', bucket, key };
};

/** Turns the S3 naming errors into InvalidArgument about the URI. */
function checked(uri: string, check: () => void): void {
  try {
    check();
  } catch (e) {
    if (isSignetError(e)) fail('InvalidArgument', `invalid S3 URI "${uri}": ${e.message}`);
    throw e;
  }
}

export function formatS3Uri(bucket: string, keyOrPrefix: string): string {
  return `${SCHEME}${bucket}/${keyOrPrefix}`;
}

/** The URI a source was read from, when it is one place (a prefix or an object). */
export function sourceUriOf(source: FileSource): string | null {
  switch (source.kind) {
    case 's3-prefix':
      return formatS3Uri(source.bucket, source.prefix);
    case 's3-object':
      return formatS3Uri(source.bucket, source.key);
    case 'files':
    case 'none':
      return null;
  }
}
