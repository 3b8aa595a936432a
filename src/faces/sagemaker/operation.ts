/**
 * @module
 * What every SageMaker operation handler receives, and how handlers are listed.
 */
import type { Registry } from '../../core/registry/registry-api.ts';
import type { RegistryPrincipal } from '../../core/registry/registry-types.ts';
import type { Arns } from './arns.ts';
import type { Input } from './sagemaker-codec.ts';
import type { OperationFamily } from './sagemaker-errors.ts';

export interface OperationContext {
  readonly registry: Registry;
  readonly who: RegistryPrincipal;
  readonly arns: Arns;
  /** Scheme, host and port for minted URLs. */
  readonly baseUrl: string;
}

export interface Operation {
  readonly family: OperationFamily;
  /** Reads its members from `input` (calling `input.done()`), calls the core, returns the output structure. */
  run(ctx: OperationContext, input: Input): Promise<Record<string, unknown>>;
}

export type OperationTable = Readonly<Record<string, Operation>>;


/** The members that are set: the core reads an absent member as "unchanged" or "default". */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
