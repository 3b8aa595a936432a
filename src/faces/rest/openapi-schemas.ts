/**
 * @module
 * The schemas of the REST API's OpenAPI document: every request and answer
 * body (wire shapes from `rest-json.ts` and the handlers' inputs).
 */

type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const nullable = (s: Schema): Schema => ({ oneOf: [s, { type: 'null' }] });
const time: Schema = { type: 'string', format: 'date-time' };
const int = (description?: string, minimum = 0): Schema => ({ type: 'integer', minimum, ...(description ? { description } : {}) });
const bool: Schema = { type: 'boolean' };
const strings: Schema = { type: 'array', items: { type: 'string' } };
const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };
const arrayOf = (s: Schema): Schema => ({ type: 'array', items: s });
const enumOf = (values: readonly string[], description?: string): Schema => ({ type: 'string', enum: values, ...(description ? { description } : {}) });

/** A closed object: unknown members are refused with 400. */
function object(properties: Record<string, Schema>, required: readonly string[] = []): Schema {
  return { type: 'object', properties, required: [...required], additionalProperties: false };
}

function pageSchema(item: string): Schema {
  return object({ items: arrayOf(ref(item)), nextCursor: nullable(str('Pass as `cursor` for the next page; null on the last page.')) }, ['items', 'nextCursor']);
}

const APPROVAL = ['Approved', 'Rejected', 'PendingManualApproval'];
const STATUS = ['Pending', 'InProgress', 'Completed', 'Failed', 'Deleting'];
const CONTENT_TYPES = ['Model', 'Notebook', 'ModelReference', 'DataSet', 'JsonDoc'];
const SCOPES = ['read', 'write', 'admin'];

const RECORDS: Record<string, Schema> = {
  Problem: object(
    {
      type: str('`urn:signet:error:<code>`'),
      title: str(),
      status: int(),
      detail: str('What went wrong, naming the offending member or parameter.'),
      instance: str('The request path.'),
      code: str('The Signet error code, e.g. ResourceNotFound, Conflict, EulaNotAccepted.'),
      requestId: str(),
      details: { type: 'object', additionalProperties: true, description: 'Extra facts, e.g. `Resource` for ResourceNotFound.' },
    },
    ['type', 'title', 'status', 'detail', 'code'],
  ),
  Principal: object({ userId: str(), userName: str(), root: bool, scopes: arrayOf(enumOf(SCOPES)), via: enumOf(['token', 'basic', 'sigv4']), tokenId: nullable(str()) }),
  Token: object({ id: str(), userId: str(), name: str(), scopes: arrayOf(enumOf(SCOPES)), createdAt: time, expiresAt: nullable(time), revokedAt: nullable(time) }),
  CreatedToken: { allOf: [ref('Token'), object({ token: str('The token string `sgt_<id>_<secret>`, shown once: send it as `Authorization: Bearer <token>`.') }, ['token'])] },
  Gate: object({ eula: str('A URI or a title of the EULA text.'), version: str('The EULA version callers accept.') }, ['eula', 'version']),
  Model: object({
    id: str(),
    namespace: str(),
    name: str(),
    description: str(),
    unversioned: bool,
    gate: nullable(ref('Gate')),
    createdAt: time,
    createdBy: str(),
    lastNumber: int('The highest version number given so far (numbers are never reused).'),
  }),
  Version: object({
    modelId: str(),
    number: int(undefined, 1),
    label: nullable(str()),
    description: str(),
    metadata: stringMap,
    approval: enumOf(APPROVAL),
    status: enumOf(STATUS),
    createdAt: time,
    createdBy: str(),
    updatedAt: time,
    fileCount: int(),
    totalSize: int(),
    sourceUri: nullable(str()),
    document: { description: 'The JSON value given at registration (SageMaker: {"InferenceSpecification": ...}), or null.' },
  }),
  Package: object({ model: ref('Model'), version: ref('Version') }),
  File: object({ path: str('Relative, `/`-separated.'), size: int(), sha256: str('Hex SHA-256.') }),
  StagePointer: object({ stage: str(), number: int(undefined, 1), status: nullable(str()), description: nullable(str()), movedAt: time, movedBy: str() }),
  StageAt: object({ stage: str(), at: time, number: nullable(int('The version the stage held at `at`; null: none.', 1)) }),
  StageEvent: object({ seq: int(), stage: str(), number: nullable(int(undefined, 1)), previous: nullable(int(undefined, 1)), at: time, actor: str() }),
  GrantedFile: object({ path: str(), url: str('A presigned S3 GET URL; supports Range.'), size: int(), sha256: str(), expiresAt: time }),
  Grant: object({
    grantId: str('Every URL carries it in its signed query.'),
    expiresAt: time,
    resolved: object({ kind: enumOf(['model-version', 'hub-content']), model: ref('Model'), version: ref('Version'), content: ref('HubContent') }),
    files: arrayOf(ref('GrantedFile')),
    nextCursor: nullable(str('Pass as `cursor` (with the same target) for the next page of files.')),
  }),
  UploadGrant: object({
    fileId: str(),
    uploadNeeded: { type: 'boolean', description: 'False when the store already holds this content: skip the upload.' },
    presignedUrl: str('POST the form here.'),
    presignedUrlFields: { ...stringMap, description: 'Form fields to send before the `file` field.' },
    presignedUrlExpiration: time,
  }),
  PublishUpload: { allOf: [object({ path: str() }, ['path']), ref('UploadGrant')] },
  PublishAnswer: object({ version: ref('Version'), uploads: arrayOf(ref('PublishUpload')) }),
  Hub: object({ name: str(), displayName: str(), description: str(), searchKeywords: strings, createdAt: time, updatedAt: time }),
  HubContent: object({
    arn: str('`arn:aws:sagemaker:<region>:<account>:hub-content/<hub>/<type>/<name>/<version>`; pass as `sourceArn` to reference it from another hub.'),
    hubName: str(),
    type: enumOf(CONTENT_TYPES),
    name: str(),
    version: str(),
    displayName: str(),
    description: str(),
    markdown: str(),
    searchKeywords: strings,
    supportStatus: nullable(str()),
    document: str('The JSON document as given.'),
    documentSchemaVersion: str(),
    artifactUri: nullable(str()),
    eulaUri: nullable(str()),
    referenceArn: nullable(str()),
    createdAt: time,
    updatedAt: time,
    fileCount: int(),
    totalSize: int(),
  }),
  Acceptance: object({ userId: str(), userName: str(), subject: object({ kind: enumOf(['model', 'hub-content']), id: str() }), eula: str(), eulaVersion: str(), at: time }),
  AuditEvent: object({ seq: int(), at: time, userId: str(), userName: str(), action: str('e.g. grant.download, grant.upload, eula.accept, token.create, token.revoke'), subject: str(), detail: { type: 'object', additionalProperties: true } }),
};

const VERSION_FIELDS: Record<string, Schema> = {
  label: nullable(str('Semver-like, unique within the model (DVC version tag).')),
  description: str(),
  metadata: stringMap,
  approval: enumOf(APPROVAL),
};
const STAGE_MOVE_OPTIONS: Record<string, Schema> = {
  expect: nullable(int('Compare-and-swap: the version the stage holds now (null: empty); a mismatch fails the whole request with 409.', 1)),
  status: nullable(str()),
  description: nullable(str()),
};
const CONTENT_TEXT: Record<string, Schema> = { displayName: str(), description: str(), markdown: str(), searchKeywords: strings, supportStatus: nullable(str()) };
const expiresIn = int('Seconds the URLs stay valid (default 3600, at most 604800).', 1);

const REQUESTS: Record<string, Schema> = {
  NewToken: object({ name: str(), scopes: arrayOf(enumOf(SCOPES)), expiresIn: int('Seconds until the token stops working; absent: never.', 1), userName: str('Admin only: the user the token is for.') }, ['name', 'scopes']),
  NewModel: object({ namespace: str('`owner`, `owner/repo`, `group/sub/repo`.'), name: str('May hold `/` and `:` (`path/to/dvc.yaml:model`).'), description: str(), gate: nullable(ref('Gate')), unversioned: bool }, ['namespace', 'name']),
  ModelPatch: object({ description: str(), gate: nullable({ ...ref('Gate'), description: 'null removes the gate.' }) }),
  RegisterVersion: object({
    source: str('`s3://bucket/prefix/` (every object below it) or `s3://bucket/key` (one object). Exactly one of source and files.'),
    path: str('For a single-object source: its path in the version (default: the key\'s last segment).'),
    versionId: str('For a single-object source: the object version to pin.'),
    files: arrayOf(object({ path: str(), s3Uri: str('`s3://bucket/key`'), versionId: str() }, ['path', 's3Uri'])),
    ...VERSION_FIELDS,
    stage: object({ stage: str(), ...STAGE_MOVE_OPTIONS }, ['stage']),
    document: { description: 'Any JSON value kept with the version as given (at most 64 KiB).' },
    clientToken: str('Idempotency token (1-64 printable ASCII characters): a repeat with the same token answers 200 with the version the first call registered, and registers nothing.'),
  }),
  Publish: object({ files: arrayOf(object({ path: str(), size: int(), sha256: str('Hex or base64 SHA-256.') }, ['path', 'size', 'sha256'])), ...VERSION_FIELDS }, ['files']),
  VersionPatch: object({ ...VERSION_FIELDS, status: enumOf(STATUS) }),
  StageMoves: object({ moves: arrayOf(object({ stage: str(), to: nullable(int('The version to point at; null clears the stage.', 1)), ...STAGE_MOVE_OPTIONS }, ['stage', 'to'])) }, ['moves']),
  Download: object({ expiresIn, acceptEula: { type: 'boolean', description: 'Accept a gated model\'s EULA for this request only.' }, cursor: str(), limit: int('Files per page (default 100, at most 1000).', 1) }),
  Refresh: object({ expiresIn, cursor: str(), limit: int(undefined, 1) }),
  Upload: object(
    {
      fileName: str(),
      fileContentsSha256: str('Base64 (or hex) SHA-256 of the file (Q Apps name); or give `sha256`.'),
      sha256: str('Same as fileContentsSha256.'),
      scope: enumOf(['APPLICATION', 'SESSION']),
      sessionId: str('Required for SESSION scope.'),
      size: int('Exact size in bytes, when known: the policy then allows only it.'),
    },
    ['fileName', 'scope'],
  ),
  NewHub: object({ name: str(), displayName: str(), description: str(), searchKeywords: strings }, ['name']),
  HubPatch: object({ displayName: str(), description: str(), searchKeywords: strings }),
  ImportContent: object(
    {
      type: enumOf(CONTENT_TYPES),
      name: str(),
      version: str('Default 1.0.0.'),
      document: { oneOf: [str('JSON text'), { type: 'object' }], description: 'HubContentDocument; its HostingArtifactUri (s3://…) is pinned, its HostingEulaUri gates the content.' },
      documentSchemaVersion: str(),
      ...CONTENT_TEXT,
    },
    ['type', 'name', 'document'],
  ),
  ContentPatch: object(CONTENT_TEXT),
  NewReference: object({ sourceArn: str('ARN of Model content in another hub.'), name: str(), minVersion: str() }, ['sourceArn']),
  Empty: object({}),
  Tags: object({ tags: { ...stringMap, description: 'Key to value, in key order. Keys 1-128 and values 0-256 letters, digits, spaces and _ . : / = + - @; no "aws:" keys; at most 50 on a resource.' } }, ['tags']),
};

const PAGES = ['Token', 'Model', 'Version', 'Package', 'File', 'StagePointer', 'StageEvent', 'Hub', 'HubContent', 'Acceptance', 'AuditEvent'];

export function schemas(): Record<string, Schema> {
  return { ...RECORDS, ...REQUESTS, ...Object.fromEntries(PAGES.map((p) => [`${p}Page`, pageSchema(p)])) };
}
