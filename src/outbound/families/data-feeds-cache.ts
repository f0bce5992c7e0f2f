import type { Json } from '../../json'
import type { ContractFamily } from './family'

/** A log folded into the event logged right before it */
export type AttachedLog = { event: string; logIndex: number; args: Record<string, Json> }

export interface DataFeedsCacheFields {
  /** Data Feeds cache events: the feed */
  dataId?: string
  /**
   * DecimalReportUpdated: the NewRound and AnswerUpdated the cache logs right
   * after it for the same round (AggregatorV3 compatibility), which carry no data id
   */
  attached?: AttachedLog[]
}

/** The aggregator events the cache also logs after a decimal update, in this order */
const FOLLOWERS = ['NewRound', 'AnswerUpdated']

/**
 * CRE price feeds' DataFeedsCache ("DataFeedsCache 1.0.0", data-feeds/DataFeedsCache.sol):
 * the reports it stores and the ones it rejects (it logs those instead of
 * reverting, so the forwarder's delivery still succeeds). Keyed by feed.
 */
export const dataFeedsCache = {
  kind: 'data-feeds-cache',
  fragments: [
    'event DecimalReportUpdated(bytes16 indexed dataId, uint256 indexed roundId, uint256 indexed timestamp, uint224 answer)',
    'event BundleReportUpdated(bytes16 indexed dataId, uint256 indexed timestamp, bytes bundle)',
    'event InvalidUpdatePermission(bytes16 indexed dataId, address sender, address workflowOwner, bytes10 workflowName)',
    'event StaleDecimalReport(bytes16 indexed dataId, uint256 reportTimestamp, uint256 latestTimestamp)',
    'event StaleBundleReport(bytes16 indexed dataId, uint256 reportTimestamp, uint256 latestTimestamp)',
    // Logged by the cache for all its feeds at once: attached to their DecimalReportUpdated, not published alone
    'event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt)',
    'event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt)',
  ],
  identify: ({ name, args, address, chainId, transactionHash, logIndex }) => {
    const dataId = args['dataId'] as string | undefined
    const roundId = args['roundId'] as string | undefined
    // A NewRound/AnswerUpdated without its DecimalReportUpdated (that one did not decode): on its own, by position
    if (dataId === undefined)
      return { key: `${chainId}:${transactionHash}:${logIndex}`, fields: { roundId: roundId as string } }
    return {
      key: `${chainId}:${address}:${dataId}`,
      fields: { dataId, ...(name === 'DecimalReportUpdated' ? { roundId: roundId as string } : {}) },
    }
  },
  attach: (previous, event, logIndex) => {
    if (previous.event !== 'DecimalReportUpdated' || !FOLLOWERS.includes(event.event)) return false
    if (event.args['roundId'] !== previous.roundId) return false
    const attached = previous.attached ?? []
    // NewRound first, then AnswerUpdated, once each
    if (FOLLOWERS.indexOf(event.event) !== attached.length) return false
    previous.attached = [...attached, { event: event.event, logIndex, args: event.args }]
    return true
  },
  describe: (e) => {
    if (e.dataId === undefined) return [`round ${e.roundId} without its DecimalReportUpdated`]
    const parts = [`data id ${e.dataId}`]
    if (e.event === 'DecimalReportUpdated') parts.push(`answer ${e.args['answer']} at ${e.args['timestamp']}`)
    else if (e.event === 'InvalidUpdatePermission')
      parts.push(
        `workflow ${e.args['workflowName']} of ${e.args['workflowOwner']} via ${e.args['sender']} not permitted`,
      )
    else if (e.event.startsWith('Stale'))
      parts.push(`report of ${e.args['reportTimestamp']} not after ${e.args['latestTimestamp']}`)
    return parts
  },
} as const satisfies ContractFamily
