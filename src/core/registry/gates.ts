/**
 * @module
 * EULA gates. A gated model or hub content gives no download grant until the
 * caller has accepted exactly its current EULA version, either once
 * (recorded: later requests need nothing more) or with the request itself
 * (SageMaker's AcceptEula: good for that request only, as on AWS). Every
 * acceptance, of either kind, is written to the audit log. A ModelReference is
 * gated by the content it references: accepting either counts for both.
 */
import { fail } from '../errors.ts';
import type { MetaStore } from '../../ports/meta-store.ts';
import type { GateTarget, GatesService } from './registry-api.ts';
import type { EulaAcceptance, Gate, GateSubject, HubContent, Model, RegistryPrincipal } from './registry-types.ts';
import { parseHubContentArn } from './hub-content-arn.ts';
import { pageLimit } from './pages.ts';
import { requireScope } from './scopes.ts';

/** What must be accepted, and on what the acceptance is recorded. */
export interface GateCheck {
  readonly subject: GateSubject;
  readonly gate: Gate;
}

export interface GatesDeps {
  readonly meta: MetaStore;
  readonly clock: () => Date;
}

export function subjectText(subject: GateSubject): string {
  return `${subject.kind}:${subject.id}`;
}

export class Gates implements GatesService {
  readonly #meta: MetaStore;
  readonly #clock: () => Date;

  constructor(deps: GatesDeps) {
    this.#meta = deps.meta;
    this.#clock = deps.clock;
  }

  async accept(who: RegistryPrincipal, target: GateTarget): Promise<EulaAcceptance> {
    requireScope(who, 'read');
    const check = await this.#targetGate(target);
    if (!check.gated) fail('InvalidRequest', 'this model is not gated: there is no EULA to accept');
    return this.#record(who, check.gated, 'accept');
  }

  async listAcceptances(who: RegistryPrincipal, target: GateTarget | null, limit?: number): Promise<EulaAcceptance[]> {
    requireScope(who, 'admin');
    const subject = target === null ? null : (await this.#targetGate(target)).subject;
    return this.#meta.registry.listAcceptances(subject, pageLimit(limit));
  }

  /**
   * EulaNotAccepted unless the gate is open for `who`: not gated, accepted
   * before (this exact EULA version), or accepted with this request
   * (`acceptNow`: audited, not kept as a standing acceptance).
   */
  async checkGate(who: RegistryPrincipal, check: GateCheck | null, acceptNow: boolean): Promise<void> {
    if (!check) return;
    const { subject, gate } = check;
    if (await this.#meta.registry.findAcceptance(who.userId, subject, gate.eula, gate.version)) return;
    if (!acceptNow) fail('EulaNotAccepted', 'this model is gated: accept its EULA first', { Eula: gate.eula, EulaVersion: gate.version });
    await this.#record(who, check, 'request');
  }

  modelGate(model: Model): GateCheck | null {
    return model.gate ? { subject: { kind: 'model', id: model.id }, gate: model.gate } : null;
  }

  /** A content's own EULA (version = the content version); a reference's is its source's while that exists. */
  async contentGate(content: HubContent): Promise<GateCheck | null> {
    const source = content.type === 'ModelReference' && content.referenceArn ? await this.#source(content.referenceArn) : null;
    const holder = source ?? content;
    return holder.eulaUri ? { subject: { kind: 'hub-content', id: holder.id }, gate: { eula: holder.eulaUri, version: holder.version } } : null;
  }

  async #source(arn: string): Promise<HubContent | null> {
    const a = parseHubContentArn(arn);
    return this.#meta.registry.getHubContent(a.hubName, a.type, a.name, a.version);
  }

  async #targetGate(target: GateTarget): Promise<{ subject: GateSubject; gated: GateCheck | null }> {
    if (target.kind === 'model') {
      const model = await this.#meta.registry.getModel(target.model);
      if (!model) fail('ResourceNotFound', 'No such model.', { Resource: 'model' });
      return { subject: { kind: 'model', id: model.id }, gated: this.modelGate(model) };
    }
    const content = await this.#meta.registry.getHubContent(target.hubName, target.type, target.name, target.version ?? null);
    if (!content) fail('ResourceNotFound', `No ${target.type} "${target.name}" in hub "${target.hubName}".`, { Resource: 'hub-content' });
    const gated = await this.contentGate(content);
    return { subject: gated?.subject ?? { kind: 'hub-content', id: content.id }, gated };
  }

  async #record(who: RegistryPrincipal, check: GateCheck, how: 'accept' | 'request'): Promise<EulaAcceptance> {
    const acceptance: EulaAcceptance = {
      userId: who.userId,
      userName: who.userName,
      subject: check.subject,
      eula: check.gate.eula,
      eulaVersion: check.gate.version,
      at: this.#clock(),
    };
    if (how === 'accept') await this.#meta.registry.recordAcceptance(acceptance);
    await this.#meta.registry.appendAudit({
      at: acceptance.at,
      userId: who.userId,
      userName: who.userName,
      action: 'eula.accept',
      subject: subjectText(check.subject),
      detail: { eula: check.gate.eula, eulaVersion: check.gate.version, how, tokenId: who.tokenId },
    });
    return acceptance;
  }
}
