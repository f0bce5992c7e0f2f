import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/**
 * A real HTTP JSON-RPC endpoint in front of anvil that behaves like the
 * providers Bifrost meets in production, none of which can run here:
 * - a stand-in for a hosted provider that refuses big eth_getLogs queries with
 *   the errors they really send (Infura/geth "query returned more than N
 *   results", QuickNode-style "limited to a N block range");
 * - a stand-in for a node that lags `lag` blocks behind the chain (it has not
 *   imported the newest blocks yet);
 * - a stand-in for a node whose logs lack `blockTimestamp` (nodes before the
 *   field joined the JSON-RPC spec in 2024);
 * - a dead endpoint (connections reset) or a hanging one (never answers);
 * - the ways a live provider misbehaves (`fault`): rate limits (HTTP 429 with a
 *   JSON-RPC error, as Infura and Alchemy send them), "header not found" for
 *   blocks its head claims, a non-hex head, a plain HTTP 500, a pruned
 *   transaction index (null for every transaction), and eth_getLogs answers
 *   padded with duplicates, logs of other blocks, or logs of another block hash.
 */
export interface RpcProxy {
  url: string
  /** JSON-RPC calls received, by method (batch members counted one by one) */
  calls: Map<string, number>
  /** eth_getLogs block ranges answered, with how many logs each held */
  servedRanges: Array<{ blocks: number; logs: number }>
  /** eth_getLogs block ranges refused */
  refusedRanges: number[]
  /** eth_getLogs answered with more logs than this is refused, as Infura/geth do */
  maxResults?: number
  /** eth_getLogs over more blocks than this is refused, as QuickNode and BSC nodes do */
  maxRange?: number
  /** Pretend to be this many blocks behind the real chain */
  lag: number
  /** Drop `blockTimestamp` from every log served */
  logsWithoutTimestamps?: boolean
  mode: 'up' | 'dead' | 'hanging'
  fault?: RpcFault
  /** HTTP requests received while hanging, left unanswered */
  held: number
  close(): Promise<void>
}

export type RpcFault =
  | 'rate-limited'
  | 'header-not-found'
  | 'malformed-head'
  | 'http-500'
  | 'pruned-transactions'
  | 'duplicate-logs'
  | 'out-of-range-logs'
  | 'wrong-block-logs'

interface Call {
  jsonrpc: '2.0'
  id: number
  method: string
  params: unknown[]
}

type Answer = { jsonrpc: '2.0'; id: number; result?: unknown; error?: { code: number; message: string } }

const hex = (n: number) => `0x${n.toString(16)}`
const num = (q: unknown): number | undefined =>
  typeof q === 'string' && q.startsWith('0x') ? Number.parseInt(q, 16) : undefined

export const startRpcProxy = async (target: string): Promise<RpcProxy> => {
  const forward = async (call: Call): Promise<Answer> => {
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(call),
    })
    return (await res.json()) as Answer
  }
  const realHead = async (): Promise<number> =>
    num((await forward({ jsonrpc: '2.0', id: 0, method: 'eth_blockNumber', params: [] })).result) as number

  const proxy: RpcProxy = {
    url: '',
    calls: new Map(),
    servedRanges: [],
    refusedRanges: [],
    lag: 0,
    mode: 'up',
    held: 0,
    close: async () => undefined,
  }

  const refuse = (call: Call, message: string, code = -32005): Answer => ({
    jsonrpc: '2.0',
    id: call.id,
    error: { code, message },
  })

  /** What a log answer becomes under a log fault: padded with logs that were not asked for */
  const padLogs = (logs: Array<Record<string, string>>): unknown[] => {
    if (logs.length === 0) return logs
    const first = logs[0]
    if (proxy.fault === 'duplicate-logs') return [...logs, ...logs]
    if (proxy.fault === 'out-of-range-logs')
      return [...logs, { ...first, blockNumber: hex(num(first.blockNumber)! + 1_000_000) }]
    if (proxy.fault === 'wrong-block-logs') return [...logs, { ...first, blockHash: `0x${'ab'.repeat(32)}` }]
    return logs
  }

  const answer = async (call: Call): Promise<Answer> => {
    proxy.calls.set(call.method, (proxy.calls.get(call.method) ?? 0) + 1)
    if (proxy.fault === 'malformed-head' && call.method === 'eth_blockNumber') {
      return { jsonrpc: '2.0', id: call.id, result: 'latest' }
    }
    if (proxy.fault === 'header-not-found' && /^eth_getBlockBy|^eth_getLogs$/.test(call.method)) {
      return refuse(call, 'header not found', -32000)
    }
    if (proxy.fault === 'pruned-transactions' && call.method === 'eth_getTransactionByHash') {
      return { jsonrpc: '2.0', id: call.id, result: null }
    }
    const visible = proxy.lag > 0 ? (await realHead()) - proxy.lag : undefined
    if (visible !== undefined) {
      if (call.method === 'eth_blockNumber') return { jsonrpc: '2.0', id: call.id, result: hex(visible) }
      if (call.method === 'eth_getBlockByNumber') {
        const tag = call.params[0]
        const n = tag === 'latest' ? visible : num(tag)
        if (n !== undefined && n > visible) return { jsonrpc: '2.0', id: call.id, result: null }
        if (n !== undefined) return forward({ ...call, params: [hex(n), ...call.params.slice(1)] })
      }
      if (call.method === 'eth_getBlockByHash') {
        const block = await forward(call)
        const n = num((block.result as { number?: string } | null)?.number)
        return n !== undefined && n > visible ? { ...block, result: null } : block
      }
    }
    if (call.method !== 'eth_getLogs') return forward(call)
    const filter = call.params[0] as { fromBlock?: string; toBlock?: string; blockHash?: string }
    if (visible !== undefined && filter.blockHash) {
      const block = await forward({
        jsonrpc: '2.0',
        id: 0,
        method: 'eth_getBlockByHash',
        params: [filter.blockHash, false],
      })
      const n = num((block.result as { number?: string } | null)?.number)
      if (n === undefined || n > visible) return refuse(call, 'unknown block', -32000)
    }
    const from = num(filter.fromBlock)
    let to = num(filter.toBlock)
    if (visible !== undefined && to !== undefined && to > visible) to = visible
    if (from !== undefined && to !== undefined) {
      if (proxy.maxRange !== undefined && to - from + 1 > proxy.maxRange) {
        proxy.refusedRanges.push(to - from + 1)
        return refuse(call, `eth_getLogs is limited to a ${proxy.maxRange.toLocaleString('en-US')} range`, -32614)
      }
    }
    const answered = await forward({
      ...call,
      params: [{ ...filter, ...(to !== undefined ? { toBlock: hex(to) } : {}) }],
    })
    if (Array.isArray(answered.result)) answered.result = padLogs(answered.result as Array<Record<string, string>>)
    const logs = answered.result as unknown[] | undefined
    if (logs && proxy.maxResults !== undefined && logs.length > proxy.maxResults) {
      if (from !== undefined && to !== undefined) proxy.refusedRanges.push(to - from + 1)
      return refuse(
        call,
        `query returned more than ${proxy.maxResults} results. Try with this block range [${filter.fromBlock}, ${filter.toBlock}].`,
      )
    }
    if (logs && from !== undefined && to !== undefined)
      proxy.servedRanges.push({ blocks: to - from + 1, logs: logs.length })
    if (logs && proxy.logsWithoutTimestamps) {
      return { ...answered, result: logs.map((log) => ({ ...(log as object), blockTimestamp: undefined })) }
    }
    return answered
  }

  const sockets = new Set<Socket>()
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (proxy.mode === 'dead') {
      req.socket.destroy()
      return
    }
    if (proxy.mode === 'hanging') {
      proxy.held++
      return
    }
    let body = ''
    for await (const chunk of req) body += chunk
    if (proxy.fault === 'http-500') {
      // Quoting the request, as some gateways do: whatever the URL holds must not reach a log through this.
      res.writeHead(500).end(`internal error serving ${req.url}`)
      return
    }
    if (proxy.fault === 'rate-limited') {
      res.writeHead(429, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: null,
          error: { code: -32005, message: `daily request count exceeded, request rate limited for ${req.url}` },
        }),
      )
      return
    }
    try {
      const parsed = JSON.parse(body) as Call | Call[]
      const out = Array.isArray(parsed) ? await Promise.all(parsed.map(answer)) : await answer(parsed)
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out))
    } catch (err) {
      res.writeHead(502).end(String(err))
    }
  }
  const server: Server = createServer((req, res) => void handle(req, res))
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  proxy.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  proxy.close = async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return proxy
}
