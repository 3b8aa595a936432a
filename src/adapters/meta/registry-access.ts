/**
 * @module
 * Who may do what, and the record of what was done: API tokens, EULA
 * acceptances, grants with their audit events, and declared upload slots.
 */
import type {
  ApiToken,
  AuditEvent,
  EulaAcceptance,
  GateSubject,
  Grant,
  NewAuditEvent,
  UploadSlot,
} from '../../core/registry/registry-types.ts';
import type { AuditFilter } from '../../ports/registry-store.ts';
import type { Db } from './meta-dialect.ts';
import { forUpdate } from './object-writes.ts';
import { chunks, notFound, unique } from './registry-common.ts';
import type { RegistryContext } from './registry-common.ts';
import {
  acceptanceRow,
  auditRow,
  grantRow,
  slotRow,
  toAcceptance,
  toAudit,
  toGrant,
  toSlot,
  toToken,
  tokenRow,
} from './registry-rows.ts';

// Tokens

export async function createToken(ctx: RegistryContext, token: ApiToken): Promise<void> {
  await ctx.write(({ db }) =>
    unique(ctx.dialect, 'token', `Token ${token.id} exists.`, () =>
      db.insertInto('registry_tokens').values(tokenRow(token)).execute(),
    ),
  );
}

export async function getToken(db: Db, id: string): Promise<ApiToken | null> {
  const row = await db.selectFrom('registry_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toToken(row);
}

export async function listTokens(db: Db, userId: string | null): Promise<ApiToken[]> {
  const rows = await db
    .selectFrom('registry_tokens')
    .selectAll()
    .$if(userId !== null, (q) => q.where('user_id', '=', userId ?? ''))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toToken);
}

export function revokeToken(ctx: RegistryContext, id: string, at: Date): Promise<ApiToken> {
  return ctx.write(async (tx) => {
    const q = tx.db.selectFrom('registry_tokens').selectAll().where('id', '=', id);
    const row = await forUpdate(tx.dialect, q).executeTakeFirst();
    if (row === undefined) notFound('token', `No token ${id}.`);
    const token = toToken(row);
    if (token.revokedAt !== null) return token;
    await tx.db.updateTable('registry_tokens').set({ revoked_at: at.getTime() }).where('id', '=', id).execute();
    return { ...token, revokedAt: at };
  });
}

// Gates

/** Accepting the same EULA version again keeps the first acceptance. */
export async function recordAcceptance(ctx: RegistryContext, acceptance: EulaAcceptance): Promise<void> {
  await ctx.write(async ({ db }) => {
    await db
      .insertInto('registry_acceptances')
      .values(acceptanceRow(acceptance))
      .onConflict((oc) => oc.doNothing())
      .execute();
  });
}

export async function findAcceptance(
  db: Db,
  userId: string,
  subject: GateSubject,
  eula: string,
  eulaVersion: string,
): Promise<EulaAcceptance | null> {
  const row = await db
    .selectFrom('registry_acceptances')
    .selectAll()
    .where('subject_kind', '=', subject.kind)
    .where('subject_id', '=', subject.id)
    .where('user_id', '=', userId)
    .where('eula', '=', eula)
    .where('eula_version', '=', eulaVersion)
    .executeTakeFirst();
  return row === undefined ? null : toAcceptance(row);
}

export async function listAcceptances(db: Db, subject: GateSubject | null, limit: number): Promise<EulaAcceptance[]> {
  const rows = await db
    .selectFrom('registry_acceptances')
    .selectAll()
    .$if(subject !== null, (q) =>
      q.where('subject_kind', '=', subject?.kind ?? 'model').where('subject_id', '=', subject?.id ?? ''),
    )
    .orderBy('at', 'desc')
    .orderBy('user_id')
    .orderBy('eula')
    .orderBy('eula_version')
    .limit(limit)
    .execute();
  return rows.map(toAcceptance);
}

// Grants and audit

export async function recordGrant(ctx: RegistryContext, grant: Grant, audit: NewAuditEvent): Promise<void> {
  await ctx.write(async ({ db }) => {
    await unique(ctx.dialect, 'grant', `Grant ${grant.id} exists.`, () =>
      db.insertInto('registry_grants').values(grantRow(grant)).execute(),
    );
    await db.insertInto('registry_audit').values(auditRow(audit)).execute();
  });
}

export async function getGrant(db: Db, id: string): Promise<Grant | null> {
  const row = await db.selectFrom('registry_grants').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toGrant(row);
}

export async function appendAudit(ctx: RegistryContext, event: NewAuditEvent): Promise<void> {
  await ctx.write(async ({ db }) => {
    await db.insertInto('registry_audit').values(auditRow(event)).execute();
  });
}

/** Newest first; `since` is inclusive. */
export async function listAudit(db: Db, f: AuditFilter): Promise<AuditEvent[]> {
  const rows = await db
    .selectFrom('registry_audit')
    .selectAll()
    .$if(f.action !== undefined, (q) => q.where('action', '=', f.action ?? ''))
    .$if(f.userId !== undefined, (q) => q.where('user_id', '=', f.userId ?? ''))
    .$if(f.since !== undefined, (q) => q.where('at', '>=', f.since?.getTime() ?? 0))
    .$if(f.beforeSeq !== null, (q) => q.where('seq', '<', f.beforeSeq ?? 0))
    .orderBy('seq', 'desc')
    .limit(f.limit)
    .execute();
  return rows.map(toAudit);
}

// Upload slots

/** A SESSION slot joins its session: while the session has a live slot, the new one takes its expiry. */
export async function createUploadSlot(ctx: RegistryContext, slot: UploadSlot): Promise<UploadSlot> {
  return ctx.write(async ({ db, dialect }) => {
    let stored = slot;
    if (slot.sessionId !== null) {
      // Serializes the first grants of one session on PostgreSQL (SQLite has one writer).
      await dialect.lockKey(db, 'upload-session', slot.sessionId);
      const live = await db
        .selectFrom('registry_upload_slots')
        .select('expires_at')
        .where('session_id', '=', slot.sessionId)
        .where('expires_at', '>', slot.createdAt.getTime())
        .orderBy('expires_at')
        .limit(1)
        .executeTakeFirst();
      if (live) stored = { ...slot, expiresAt: new Date(Number(live.expires_at)) };
    }
    await unique(ctx.dialect, 'file', `Upload slot ${slot.fileId} exists.`, () =>
      db.insertInto('registry_upload_slots').values(slotRow(stored)).execute(),
    );
    return stored;
  });
}

export async function getUploadSlot(db: Db, fileId: string): Promise<UploadSlot | null> {
  const row = await db.selectFrom('registry_upload_slots').selectAll().where('file_id', '=', fileId).executeTakeFirst();
  return row === undefined ? null : toSlot(row);
}

/** Expired at `now` means `expiresAt <= now`; the longest expired first. */
export async function listExpiredSessionSlots(db: Db, now: Date, limit: number): Promise<UploadSlot[]> {
  const rows = await db
    .selectFrom('registry_upload_slots')
    .selectAll()
    .where('scope', '=', 'SESSION')
    .where('expires_at', '<=', now.getTime())
    .orderBy('expires_at')
    .orderBy('file_id')
    .limit(limit)
    .execute();
  return rows.map(toSlot);
}

export async function deleteUploadSlots(ctx: RegistryContext, fileIds: readonly string[]): Promise<void> {
  if (fileIds.length === 0) return;
  await ctx.write(async ({ db }) => {
    for (const part of chunks(fileIds)) await db.deleteFrom('registry_upload_slots').where('file_id', 'in', part).execute();
  });
}
