import { RpcError, RpcTransportError } from './rpc'

/**
 * How providers say "ask for less": Infura/geth "query returned more than 10000
 * results", Alchemy "Log response size exceeded", QuickNode "limited to a 10,000
 * range", BSC/Polygon "exceed maximum block range", Ankr "block range is too wide",
 * Nethermind/Erigon timeouts on huge ranges.
 */
const RANGE_REFUSAL =
  /more than [\d,]+ results|response size (exceeded|is larger)|limited to (a )?[\d,]+|block range|range (is )?too (large|wide|big)|too many (logs|results|blocks)|query timeout|timed? ?out|exceed(s|ed)? max/i

/**
 * How providers say "not so fast": HTTP 429, Infura's -32005 "daily request count exceeded, request rate limited"
 * and "project ID request rate exceeded", Alchemy's 429 "compute units per second capacity", QuickNode's -32007
 * "request limit reached", Ankr "too many requests". -32005 is also Infura's code for range refusals, which are
 * matched first.
 */
const RATE_LIMIT =
  /rate.?limit|too many requests|request (count|rate|limit)|limit (exceeded|reached)|capacity|throttl|quota/i
const RATE_LIMIT_CODES = new Set([-32005, -32007, -32029])

/**
 * How a node says it lacks a block (or its state) it should have: geth "header not found" and "missing trie node",
 * Erigon/Nethermind "unknown block" and "block not found". Asked about a block its head claims to include, it is
 * behind (a load balancer's lagging member, a node still importing): ask another endpoint.
 */
const NOT_YET =
  /header not found|missing trie node|unknown block|block (is )?not found|cannot find block|no such block/i

/** -32601: the endpoint does not serve this method at all */
const METHOD_NOT_FOUND = -32601

export type RpcFailure =
  /** No usable answer (down, timeout, not JSON-RPC): skip the endpoint, retry it with backoff */
  | 'unreachable'
  /** Rate limited: back off this endpoint, use the next */
  | 'rate-limited'
  /** It lacks the block it claims: treat it as lagging, use the next */
  | 'behind'
  /** It cannot serve the method: skip it like a dead one */
  | 'unsupported'
  /** The range of an eth_getLogs is too large: the caller asks for less (the next endpoint would refuse it too) */
  | 'range-refused'
  /** The node refused this request on its merits (reverted, invalid params): the caller's error */
  | 'refused'

export const isRangeRefusal = (err: unknown): err is RpcError =>
  err instanceof RpcError && RANGE_REFUSAL.test(err.rpcMessage)

export const classifyRpcFailure = (err: unknown): RpcFailure => {
  if (err instanceof RpcTransportError) return err.httpStatus === 429 ? 'rate-limited' : 'unreachable'
  if (!(err instanceof RpcError)) return 'refused'
  if (RANGE_REFUSAL.test(err.rpcMessage)) return 'range-refused'
  if (err.httpStatus === 429 || RATE_LIMIT.test(err.rpcMessage) || RATE_LIMIT_CODES.has(err.rpcCode))
    return 'rate-limited'
  if (NOT_YET.test(err.rpcMessage)) return 'behind'
  if (err.rpcCode === METHOD_NOT_FOUND) return 'unsupported'
  return 'refused'
}
