/**
 * @module
 * The MetaStore, written once over Kysely for SQLite and PostgreSQL. What
 * differs is passed in: a {@link MetaDialect} (locks, error codes, plans)
 * and, optionally, how write transactions run (SQLite groups them into one
 * commit) and where reads go (SQLite reads on a second connection).
 */
import { sql } from 'kysely';
import { fail } from '../../core/errors.ts';
import { checkRetentionChange } from '../../core/object-lock.ts';
import type {
  AccessKey,
  Bucket,
  DetailedSummary,
  MultipartUpload,
  NewObjectVersion,
  ObjectSummary,
  ObjectVersion,
  UploadedPart,
  User,
} from '../../core/types.ts';
import type {
  BucketPatch,
  DeleteOptions,
  DeleteResult,
  KeyWindow,
  MasterKeyRecord,
  MetaStore,
  PutVersionOptions,
  UploadWindow,
  VersionPatch,
  VersionRef,
  VersionWindow,
} from '../../ports/meta-store.ts';
import { assertStorableKey } from './key-order.ts';
import type { Db, MetaDialect, Transact } from './meta-dialect.ts';
import { SIGNET_MIGRATIONS, runMigrations } from './migrations.ts';
import type { SignetMigration } from './migrations.ts';
import * as encryptionKeys from './encryption-keys.ts';
import * as reads from './object-reads.ts';
import * as writes from './object-writes.ts';
import { StatementCache, defineStatement, kyselyRunner } from './statements.ts';
import type { StatementRunner } from './statements.ts';
import type { Tx } from './object-writes.ts';
import type { RegistryStore } from '../../ports/registry-store.ts';
import { KyselyRegistryStore } from './registry-store.ts';
import type { CatalogCache, CatalogKind } from './catalog-cache.ts';
import type { SecretSeal } from '../../core/secret-seal.ts';
import { sealStoredSecrets } from './sealed-secrets.ts';
import { accessKeyRow, bucketRow, flag, toAccessKey, toBucket, toUpload, toUser, uploadRow, userRow } from './rows.ts';

// Point reads every request makes (its access key, user and bucket): prepared once.
const userById = defineStatement<{ id: string }>()('userById', (db, p) => db.selectFrom('users').selectAll().where('id', '=', p.id));
const accessKeyById = defineStatement<{ id: string }>()('accessKeyById', (db, p) =>
  db.selectFrom('access_keys').selectAll().where('access_key_id', '=', p.id),
);
const bucketByName = defineStatement<{ name: string }>()('bucketByName', (db, p) =>
  db.selectFrom('buckets').selectAll().where('name', '=', p.name),
);

export interface KyselyMetaStoreOptions {
  /**
   * Runs one write transaction. Default: a Kysely transaction, run again
   * while the dialect calls the error retryable (deadlocks).
   */
  readonly transact?: Transact;
  /** Where reads outside write transactions go. Default: the main instance. */
  readonly reader?: Db;
  /**
   * How prepared statements run: for reads, and inside a write transaction
   * `trx`. Default: through Kysely (`kyselyRunner`) on the reader and `trx`.
   */
  readonly statements?: {
    readonly read: StatementRunner;
    readonly write: (trx: Db) => StatementRunner;
  };
  /** Runs first on close(), e.g. to let queued writes finish. */
  readonly beforeClose?: () => Promise<void>;
  /** Keeps users, access keys and buckets in memory (one writing process only). */
  readonly catalog?: CatalogCache;
  /** Seals access-key secrets at rest (a master key is configured); without it they are stored in clear. */
  readonly secrets?: SecretSeal;
}

const MAX_ATTEMPTS = 5;
/** Blob hashes per referencedBlobs statement. */
const HASH_CHUNK = 500;

export class KyselyMetaStore implements MetaStore {
  readonly registry: RegistryStore;
  readonly #db: Db;
  readonly #reader: Db;
  readonly #dialect: MetaDialect;
  readonly #transact: Transact;
  readonly #beforeClose: (() => Promise<void>) | undefined;
  readonly #readStatements: StatementRunner;
  readonly #writeStatements: (trx: Db) => StatementRunner;
  readonly #catalog: CatalogCache | undefined;
  readonly #secrets: SecretSeal | null;

  constructor(db: Db, dialect: MetaDialect, options: KyselyMetaStoreOptions = {}) {
    this.#db = db;
    this.#dialect = dialect;
    this.#reader = options.reader ?? db;
    this.#transact = options.transact ?? ((fn) => this.#retrying(fn));
    this.#beforeClose = options.beforeClose;
    this.#catalog = options.catalog;
    this.#secrets = options.secrets ?? null;
    const cache = new StatementCache(db, dialect);
    this.#readStatements = options.statements?.read ?? kyselyRunner(this.#reader, cache);
    this.#writeStatements = options.statements?.write ?? ((trx) => kyselyRunner(trx, cache));
    this.registry = new KyselyRegistryStore({ reader: this.#reader, dialect, write: (fn) => this.#write(fn) });
  }

  async #retrying<T>(fn: (trx: Db) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#db.transaction().execute(fn);
      } catch (e) {
        if (attempt >= MAX_ATTEMPTS || !this.#dialect.isRetryable(e)) throw e;
      }
    }
  }

  #write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.#transact((db) => fn({ db, dialect: this.#dialect, q: this.#writeStatements(db) }));
  }

  /** A write to users, access keys or buckets: the catalog cache must not outlive it. */
  #writeCatalog<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.#catalog === undefined ? this.#write(fn) : this.#catalog.writing(() => this.#write(fn));
  }

  #readCatalog<T extends object>(kind: CatalogKind, id: string, load: () => Promise<T | null>): Promise<T | null> {
    return this.#catalog === undefined ? load() : this.#catalog.get(kind, id, load);
  }

  /** Runs `migrations` (default: all of Signet's; tests pass extra ones), then seals secrets still in clear. */
  async migrate(migrations: readonly SignetMigration[] = SIGNET_MIGRATIONS): Promise<void> {
    const schema = this.#dialect.schema;
    await runMigrations(this.#db, this.#dialect.engine, { migrations, ...(schema === undefined ? {} : { schema }) });
    await this.#writeCatalog(({ db }) => sealStoredSecrets(db, this.#secrets));
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.#reader);
  }

  async close(): Promise<void> {
    await this.#beforeClose?.();
    if (this.#reader !== this.#db) await this.#reader.destroy();
    await this.#db.destroy();
  }

  /** The engine's plan for the listObjects statement: proves it is index-backed. */
  async explainListObjects(bucket: string, window: KeyWindow): Promise<string[]> {
    return this.#dialect.explain(this.#reader, reads.listObjectsQuery(this.#reader, bucket, window).compile());
  }

  // Users and access keys

  async createUser(user: User): Promise<void> {
    await this.#writeCatalog(async ({ db }) => {
      try {
        await db.insertInto('users').values(userRow(user)).execute();
      } catch (e) {
        if (this.#dialect.isUniqueViolation(e)) fail('UserAlreadyExists', `User ${user.name} exists.`);
        throw e;
      }
    });
  }

  async getUser(idOrName: { id: string } | { name: string }): Promise<User | null> {
    if ('id' in idOrName) {
      return this.#readCatalog('user', idOrName.id, async () => {
        const row = (await this.#readStatements.all(userById, { id: idOrName.id }))[0];
        return row === undefined ? null : toUser(row);
      });
    }
    const row = await this.#reader.selectFrom('users').selectAll().where('name', '=', idOrName.name).executeTakeFirst();
    return row === undefined ? null : toUser(row);
  }

  async listUsers(): Promise<User[]> {
    const rows = await this.#reader.selectFrom('users').selectAll().orderBy('name').execute();
    return rows.map(toUser);
  }

  async deleteUser(id: string): Promise<void> {
    await this.#writeCatalog(async ({ db }) => {
      const { numDeletedRows } = await db.deleteFrom('users').where('id', '=', id).executeTakeFirstOrThrow();
      if (numDeletedRows === 0n) fail('NoSuchUser', `No user ${id}.`);
    });
  }

  /** Adds the key, or replaces it (same id: new secret or owner). NoSuchUser. */
  async putAccessKey(key: AccessKey): Promise<void> {
    await this.#writeCatalog(async ({ db }) => {
      const user = await db.selectFrom('users').select('id').where('id', '=', key.userId).executeTakeFirst();
      if (user === undefined) fail('NoSuchUser', `No user ${key.userId}.`);
      const row = accessKeyRow(key, this.#secrets);
      await db
        .insertInto('access_keys')
        .values(row)
        .onConflict((oc) =>
          oc
            .column('access_key_id')
            .doUpdateSet({ secret: row.secret, sealed_by: row.sealed_by, user_id: row.user_id, created_at: row.created_at }),
        )
        .execute();
    });
  }

  getAccessKey(accessKeyId: string): Promise<AccessKey | null> {
    return this.#readCatalog('accessKey', accessKeyId, async () => {
      const row = (await this.#readStatements.all(accessKeyById, { id: accessKeyId }))[0];
      return row === undefined ? null : toAccessKey(row, this.#secrets);
    });
  }

  async listAccessKeys(userId: string): Promise<AccessKey[]> {
    const rows = await this.#reader
      .selectFrom('access_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('access_key_id')
      .execute();
    return rows.map((row) => toAccessKey(row, this.#secrets));
  }

  async deleteAccessKey(accessKeyId: string): Promise<void> {
    await this.#writeCatalog(async ({ db }) => {
      const q = db.deleteFrom('access_keys').where('access_key_id', '=', accessKeyId);
      const { numDeletedRows } = await q.executeTakeFirstOrThrow();
      if (numDeletedRows === 0n) fail('NoSuchAccessKey', `No access key ${accessKeyId}.`);
    });
  }

  // Buckets

  async createBucket(bucket: Bucket): Promise<void> {
    await this.#writeCatalog(async ({ db }) => {
      try {
        await db.insertInto('buckets').values(bucketRow(bucket)).execute();
      } catch (e) {
        if (this.#dialect.isUniqueViolation(e)) fail('BucketAlreadyExists', `Bucket ${bucket.name} exists.`);
        throw e;
      }
    });
  }

  getBucket(name: string): Promise<Bucket | null> {
    return this.#readCatalog('bucket', name, async () => {
      const row = (await this.#readStatements.all(bucketByName, { name }))[0];
      return row === undefined ? null : toBucket(row);
    });
  }

  async listBuckets(ownerId: string | null): Promise<Bucket[]> {
    const rows = await this.#reader
      .selectFrom('buckets')
      .selectAll()
      .$if(ownerId !== null, (q) => q.where('owner_id', '=', ownerId ?? ''))
      .orderBy('name')
      .execute();
    return rows.map(toBucket);
  }

  async deleteBucket(name: string): Promise<void> {
    await this.#writeCatalog(async (tx) => {
      // FOR UPDATE waits for writers holding the bucket (FOR KEY SHARE) and blocks new ones.
      const q = tx.db.selectFrom('buckets').select('name').where('name', '=', name);
      const found = await writes.forUpdate(tx.dialect, q).executeTakeFirst();
      if (found === undefined) fail('NoSuchBucket', `No bucket ${name}.`);
      const any = await tx.db
        .selectFrom('versions')
        .select('id')
        .where('bucket', '=', name)
        .limit(1)
        .executeTakeFirst();
      if (any !== undefined) fail('BucketNotEmpty', `Bucket ${name} still has versions or delete markers.`);
      // Pending uploads, their parts and extents go by cascade.
      await tx.db.deleteFrom('buckets').where('name', '=', name).execute();
    });
  }

  async updateBucket(name: string, patch: BucketPatch): Promise<Bucket> {
    return this.#writeCatalog(async (tx) => {
      const q = tx.db.selectFrom('buckets').selectAll().where('name', '=', name);
      const row = await writes.forUpdate(tx.dialect, q).executeTakeFirst();
      if (row === undefined) fail('NoSuchBucket', `No bucket ${name}.`);
      const current = toBucket(row);
      const config: Record<string, unknown> = { ...current.config };
      for (const [kind, doc] of Object.entries(patch.config ?? {})) {
        if (doc === null) delete config[kind];
        else if (doc !== undefined) config[kind] = doc;
      }
      const next: Bucket = {
        ...current,
        versioning: patch.versioning ?? current.versioning,
        objectLockEnabled: patch.objectLockEnabled ?? current.objectLockEnabled,
        config,
      };
      const { versioning, object_lock_enabled, config: doc } = bucketRow(next);
      await tx.db
        .updateTable('buckets')
        .set({ versioning, object_lock_enabled, config: doc })
        .where('name', '=', name)
        .execute();
      return next;
    });
  }

  // Objects

  putVersion(version: NewObjectVersion, options: PutVersionOptions): Promise<ObjectVersion> {
    return this.#write((tx) => writes.writeVersion(tx, version, options));
  }

  getVersion(bucket: string, key: string, versionId: string | null): Promise<ObjectVersion | null> {
    return reads.readVersion(this.#readStatements, bucket, key, versionId);
  }

  deleteObject(bucket: string, key: string, options: DeleteOptions): Promise<DeleteResult> {
    return this.#write((tx) => writes.deleteObject(tx, bucket, key, options));
  }

  /**
   * NoSuchKey when the key has no latest version or it is a delete marker;
   * NoSuchVersion when the named version does not exist; MethodNotAllowed
   * when it is a delete marker (S3 keeps no tags or locks on markers).
   */
  updateVersion(bucket: string, key: string, versionId: string | null, patch: VersionPatch): Promise<ObjectVersion> {
    return this.#write(async (tx) => {
      assertStorableKey(key);
      await tx.dialect.lockKey(tx.db, bucket, key);
      const found = await reads.readVersion(tx.q, bucket, key, versionId);
      if (found === null || (versionId === null && found.isDeleteMarker)) {
        fail(versionId === null ? 'NoSuchKey' : 'NoSuchVersion', `No such version of ${key}.`);
      }
      if (found.isDeleteMarker) fail('MethodNotAllowed', 'A delete marker has no tags, retention or legal hold.');
      if (patch.retention !== undefined && patch.retentionCheck) checkRetentionChange(found.retention, patch.retention, patch.retentionCheck);
      const next: ObjectVersion = {
        ...found,
        tags: patch.tags ?? found.tags,
        retention: patch.retention === undefined ? found.retention : patch.retention,
        legalHold: patch.legalHold ?? found.legalHold,
      };
      await tx.db
        .updateTable('versions')
        .set({
          tags: JSON.stringify(next.tags),
          retention_mode: next.retention?.mode ?? null,
          retention_until: next.retention?.until.getTime() ?? null,
          legal_hold: flag(next.legalHold),
        })
        .where('id', '=', found.seq)
        .execute();
      return next;
    });
  }

  listObjects(bucket: string, window: KeyWindow): Promise<ObjectSummary[]> {
    return reads.listObjects(this.#readStatements, bucket, window);
  }

  listObjectsWithDetails(bucket: string, window: KeyWindow): Promise<DetailedSummary[]> {
    return reads.listObjectsWithDetails(this.#readStatements, bucket, window);
  }

  listVersions(bucket: string, window: VersionWindow): Promise<ObjectSummary[]> {
    return reads.listVersions(this.#reader, bucket, window);
  }

  // Multipart uploads

  async createUpload(upload: MultipartUpload): Promise<void> {
    assertStorableKey(upload.key);
    await this.#write(async (tx) => {
      await writes.requireBucket(tx, upload.bucket);
      await tx.db.insertInto('uploads').values(uploadRow(upload)).execute();
    });
  }

  async getUpload(uploadId: string): Promise<MultipartUpload | null> {
    const row = await this.#reader
      .selectFrom('uploads')
      .selectAll()
      .where('upload_id', '=', uploadId)
      .executeTakeFirst();
    return row === undefined ? null : toUpload(row);
  }

  listUploads(bucket: string, window: UploadWindow): Promise<MultipartUpload[]> {
    return reads.listUploads(this.#reader, bucket, window);
  }

  putPart(part: UploadedPart, options?: { requireVersions?: readonly VersionRef[] }): Promise<void> {
    return this.#write((tx) => writes.writePart(tx, part, options?.requireVersions));
  }

  listParts(uploadId: string, afterPart: number, limit: number): Promise<UploadedPart[]> {
    return reads.listParts(this.#reader, uploadId, afterPart, limit);
  }

  completeUpload(uploadId: string, version: NewObjectVersion, options: PutVersionOptions): Promise<ObjectVersion> {
    return this.#write((tx) => writes.completeUpload(tx, uploadId, version, options));
  }

  async abortUpload(uploadId: string): Promise<void> {
    await this.#write(async ({ db }) => {
      const q = db.deleteFrom('uploads').where('upload_id', '=', uploadId);
      const { numDeletedRows } = await q.executeTakeFirstOrThrow();
      if (numDeletedRows === 0n) fail('NoSuchUpload', `No upload ${uploadId}.`);
    });
  }

  // Garbage collection

  async referencedBlobs(hashes: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const unique = [...new Set(hashes)];
    for (let i = 0; i < unique.length; i += HASH_CHUNK) {
      const chunk = unique.slice(i, i + HASH_CHUNK);
      const rows = await this.#reader
        .selectFrom('version_extents')
        .select('blob')
        .where('blob', 'in', chunk)
        .union((db) => db.selectFrom('part_extents').select('blob').where('blob', 'in', chunk))
        .execute();
      for (const r of rows) found.add(r.blob);
    }
    return found;
  }

  // Encryption at rest

  listMasterKeys(): Promise<MasterKeyRecord[]> {
    return encryptionKeys.listMasterKeys(this.#reader);
  }

  registerMasterKey(key: MasterKeyRecord): Promise<MasterKeyRecord[]> {
    return this.#write((tx) => encryptionKeys.registerMasterKey(tx, key));
  }
}
