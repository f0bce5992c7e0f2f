import { aggregator, type AggregatorFields } from './aggregator'
import type { CcipFields } from './ccip'
import { ccipOffRamp } from './ccip-offramp'
import { ccipOnRamp } from './ccip-onramp'
import { client, type ClientFields } from './client'
import { custom } from './custom'
import { dataFeedsCache, type DataFeedsCacheFields } from './data-feeds-cache'
import type { ContractFamily } from './family'
import { forwarder, type ForwarderFields } from './forwarder'
import { operator, type OperatorFields } from './operator'
import { verifier, type VerifierFields } from './verifier'

/**
 * Every contract family Bifrost knows, in the order the configuration reference
 * lists them. A new family is a module in this folder and a line here (and its
 * fields type below); settings, decoding, enrichment and messages follow.
 */
export const FAMILIES = [
  operator,
  client,
  aggregator,
  forwarder,
  dataFeedsCache,
  verifier,
  ccipOnRamp,
  ccipOffRamp,
  custom,
] as const satisfies ReadonlyArray<ContractFamily & { kind: ContractKind }>

/**
 * Every family's `kind`: public contract (settings, messages). Spelled out rather
 * than derived from FAMILIES, whose types refer back to it; the check below keeps
 * the two the same.
 */
export type ContractKind =
  | 'operator'
  | 'client'
  | 'aggregator'
  | 'forwarder'
  | 'data-feeds-cache'
  | 'verifier'
  | 'ccip-onramp'
  | 'ccip-offramp'
  | 'custom'
const everyKindHasAFamily: [Exclude<ContractKind, (typeof FAMILIES)[number]['kind']>] extends [never] ? true : never =
  true
void everyKindHasAFamily

/** The `kind` values, for the settings enum */
export const KINDS = FAMILIES.map((f) => f.kind) as [ContractKind, ...ContractKind[]]

/** The top-level message fields the families add to an event, all optional */
export type FamilyFields = OperatorFields &
  ClientFields &
  AggregatorFields &
  ForwarderFields &
  DataFeedsCacheFields &
  VerifierFields &
  CcipFields

const byKind = new Map<string, ContractFamily>(FAMILIES.map((f) => [f.kind, f]))

export const familyOf = (kind: string): ContractFamily | undefined => byKind.get(kind)

type BuiltIn = Extract<(typeof FAMILIES)[number], { fragments: readonly string[] }>

/** The built-in event fragments of each family that has them, by kind */
export const BUILT_IN_FRAGMENTS = Object.fromEntries(
  FAMILIES.flatMap((f: ContractFamily) => (f.fragments ? [[f.kind, f.fragments]] : [])),
) as { [F in BuiltIn as F['kind']]: F['fragments'] }

export type { ContractFamily, EnricherOptions, EventLocation, FamilyEnricher, TransactionLike } from './family'
