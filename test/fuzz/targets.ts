import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { EventFragment, keccak256, toUtf8Bytes } from 'ethers'
import fc from 'fast-check'
import { checkHeader, checkLogs, checkQuantity, checkTransaction, type Checked } from '../../src/chain/answers'
import { createBlockTracker } from '../../src/chain/block-tracker'
import { createChainRpc } from '../../src/chain/failover'
import { createLogRangeReader } from '../../src/chain/get-logs'
import { BifrostError } from '../../src/errors'
import type { ServerHandle } from '../../src/http/server'
import { parseFeedRecord } from '../../src/inbound/feed-record'
import { createFeedStore } from '../../src/inbound/feed-store'
import { decodeLog, LogDecodeError, type WatchedContract } from '../../src/outbound/decode'
import { BUILT_IN_FRAGMENTS } from '../../src/outbound/families'
import { feedSettings } from '../../src/inbound/settings'
import { parseReply } from '../../src/requests/records'
import { requestSettings } from '../../src/requests/settings'
import { startBareAdapter } from '../support/bare-adapter'

/**
 * One fuzzed surface: where outside input enters Bifrost. `check` runs one input and throws when a property fails:
 * it never throws on its own, and a rejected input always gets a code and a reason.
 */
export interface FuzzTarget<T = unknown> {
  name: string
  arbitrary: fc.Arbitrary<T>
  check(input: T): void | Promise<void>
  /** What one input may take at most (reported by `npm run fuzz`, never asserted in `npm test`) */
  budgetMs: number
  /** Real servers the target talks to, started once per run */
  start?(): Promise<void>
  stop?(): Promise<void>
}

const target = <T>(t: FuzzTarget<T>): FuzzTarget => t as FuzzTarget

/** Nesting far beyond what any recursive step survives: the shape that stalled consumers before */
const deep = fc.integer({ min: 1, max: 12_000 }).map((n) => `${'['.repeat(n)}1${']'.repeat(n)}`)
const jsonText = fc.oneof(
  fc.json({ depthSize: 'medium' }),
  fc.string(),
  deep,
  deep.map((d) => `{"value":${d}}`),
  deep.map((d) => `{"result":${d}}`),
  fc.jsonValue().map((v) => JSON.stringify({ value: v, timestamp: v, source: v })),
  fc
    .record({ value: fc.oneof(fc.double(), fc.string()), timestamp: fc.oneof(fc.double(), fc.nat()) })
    .map((v) => JSON.stringify(v)),
)
const buffer = (text: fc.Arbitrary<string>) =>
  fc.oneof(
    text.map((t) => Buffer.from(t)),
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  )

const hasCodeAndReason = (result: { code?: unknown; reason?: unknown }) => {
  assert.equal(typeof result.code, 'string')
  assert.ok((result.code as string).length > 0, 'empty code')
  assert.equal(typeof result.reason, 'string')
  assert.ok((result.reason as string).length > 0, 'empty reason')
}

/** The limits Bifrost runs with by default */
const FEED_LIMITS = feedSettings.parse({})
const REPLY_LIMITS = requestSettings.parse({})

const feedRecord = target({
  name: 'feed record parsing',
  budgetMs: 50,
  arbitrary: fc.record({
    key: fc.option(buffer(fc.string()), { nil: null }),
    value: fc.option(buffer(jsonText), { nil: null }),
    timestamp: fc.oneof(fc.nat().map(String), fc.string()),
  }),
  check: (record) => {
    const parsed = parseFeedRecord(record, FEED_LIMITS)
    if (!parsed.ok) hasCodeAndReason(parsed)
    else assert.ok(parsed.kind === 'update' || parsed.kind === 'tombstone')
  },
})

const reply = target({
  name: 'reply parsing',
  budgetMs: 50,
  arbitrary: fc.tuple(fc.option(buffer(fc.string()), { nil: null }), fc.option(buffer(jsonText), { nil: null })),
  check: ([key, value]) => {
    const parsed = parseReply(key, value, REPLY_LIMITS)
    if (!parsed.ok) hasCodeAndReason(parsed)
    else assert.ok(parsed.correlationId.length > 0 && ('result' in parsed.outcome || 'error' in parsed.outcome))
  },
})

/** A bridge body field as JSON text (absent when undefined); built as text, as deep values overflow JSON.stringify */
const fieldText = fc.option(fc.oneof(fc.json(), deep), { nil: undefined })
const objectText = (fields: Record<string, fc.Arbitrary<string | undefined>>) =>
  fc.record(fields).map(
    (o) =>
      `{${Object.entries(o)
        .flatMap(([k, v]) => (v === undefined ? [] : [`${JSON.stringify(k)}:${v}`]))
        .join(',')}}`,
  )
const bridgeBody = fc.oneof(
  objectText({
    id: fc.oneof(fc.constant('"run-1"'), fieldText),
    data: fc.option(
      objectText({
        endpoint: fc.oneof(fc.constantFrom('"feed"', '"request"', '"nope"', '""'), fieldText),
        feed: fc.oneof(fc.constant('"ETH/USD"'), fieldText),
        base: fieldText,
        from: fieldText,
        quote: fieldText,
        maxAgeSeconds: fc.oneof(fc.constantFrom('60', '1e309', '-1', '0'), fieldText),
        minSources: fieldText,
        aggregate: fc.oneof(fc.constantFrom('"median"', '"mean"', '"min"'), fieldText),
        type: fc.oneof(fc.constant('"shipment-status"'), fieldText),
        params: fieldText,
      }),
      { nil: undefined },
    ),
    meta: fieldText,
    responseURL: fc.oneof(
      fc.constant('"http://127.0.0.1:6688/v2/resume/x"'),
      fc.webUrl().map((u) => JSON.stringify(u)),
      fieldText,
    ),
  }),
  jsonText,
)

let adapter: ServerHandle | undefined
const bridge = target({
  name: 'bridge body of every endpoint',
  budgetMs: 250,
  arbitrary: bridgeBody,
  start: async () => {
    const store = createFeedStore()
    store.apply({ feed: 'ETH/USD', source: 'a', value: 3000.5, timestamp: Date.now() })
    adapter = await startBareAdapter(store)
  },
  stop: async () => {
    await adapter?.close()
    adapter = undefined
  },
  check: async (body) => {
    const res = await fetch((adapter as ServerHandle).url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    const text = await res.text()
    // 503: the request part is off here (a body that passed validation); never a 500
    assert.ok(
      [200, 400, 404, 413, 415, 422, 502, 503, 504].includes(res.status),
      `HTTP ${res.status}: ${text.slice(0, 300)}`,
    )
    if (res.status >= 400) {
      // The framework answers its own refusals (an empty or unparsable body) in plain text: the status is the code
      let answer: { error?: { name?: string; message?: string }; message?: string; code?: string } = {}
      try {
        answer = JSON.parse(text) as typeof answer
      } catch {
        answer = { code: `HTTP ${res.status}`, message: text }
      }
      hasCodeAndReason({ code: answer.error?.name ?? answer.code, reason: answer.error?.message ?? answer.message })
    }
  },
})

/** Every watched signature: the built-in families' events and custom ones with every ABI shape */
const CUSTOM = [
  'event Everything(uint8 indexed a, int256 indexed b, string s, bytes d, uint256[] xs, (address who, bytes32 tag)[] ts, bool f, bytes4 sel)',
  'event Nested(string indexed label, uint256[2][] grid, string[] names)',
]
const ADDRESS = '0x00000000000000000000000000000000000000aa'
const WATCHED: Array<{ contracts: WatchedContract[]; fragment: EventFragment }> = [
  ...Object.entries(BUILT_IN_FRAGMENTS).flatMap(([kind, fragments]) =>
    (fragments as readonly string[]).map((text) => ({
      contracts: [{ address: ADDRESS, kind } as WatchedContract],
      fragment: EventFragment.from(text),
    })),
  ),
  ...CUSTOM.map((text) => ({
    contracts: [{ address: ADDRESS, kind: 'custom', abi: CUSTOM } as WatchedContract],
    fragment: EventFragment.from(text),
  })),
]
const word = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }).map((n) => n.toString(16).padStart(64, '0')),
  fc.nat(4096).map((n) => n.toString(16).padStart(64, '0')),
  fc.constant('f'.repeat(64)),
)
const hexData = fc.oneof(
  fc.array(word, { maxLength: 40 }).map((w) => `0x${w.join('')}`),
  fc.uint8Array({ maxLength: 300 }).map((b) => `0x${Buffer.from(b).toString('hex')}`),
  fc.string(),
)
const decoder = target({
  name: 'event decoder, every watched signature',
  budgetMs: 50,
  arbitrary: fc.record({
    which: fc.nat(WATCHED.length - 1),
    topics: fc.array(
      fc.oneof(
        word.map((w) => `0x${w}`),
        fc.string(),
      ),
      { maxLength: 5 },
    ),
    data: hexData,
  }),
  check: ({ which, topics, data }) => {
    const { contracts, fragment } = WATCHED[which]
    const log = {
      address: ADDRESS,
      topics: [fragment.topicHash, ...topics],
      data,
      transactionHash: keccak256(toUtf8Bytes(data)),
      logIndex: '0x0',
    }
    try {
      const decoded = decodeLog(log, contracts, 1)
      assert.ok(decoded, 'a watched signature of the watched address was not decoded')
      assert.equal(typeof decoded.key, 'string')
      JSON.stringify(decoded)
    } catch (err) {
      // The pipeline dead-letters this with the error's message as the reason
      assert.ok(err instanceof LogDecodeError, `${(err as Error).name}: ${(err as Error).message}`)
      hasCodeAndReason({ code: err.name, reason: err.message })
    }
  },
})

const answerChecks = target({
  name: 'JSON-RPC answer checks',
  budgetMs: 50,
  arbitrary: fc.oneof(fc.jsonValue(), fc.anything()),
  check: (raw) => {
    for (const check of [checkQuantity, checkHeader, checkLogs, checkTransaction] as Array<
      (r: unknown) => Checked<unknown>
    >) {
      const result = check(raw)
      if (!result.ok) hasCodeAndReason(result)
    }
  },
})

const hex = (n: number) => `0x${n.toString(16)}`
const hash = fc.oneof(
  word.map((w) => `0x${w}`),
  fc.constantFrom('0x', 'latest', ''),
  fc.jsonValue(),
)
const quantity = fc.oneof(
  fc.nat(50).map(hex),
  fc.constantFrom('latest', '0x', '0xzz', '-0x1', '0x1fffffffffffffffff'),
  fc.jsonValue(),
)
const block = fc.oneof(
  fc.constant(null),
  fc.record({ number: quantity, hash, parentHash: hash }, { requiredKeys: [] }),
  fc.jsonValue(),
)
const log = fc.oneof(
  fc.record(
    {
      address: fc.oneof(fc.constant(ADDRESS), fc.jsonValue()),
      topics: fc.oneof(fc.array(hash, { maxLength: 5 }), fc.jsonValue()),
      data: fc.oneof(hexData, fc.jsonValue()),
      blockNumber: quantity,
      blockHash: hash,
      transactionHash: hash,
      transactionIndex: quantity,
      logIndex: quantity,
      removed: fc.oneof(fc.boolean(), fc.jsonValue()),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
)
/** What the fuzzed endpoint answers, by method; eth_chainId is always right, so the endpoint is used */
interface Answers {
  head: unknown
  blocks: unknown[]
  logs: unknown
}
let answers: Answers = { head: '0x0', blocks: [], logs: [] }
let rpcServer: Server | undefined
let rpcUrl = ''
const CHAIN_ID = 4242
const rpcAnswers = target({
  name: 'JSON-RPC answers the block tracker and eth_getLogs consume',
  budgetMs: 250,
  arbitrary: fc.record({
    head: fc.oneof(quantity, fc.nat(50).map(hex)),
    blocks: fc.array(block, { maxLength: 60 }),
    logs: fc.oneof(fc.array(log, { maxLength: 20 }), fc.jsonValue()),
  }),
  start: async () => {
    // A real HTTP JSON-RPC endpoint answering with the current input: stands in for a misbehaving provider.
    rpcServer = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString()))
      req.on('end', () => {
        const calls = JSON.parse(body) as
          { id: number; method: string; params: unknown[] } | Array<{ id: number; method: string; params: unknown[] }>
        const one = (call: { id: number; method: string; params: unknown[] }, i: number) => {
          const result =
            call.method === 'eth_chainId'
              ? hex(CHAIN_ID)
              : call.method === 'eth_blockNumber'
                ? answers.head
                : call.method === 'eth_getBlockByNumber'
                  ? (answers.blocks[i % Math.max(1, answers.blocks.length)] ?? null)
                  : call.method === 'eth_getLogs'
                    ? answers.logs
                    : null
          return { jsonrpc: '2.0', id: call.id, result }
        }
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(Array.isArray(calls) ? calls.map(one) : one(calls, 0)))
      })
    })
    await new Promise<void>((resolve) => (rpcServer as Server).listen(0, '127.0.0.1', resolve))
    const address = rpcServer.address()
    rpcUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  },
  stop: async () => {
    rpcServer?.closeAllConnections()
    await new Promise<void>((resolve) => (rpcServer ? rpcServer.close(() => resolve()) : resolve()))
  },
  check: async (input) => {
    answers = input
    const rpc = createChainRpc([rpcUrl], { chainId: CHAIN_ID, timeoutMs: 5000, maxLagBlocks: 3, chainName: 'fuzz' })
    const tracker = createBlockTracker(rpc, { depth: 8 })
    const settled = async (work: () => Promise<void>) => {
      try {
        await work()
      } catch (err) {
        // A refused answer is a BifrostError with a name and a message (never a TypeError, never a NaN head)
        assert.ok(err instanceof BifrostError, `${(err as Error).name}: ${(err as Error).message}`)
        hasCodeAndReason({ code: err.name, reason: err.message })
      }
    }
    await settled(async () => {
      await tracker.update()
      assert.ok(Number.isSafeInteger(tracker.head?.number), `head ${tracker.head?.number}`)
      assert.ok(Number.isSafeInteger(rpc.bestHead), `best head ${rpc.bestHead}`)
    })
    await settled(async () => {
      const reader = createLogRangeReader(rpc, { address: [ADDRESS], topics: [[]] }, { maxBlocks: 10, targetLogs: 100 })
      const { logs, to } = await reader.read(0, 5)
      assert.ok(Number.isSafeInteger(to))
      assert.ok(checkLogs(logs).ok, 'the reader returned a log that does not pass the checks')
    })
  },
})

export const TARGETS: FuzzTarget[] = [feedRecord, reply, bridge, decoder, answerChecks, rpcAnswers]
