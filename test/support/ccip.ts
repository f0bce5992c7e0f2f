import { keccak256, toBeHex, ZeroAddress, type Contract, type TransactionReceipt } from 'ethers'
import { deploy } from '../../src/dev/contracts'
import { mined } from '../../src/dev/transactions'
import { STATE_HEADER } from '../../src/outbound/ccip-state'
import type { CcipSendState } from '../../src/outbound/families/ccip'
import { startAnvilWithProvider } from './chainlink'
import type { KafkaFixture } from './kafka'
import type { EventSettings } from '../../src/outbound/settings'
import { createOutboundTopics, testEventSettings, type OutboundTopics } from './outbound'
import type { ReadRecord } from './topic-reader'

/** Two chains of a CCIP lane, as the built-in selector table names them */
export const SOURCE = { chainId: 31337, selector: '7759470850252068959', name: 'anvil-devnet' }
export const DEST = { chainId: 1337, selector: '3379446385462418246', name: 'geth-testnet' }

export const SUCCESS = 2
export const FAILURE = 3

/**
 * A CCIP lane on two real anvil chains, with stand-ins (named as such: a CCIP deployment cannot run here) that
 * emit exactly CCIP v1.5 and v1.6 OnRamp/OffRamp events: sends on the source chain, executions on the destination.
 */
export interface CcipLane {
  source: Awaited<ReturnType<typeof startAnvilWithProvider>>
  dest: Awaited<ReturnType<typeof startAnvilWithProvider>>
  onRamp: Contract
  offRamp: Contract
  addresses: Record<'onRamp' | 'offRamp', string>
  /** A v1.5 or v1.6 send of message `n` (its id: keccak256 of n) */
  send(version: '1.5' | '1.6', n: number): Promise<{ receipt: TransactionReceipt; messageId: string; sender: string }>
  /** An execution attempt of message `n` with `state` */
  execute(version: '1.5' | '1.6', n: number, state: number): Promise<TransactionReceipt>
  stop(): Promise<void>
}

export const messageIdOf = (n: number) => keccak256(toBeHex(n, 32))

export const startCcipLane = async (): Promise<CcipLane> => {
  const source = await startAnvilWithProvider({ chainId: SOURCE.chainId })
  const dest = await startAnvilWithProvider({ chainId: DEST.chainId }).catch(async (err: unknown) => {
    await source.stop()
    throw err
  })
  const stop = async () => {
    await source.stop()
    await dest.stop()
  }
  try {
    const onRamp = await deploy('StandInCcipOnRamp', await source.provider.getSigner(0))
    const offRamp = await deploy('StandInCcipOffRamp', await dest.provider.getSigner(0))
    const sender = await source.provider.getSigner(3)
    const receiver = await dest.provider.getSigner(4)
    const token = `0x${'77'.repeat(20)}`
    return {
      source,
      dest,
      onRamp,
      offRamp,
      addresses: { onRamp: await onRamp.getAddress(), offRamp: await offRamp.getAddress() },
      send: async (version, n) => {
        const messageId = messageIdOf(n)
        const from = await sender.getAddress()
        const to = await receiver.getAddress()
        const ramp = onRamp.connect(sender) as Contract
        const receipt =
          version === '1.5'
            ? await mined(
                ramp.getFunction('sendV15')([
                  SOURCE.selector,
                  from,
                  to,
                  n,
                  200_000n,
                  false,
                  n,
                  token,
                  10n ** 16n,
                  '0x1234',
                  [[token, 5n * 10n ** 18n]],
                  ['0x'],
                  messageId,
                ]),
              )
            : await mined(
                ramp.getFunction('sendV16')([
                  [messageId, SOURCE.selector, DEST.selector, n, n],
                  from,
                  '0x1234',
                  toBeHex(to, 32),
                  '0x',
                  ZeroAddress,
                  10n ** 15n,
                  10n ** 17n,
                  [[token, toBeHex(token, 32), '0x', 7n * 10n ** 18n, '0x']],
                ]),
              )
        return { receipt, messageId, sender: from }
      },
      execute: async (version, n, state) =>
        version === '1.5'
          ? mined(offRamp.getFunction('executeV15')(n, messageIdOf(n), state, state === SUCCESS ? '0x' : '0xdeadbeef'))
          : mined(
              offRamp.getFunction('executeV16')(
                SOURCE.selector,
                n,
                messageIdOf(n),
                keccak256('0x01'),
                state,
                state === SUCCESS ? '0x' : '0xdeadbeef',
                81_000n,
              ),
            ),
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}

/** The events topics of createOutboundTopics and a fresh events.ccip.stateTopic (compacted, 3 partitions) */
export const createCcipTopics = async (
  kafka: KafkaFixture,
): Promise<{ topics: OutboundTopics; stateTopic: string }> => {
  const topics = await createOutboundTopics(kafka)
  const stateTopic = kafka.uniqueTopic('ccip-messages')
  await kafka.createTopics([{ topic: stateTopic, partitions: 3, compacted: true }])
  return { topics, stateTopic }
}

/** The lane's two chains as events.chains: the OnRamp (v1.5 needs its destChainSelector) on one, the OffRamp on the other */
export const laneChains = (lane: CcipLane, extra: Record<string, unknown> = {}): Array<Record<string, unknown>> => {
  const chain = (name: string, chainId: number, rpcUrl: string, contract: Record<string, unknown>) => ({
    name,
    chainId,
    rpcUrls: [rpcUrl],
    confirmations: 1,
    maxReorgDepth: 16,
    contracts: [contract],
    ...extra,
  })
  return [
    chain('source', SOURCE.chainId, lane.source.anvil.rpcUrl, {
      address: lane.addresses.onRamp,
      kind: 'ccip-onramp',
      destChainSelector: DEST.selector,
    }),
    chain('dest', DEST.chainId, lane.dest.anvil.rpcUrl, {
      address: lane.addresses.offRamp,
      kind: 'ccip-offramp',
      sourceChainSelector: SOURCE.selector,
    }),
  ]
}

/** Test events settings (testEventSettings) for the lane's chains, writing to `stateTopic` */
export const laneSettings = (
  topics: OutboundTopics,
  stateTopic: string,
  lane: CcipLane,
  extra: Record<string, unknown> = {},
): EventSettings => {
  const settings = testEventSettings(topics, laneChains(lane, extra))
  return { ...settings, ccip: { ...settings.ccip, stateTopic } }
}

/** One record of events.ccip.stateTopic as read: the send's state, or a tombstone (`send` undefined) and why */
export interface StateRead {
  messageId: string
  send?: CcipSendState
  reason: string
}

/** The records of the state topic among `records`, in the order read */
export const statesOf = (records: ReadRecord[], stateTopic: string): StateRead[] =>
  records
    .filter((r) => r.topic === stateTopic)
    .map((r) => ({
      messageId: r.key as string,
      ...(r.value ? { send: JSON.parse(r.value) as CcipSendState } : {}),
      reason: String(r.headers[STATE_HEADER]),
    }))

/** What compaction keeps: the last record per message id */
export const latestStates = (states: StateRead[]): Map<string, StateRead> =>
  new Map(states.map((s) => [s.messageId, s]))
