import { EventFragment } from 'ethers'
import { z } from 'zod'
import { MAX_TIMER_MS } from '../config/timer'
import { topicName } from '../kafka/settings'
import { FAMILIES, familyOf, KINDS, type ContractFamily } from './families'

const DEFAULT_CONFIRMATIONS = 3

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte hex address')

const eventNames = (fragments: readonly string[]) => fragments.map((text) => EventFragment.from(text).name).join(', ')

/** Each family's own contract settings: setting name -> the kinds that have it */
const FAMILY_SETTINGS = new Map<string, string[]>()
for (const family of FAMILIES as readonly ContractFamily[]) {
  for (const name of Object.keys(family.settings ?? {}))
    FAMILY_SETTINGS.set(name, [...(FAMILY_SETTINGS.get(name) ?? []), family.kind])
}

/** Families whose events come from the contract's `abi` setting */
const ABI_KINDS = (FAMILIES as readonly ContractFamily[]).filter((f) => !f.fragments).map((f) => f.kind)

const contractSettings = z
  .object({
    address: address.meta({ description: 'Address of the watched contract.' }),
    kind: z.enum(KINDS).meta({
      description: `${(FAMILIES as readonly ContractFamily[])
        .map((f) => `${f.kind}: ${f.fragments ? eventNames(f.fragments) : f.watches}`)
        .join('; ')}.`,
    }),
    ...Object.fromEntries(
      (FAMILIES as readonly ContractFamily[]).flatMap((f) =>
        Object.entries(f.settings ?? {}).map(([name, schema]) => [name, schema.optional()]),
      ),
    ),
    abi: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .meta({
        description: `Human-readable event fragments, e.g. "event Foo(uint256 indexed a, bytes b)"; required for kind ${ABI_KINDS.join(', ')}.`,
      }),
  })
  .strict()
  .superRefine((contract, ctx) => {
    for (const [name, kinds] of FAMILY_SETTINGS) {
      if ((contract as Record<string, unknown>)[name] !== undefined && !kinds.includes(contract.kind)) {
        ctx.addIssue({ code: 'custom', path: [name], message: `only for kind ${kinds.join(', ')}` })
      }
    }
    if (familyOf(contract.kind)?.fragments) {
      if (contract.abi) {
        ctx.addIssue({
          code: 'custom',
          path: ['abi'],
          message: `only for kind ${ABI_KINDS.join(', ')}: the ${contract.kind} events are built in`,
        })
      }
      return
    }
    if (!contract.abi) {
      ctx.addIssue({
        code: 'custom',
        path: ['abi'],
        message: `required for kind ${contract.kind}: the event fragments, e.g. ["event Foo(uint256 indexed a, bytes b)"]`,
      })
      return
    }
    contract.abi.forEach((fragment, i) => {
      try {
        EventFragment.from(fragment)
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          path: ['abi', i],
          message: `not a human-readable event fragment: ${(err as Error).message}`,
        })
      }
    })
  })

const chainSettings = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1-64 letters, digits, dots, dashes or underscores')
      .meta({ description: 'Unique name of the chain; keys its checkpoint and its leader election.' }),
    chainId: z
      .number()
      .int()
      .positive()
      .meta({ description: 'EIP-155 chain id; checked against every RPC endpoint at start.' }),
    rpcUrls: z
      .array(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }))
      .min(1)
      .meta({
        description: 'JSON-RPC endpoints; with several, a dead or lagging one is skipped (first is preferred).',
      }),
    confirmations: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({
        description: `Descendant blocks an event's block needs before it is published (default ${DEFAULT_CONFIRMATIONS}); not with finality.`,
      }),
    finality: z
      .enum(['finalized', 'safe'])
      .optional()
      .meta({ description: 'Publish events at or below this block tag instead of counting confirmations.' }),
    fromBlock: z
      .number()
      .int()
      .min(0)
      .default(0)
      .meta({ description: 'First block scanned when the chain has no checkpoint yet.' }),
    contracts: z.array(contractSettings).min(1).meta({ description: 'The watched contracts.' }),
    pollIntervalMs: z
      .number()
      .int()
      .positive()
      .max(MAX_TIMER_MS)
      .default(1000)
      .meta({ description: 'How often new heads are polled.' }),
    maxReorgDepth: z.number().int().positive().default(128).meta({
      description:
        'Deepest reorg handled: blocks this far below the head are final; published events above it can still be retracted.',
    }),
    getLogsMaxBlocks: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .meta({ description: 'Largest block range of one eth_getLogs during backfill (the range halves when refused).' }),
    getLogsTargetLogs: z.number().int().positive().default(5_000).meta({
      description: 'Backfill ranges shrink or grow to return about this many logs: bounds memory per request.',
    }),
    rpcTimeoutMs: z
      .number()
      .int()
      .positive()
      .max(MAX_TIMER_MS)
      .default(10_000)
      .meta({ description: 'Timeout of one JSON-RPC request.' }),
    maxLagBlocks: z
      .number()
      .int()
      .min(0)
      .default(3)
      .meta({ description: 'An endpoint whose head is further behind the best endpoint is skipped.' }),
  })
  .strict()
  .superRefine((chain, ctx) => {
    if (chain.finality && chain.confirmations !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['finality'], message: 'set either confirmations or finality, not both' })
    }
    const confirmations = chain.confirmations ?? DEFAULT_CONFIRMATIONS
    if (!chain.finality && chain.maxReorgDepth <= confirmations) {
      ctx.addIssue({ code: 'custom', path: ['maxReorgDepth'], message: `must exceed confirmations (${confirmations})` })
    }
  })

export const eventSettings = z
  .object({
    topic: topicName.default('bifrost.oracle.events').meta({
      description: 'Topic the confirmed (and retracted) oracle events are published to.',
      env: 'EVENTS_TOPIC',
    }),
    checkpointTopic: topicName.default('bifrost.oracle.events.checkpoints').meta({
      description:
        'Single-partition compacted topic holding each chain’s checkpoint; its consumer groups elect one publisher per chain.',
      env: 'EVENTS_CHECKPOINT_TOPIC',
    }),
    deadLetterTopic: topicName.default('bifrost.oracle.events.dlq').meta({
      description: 'Where a watched log that does not decode with its ABI goes, with the reason in headers.',
      env: 'EVENTS_DEAD_LETTER_TOPIC',
    }),
    chains: z.array(chainSettings).default([]).meta({
      description: 'Chains to watch (JSON in the environment); none disables chain -> Kafka.',
      env: 'EVENTS_CHAINS',
    }),
    checkpointIntervalMs: z
      .number()
      .int()
      .min(0)
      .default(1000)
      .meta({ description: 'Least time between two checkpoints of a chain.', env: 'EVENTS_CHECKPOINT_INTERVAL_MS' }),
    ccip: z
      .object({
        chainSelectors: z
          .record(
            z.string().regex(/^[0-9]+$/, 'expected an EVM chain id'),
            z
              .object({
                selector: z.string().regex(/^[0-9]{1,20}$/, 'expected a CCIP chain selector: a decimal uint64'),
                name: z.string().min(1),
              })
              .strict(),
          )
          .default({})
          .meta({
            description:
              'CCIP chain selectors by EVM chain id, added to or replacing entries of the built-in table (CCIP\'s ccip-evm-chain-selectors.yml): {"<chainId>": {"selector": "<uint64>", "name": "<name>"}}; JSON in the environment.',
            env: 'EVENTS_CCIP_CHAIN_SELECTORS',
          }),
        stateTopic: topicName.default('bifrost.ccip.messages').meta({
          description:
            "Compacted topic keyed by CCIP message id holding each message's send until its execution succeeds; executions read it to carry their send and latencySeconds (docs/oracle-events.md).",
          env: 'EVENTS_CCIP_STATE_TOPIC',
        }),
        stateWaitMs: z.number().int().min(0).max(MAX_TIMER_MS).default(2000).meta({
          description:
            'Longest a chain waits for the CCIP state reader to reach the end of events.ccip.stateTopic before publishing CCIP events (at most half of leaderSessionTimeoutMs); past it an execution whose send is not read yet carries send: null.',
          env: 'EVENTS_CCIP_STATE_WAIT_MS',
        }),
      })
      .prefault({}),
    maxFieldBytes: z.number().int().min(64).default(16_384).meta({
      description:
        'Longest bytes or string value published whole in an event message; a longer one is replaced by {"keccak256", "length"} and the message marked "truncated": true.',
      env: 'EVENTS_MAX_FIELD_BYTES',
    }),
    maxMessageBytes: z.number().int().min(1024).default(900_000).meta({
      description:
        "Largest event message sent (keep it under the events topic's max.message.bytes); an event still larger once bounded is dead-lettered as too-large.",
      env: 'EVENTS_MAX_MESSAGE_BYTES',
    }),
    leaderSessionTimeoutMs: z.number().int().positive().max(MAX_TIMER_MS).default(10_000).meta({
      description:
        'Kafka session timeout of the per-chain leader election: how soon a standby takes over from a dead publisher.',
      env: 'EVENTS_LEADER_SESSION_TIMEOUT_MS',
    }),
    transactions: z.enum(['on', 'off']).default('on').meta({
      description:
        'on: each chain publishes through a transactional producer (events and the checkpoint covering them commit together; a deposed publisher is fenced, docs/outbound.md). off: idempotent sends only, for brokers without transaction isolation (the test broker, which `bifrost dev` runs with off).',
      env: 'EVENTS_TRANSACTIONS',
    }),
  })
  .prefault({})
  .superRefine((events, ctx) => {
    if (events.maxFieldBytes >= events.maxMessageBytes) {
      ctx.addIssue({ code: 'custom', path: ['maxFieldBytes'], message: 'must be less than maxMessageBytes' })
    }
    const seen = { name: new Map<string, number>(), chainId: new Map<number, number>() }
    events.chains.forEach((chain, i) => {
      for (const field of ['name', 'chainId'] as const) {
        const map = seen[field] as Map<string | number, number>
        const first = map.get(chain[field])
        if (first !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['chains', i, field], message: `duplicate of chains.${first}.${field}` })
        } else map.set(chain[field], i)
      }
    })
  })

export type EventSettings = z.infer<typeof eventSettings>
export type ChainSettings = EventSettings['chains'][number]
export type ContractSettings = ChainSettings['contracts'][number]

/** How a chain decides that a block is safe to publish. */
export type Finality = { confirmations: number } | { tag: 'finalized' | 'safe' }

export const finalityOf = (chain: ChainSettings): Finality =>
  chain.finality ? { tag: chain.finality } : { confirmations: chain.confirmations ?? DEFAULT_CONFIRMATIONS }
