import { STATE_HEADER, type CcipStateReader, type StateReason, type StateRecord } from './ccip-state'
import type { DecodedEvent } from './decode'
import type { CcipSend, CcipSendState } from './families/ccip'
import type { KafkaMessage, OracleEventMessage } from './message'

/**
 * An execution with what events.ccip.stateTopic knows of its send when it is published: the send and the latency,
 * or `send: null`. Never updated later: a consumer that needs the send of a `null` one joins by key.
 */
export const withSend = (event: DecodedEvent, blockTimestamp: number, state: CcipStateReader): DecodedEvent => {
  if (event.ccip?.role !== 'execution' || !event.messageId) return event
  const send = state.sendOf(event.messageId)
  return send ? { ...event, send, latencySeconds: blockTimestamp - send.blockTimestamp } : { ...event, send: null }
}

const record = (messageId: string, reason: StateReason, send?: CcipSendState): StateRecord => ({
  key: messageId,
  value: send ? Buffer.from(JSON.stringify(send)) : null,
  headers: { [STATE_HEADER]: reason },
})

const sendStateOf = (message: OracleEventMessage & { ccip: CcipSend }, chainId: number): CcipSendState => {
  const { ccip } = message
  return {
    chain: ccip.chain,
    chainId,
    blockNumber: message.blockNumber,
    blockHash: message.blockHash,
    blockTimestamp: message.blockTimestamp as number,
    transactionHash: message.transactionHash,
    logIndex: message.logIndex,
    sourceChainSelector: ccip.sourceChainSelector,
    ...(ccip.destChainSelector !== undefined ? { destChainSelector: ccip.destChainSelector } : {}),
    sequenceNumber: ccip.sequenceNumber,
    sender: ccip.sender,
    receiver: ccip.receiver,
    feeToken: ccip.feeToken,
    feeTokenAmount: ccip.feeTokenAmount,
    tokenAmounts: ccip.tokenAmounts,
  }
}

/**
 * What the state topic gets for published events, in their order: a confirmed send its state (unless its SUCCESS was
 * confirmed first: nothing would ever remove it), a retracted send a tombstone, a confirmed SUCCESS a tombstone (a
 * FAILURE keeps the state: the message can be executed again manually), and a retracted SUCCESS the send it carried
 * (`restored`). Then a tombstone for every stale send the reader found.
 */
export const stateRecordsOf = (messages: readonly KafkaMessage[], state: CcipStateReader): StateRecord[] => {
  const records: StateRecord[] = []
  for (const message of messages) {
    if (!message.key.startsWith('ccip:')) continue
    const value = JSON.parse(message.value.toString('utf8')) as OracleEventMessage
    const { ccip, messageId, status } = value
    if (!ccip || !messageId) continue
    if (ccip.role === 'send') {
      if (status === 'retracted') records.push(record(messageId, 'retracted'))
      else if (!state.executed(messageId)) {
        records.push(
          record(messageId, 'sent', sendStateOf(value as OracleEventMessage & { ccip: CcipSend }, value.chainId)),
        )
      }
    } else if (ccip.state === 'SUCCESS') {
      if (status === 'confirmed') records.push(record(messageId, 'executed'))
      else if (value.send) records.push(record(messageId, 'restored', value.send))
    }
  }
  // Rides along with whatever this chain publishes: a stale send is removed by the next step that writes states.
  for (const messageId of state.stale()) records.push(record(messageId, 'executed'))
  return records
}
