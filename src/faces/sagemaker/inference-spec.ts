/**
 * @module
 * A model package's InferenceSpecification: which files it registers (the
 * containers' ModelDataUrl or ModelDataSource.S3DataSource, pinned at
 * registration), and the structure itself, kept as given in the version's
 * document so DescribeModelPackage can answer it.
 */
import type { FileSource } from '../../core/registry/registry-api.ts';
import { parseS3Uri } from '../../core/registry/s3-uri.ts';
import type { Input } from './sagemaker-codec.ts';
import { SageMakerError } from './sagemaker-errors.ts';

const S3_URL = /^(https|s3):\/\/([^/]+)\/?(.*)$/;

/** What one container says its model data is. */
type DataRef = { readonly uri: string; readonly prefix: boolean };

/** Reads and checks InferenceSpecification; call before `input.done()`. */
export function readInferenceSpecification(input: Input): { readonly raw: unknown; readonly data: DataRef[] } | undefined {
  const spec = input.object('InferenceSpecification');
  if (!spec) return undefined;
  const data: DataRef[] = [];
  for (const c of spec.objectList('Containers', { required: true, min: 1, max: 15 }) ?? []) {
    c.string('Image', { max: 255 });
    c.string('ContainerHostname', { max: 63 });
    const url = c.string('ModelDataUrl', { max: 1024, pattern: S3_URL });
    const s3 = c.object('ModelDataSource')?.object('S3DataSource');
    const uri = s3?.string('S3Uri', { required: true, max: 1024, pattern: S3_URL });
    const type = s3?.string('S3DataType', { required: true, values: ['S3Prefix', 'S3Object'] });
    s3?.string('CompressionType', { required: true, values: ['None', 'Gzip'] });
    if (uri !== undefined) data.push({ uri, prefix: type === 'S3Prefix' });
    else if (url !== undefined) data.push({ uri: url, prefix: url.endsWith('/') });
  }
  spec.stringList('SupportedContentTypes', { item: { max: 256 } });
  spec.stringList('SupportedResponseMIMETypes', { item: { max: 1024 } });
  return { raw: input.raw('InferenceSpecification'), data };
}

/**
 * The files to pin: one container's object or prefix, or the objects of
 * several containers (each under its key's last segment). Signet registers
 * files from s3:// URIs only.
 */
export function fileSourceOf(data: readonly DataRef[]): FileSource {
  for (const d of data) {
    if (!d.uri.startsWith('s3://')) throw new SageMakerError('ValidationException', `Model data "${d.uri}" is not an s3:// URI: Signet registers files from its own buckets.`);
  }
  if (data.length === 0) return { kind: 'none' };
  const sources = data.map((d) => parseS3Uri(d.uri, d.prefix));
  if (sources.length === 1) return sources[0]!;
  const files = sources.map((s) => {
    if (s.kind !== 's3-object') throw new SageMakerError('ValidationException', 'Several containers with S3 prefixes: Signet registers one prefix per model package.');
    return { path: s.key.slice(s.key.lastIndexOf('/') + 1), bucket: s.bucket, key: s.key };
  });
  if (new Set(files.map((f) => f.path)).size !== files.length) {
    throw new SageMakerError('ValidationException', 'The containers’ model data objects must have different file names.');
  }
  return { kind: 'files', files };
}

/** The version document that keeps the specification as given. */
export function specDocument(raw: unknown): string {
  return JSON.stringify({ InferenceSpecification: raw });
}

/** The InferenceSpecification kept in a version's document, if any. */
export function specOf(document: string | null): unknown {
  if (document === null) return undefined;
  try {
    return (JSON.parse(document) as { InferenceSpecification?: unknown }).InferenceSpecification;
  } catch {
    return undefined;
  }
}
