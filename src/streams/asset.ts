import type { FeedRequest } from '../inbound/feed-endpoint'
import type { Json } from '../json'
import { goJsonMarshal } from './go-json'
import { payloadHash } from './payload-hash'

/** One subscribed `data`, as the stream treats it. */
export type Asset =
  /** Answered like the HTTP `feed` endpoint; `hash` tells the node which asset a response is for */
  | { kind: 'served'; key: string; hash: Buffer; request: FeedRequest }
  /** Never answered over the stream; `reason` is logged once */
  | { kind: 'refused'; key: string; reason: string }

/** Validates `data` as the `feed` endpoint does; throws the error the HTTP bridge would answer with. */
export type FeedRequestParser = (data: Record<string, unknown>) => FeedRequest

/**
 * Classifies one subscription's data. Never throws: data the stream cannot
 * serve is refused with the reason, and the node's cache entry for it simply
 * never fills (the run fails, as it would on an HTTP error answer).
 */
export const parseAsset = (data: { [key: string]: Json }, bridgeName: string, parse: FeedRequestParser): Asset => {
  let key: string
  try {
    key = goJsonMarshal(data)
  } catch (err) {
    return { kind: 'refused', key: JSON.stringify(data), reason: `the node cannot hash it: ${(err as Error).message}` }
  }
  // The framework's rule: the endpoint is case-insensitive and `feed` when absent.
  const endpoint =
    typeof data['endpoint'] === 'string' && data['endpoint'] !== '' ? data['endpoint'].toLowerCase() : 'feed'
  if (endpoint === 'request') {
    return {
      kind: 'refused',
      key,
      reason:
        'endpoint "request" is not served over the stream: its answer comes once, from an enterprise system, so use it through a bridge without useConnectionManager',
    }
  }
  if (endpoint !== 'feed') {
    return {
      kind: 'refused',
      key,
      reason: `the stream serves only the "feed" endpoint, not "${String(data['endpoint'])}"`,
    }
  }
  try {
    return { kind: 'served', key, hash: payloadHash(bridgeName, key), request: parse(data) }
  } catch (err) {
    return { kind: 'refused', key, reason: (err as Error).message }
  }
}
