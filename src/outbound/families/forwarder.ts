import type { ContractFamily } from './family'
import { stateless } from './stateless'
import { decodeForwarderReport, type ForwarderReport } from './forwarder-report'
import { transactionOf } from './transaction'

export interface ForwarderFields {
  /** ReportProcessed: the delivered report, decoded from the transaction's calldata */
  report?: ForwarderReport
}

/**
 * CRE's KeystoneForwarder ("KeystoneForwarder 1.0.0", keystone/KeystoneForwarder.sol):
 * every report a DON delivers, and DON configurations. A failed delivery can be
 * retried, so one (receiver, workflowExecutionId, reportId) can log several
 * ReportProcessed; they share a key, hence a partition, in attempt order.
 */
export const forwarder = {
  kind: 'forwarder',
  fragments: [
    'event ReportProcessed(address indexed receiver, bytes32 indexed workflowExecutionId, bytes2 indexed reportId, bool result)',
    'event ConfigSet(uint32 indexed donId, uint32 indexed configVersion, uint8 f, address[] signers)',
  ],
  identify: ({ name, args, address, chainId }) =>
    name === 'ReportProcessed'
      ? { key: `${chainId}:${args['receiver']}:${args['workflowExecutionId']}:${args['reportId']}` }
      : { key: `${chainId}:${address}:${args['donId']}` },
  createEnricher: (options) =>
    stateless(async (event, log) => {
      if (event.event !== 'ReportProcessed') return event
      const a = event.args
      const what = `ReportProcessed ${a['reportId']} of execution ${a['workflowExecutionId']}`
      const found = await transactionOf(options, log, what)
      if (!found.tx) return { ...event, report: { decoded: false, reason: found.reason } }
      const report = decodeForwarderReport(found.tx, {
        forwarder: event.address,
        receiver: a['receiver'] as string,
        workflowExecutionId: a['workflowExecutionId'] as string,
        reportId: a['reportId'] as string,
        result: a['result'] as boolean,
      })
      return { ...event, report }
    }),
  describe: (e) => {
    if (e.event === 'ConfigSet') return [`don ${e.args['donId']} version ${e.args['configVersion']} f ${e.args['f']}`]
    const parts = [`to ${e.args['receiver']}`, e.args['result'] ? 'delivered' : 'delivery failed']
    if (e.report?.decoded) {
      parts.push(
        `report ${e.report.reportId} of workflow ${e.report.workflowName} (don ${e.report.donId}), ${
          e.report.signatures
        } signatures, payload ${e.report.payload.length / 2 - 1} bytes`,
      )
    } else if (e.report) parts.push(`report not decoded: ${e.report.reason}`)
    return parts
  },
} as const satisfies ContractFamily
