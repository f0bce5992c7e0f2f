import type { ContractFamily } from './family'
import { stateless } from './stateless'
import { transactionOf } from './transaction'
import { decodeVerifiedReport, type VerifiedReport } from './verifier-report'

export interface VerifierFields {
  /** Verifier events: the Data Streams feed */
  feedId?: string
  /** ReportVerified: the verified report, decoded from the transaction's calldata */
  verifiedReport?: VerifiedReport
}

/**
 * Data Streams on-chain verification: the Verifier behind a VerifierProxy
 * (llo-feeds Verifier.sol; watch the Verifier, which emits, not the proxy).
 * Keyed by feed, so one stream's verifications are in order on one partition.
 */
export const verifier = {
  kind: 'verifier',
  fragments: ['event ReportVerified(bytes32 indexed feedId, address requester)'],
  identify: ({ args, chainId }) => {
    const feedId = args['feedId'] as string
    return { key: `${chainId}:${feedId}`, fields: { feedId } }
  },
  createEnricher: (options) =>
    stateless(async (event, log) => {
      const feedId = event.feedId as string
      const found = await transactionOf(options, log, `ReportVerified of ${feedId}`)
      const verifiedReport = found.tx
        ? decodeVerifiedReport(found.tx, feedId)
        : { decoded: false as const, reason: found.reason }
      return { ...event, verifiedReport }
    }),
  describe: (e) => {
    const report = e.verifiedReport
    if (!report) return []
    if (!report.decoded) return [`report not decoded: ${report.reason}`]
    return [`price ${report.price} (bid ${report.bid}, ask ${report.ask}) observed at ${report.observationsTimestamp}`]
  },
} as const satisfies ContractFamily
