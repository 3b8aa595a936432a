/**
 * @module
 * Hub content ARNs as SageMaker writes them:
 * `arn:aws:sagemaker:<region>:<account>:hub-content/<hub>/<type>/<name>[/<version>]`.
 */
import { fail } from '../errors.ts';
import { HUB_CONTENT_TYPES } from './registry-types.ts';
import type { HubContentType } from './registry-types.ts';

export interface HubContentArn {
  readonly region: string;
  readonly accountId: string;
  readonly hubName: string;
  readonly type: HubContentType;
  readonly name: string;
  /** null: the ARN names the content, not one version. */
  readonly version: string | null;
}

const ARN = /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):(\d{12}):hub-content\/([^/]+)\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/;

/** InvalidArgument unless `arn` is a hub content ARN. */
export function parseHubContentArn(arn: string): HubContentArn {
  const m = typeof arn === 'string' ? ARN.exec(arn) : null;
  const type = m?.[4] as HubContentType | undefined;
  if (!m || !type || !HUB_CONTENT_TYPES.includes(type)) fail('InvalidArgument', `"${String(arn)}" is not a hub content ARN`);
  return { region: m[1]!, accountId: m[2]!, hubName: m[3]!, type, name: m[5]!, version: m[6] ?? null };
}

export function formatHubContentArn(a: Omit<HubContentArn, 'version'> & { readonly version?: string | null }): string {
  const tail = a.version ? `/${a.version}` : '';
  return `arn:aws:sagemaker:${a.region}:${a.accountId}:hub-content/${a.hubName}/${a.type}/${a.name}${tail}`;
}
