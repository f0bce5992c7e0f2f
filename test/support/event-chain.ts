import { id } from 'ethers'
import { startAnvil, type Anvil } from '../../src/dev/anvil'
import { createRpcClient, type RpcClient } from '../../src/chain/rpc'

/** Topic of AggregatorInterface's AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt) */
export const ANSWER_UPDATED = id('AnswerUpdated(int256,uint256,uint256)')

/** anvil's first unlocked dev account */
const SENDER = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266'

/*
 * Hand-assembled so tests need no compiler. Runtime, with calldata
 * (topic0, start, count): for i in [start, start+count) emit LOG3(topic0, i, i)
 * with the 32-byte word i as data, i.e. AnswerUpdated(current = i, roundId = i,
 * updatedAt = i) when topic0 is ANSWER_UPDATED. ~1.8k gas per log, so one
 * transaction carries up to ~15k logs.
 *
 *   00 PUSH1 20 CALLDATALOAD PUSH1 40 CALLDATALOAD DUP2 ADD   [i, end]
 *   08 JUMPDEST DUP1 DUP3 LT ISZERO PUSH1 26 JUMPI            exit when !(i < end)
 *   10 DUP2 PUSH1 00 MSTORE                                   mem[0] = i
 *   14 DUP2 DUP3 PUSH1 00 CALLDATALOAD PUSH1 20 PUSH1 00 LOG3  LOG3(0, 32, topic0, i, i)
 *   1e SWAP1 PUSH1 01 ADD SWAP1 PUSH1 08 JUMP                 i++
 *   26 JUMPDEST STOP
 */
const RUNTIME = [
  ['6020', '35', '6040', '35', '81', '01'],
  ['5b', '80', '82', '10', '15', '6026', '57'],
  ['81', '6000', '52'],
  ['81', '82', '6000', '35', '6020', '6000', 'a3'],
  ['90', '6001', '01', '90', '6008', '56'],
  ['5b', '00'],
]
  .flat()
  .join('')
/** CODECOPY the runtime (which starts right after these 11 bytes) to memory and RETURN it */
const INIT = `0x60${(RUNTIME.length / 2).toString(16).padStart(2, '0')}80600b6000396000f3${RUNTIME}`

const word = (n: bigint | number | string) => BigInt(n).toString(16).padStart(64, '0')

export interface EmittedTx {
  blockNumber: number
  blockHash: string
  transactionHash: string
}

/** A real anvil with a log emitter deployed: cheap events in whatever blocks a test wants. */
export interface EventChain {
  anvil: Anvil
  chainId: number
  rpcUrl: string
  rpc: RpcClient
  /** The emitter's address */
  emitter: string
  /** One transaction (one block) emitting `count` logs with topic0 and i in [start, start+count) */
  emit(count: number, options?: { start?: number; topic0?: string }): Promise<EmittedTx>
  /** Any transaction from anvil's first account (a deployment without `to`); resolves with its receipt */
  transact(tx: { to?: string; data: string }): Promise<Receipt>
  /** Mines empty blocks (anvil_mine: ~10k blocks/s) */
  mine(blocks: number): Promise<void>
  blockNumber(): Promise<number>
  /** Replaces the last `depth` blocks with new (empty) ones of different hashes */
  reorg(depth: number): Promise<void>
  stop(): Promise<void>
}

export interface Receipt {
  blockNumber: string
  blockHash: string
  transactionHash: string
  contractAddress: string | null
  status: string
}

export const startEventChain = async (options: { chainId?: number } = {}): Promise<EventChain> => {
  const anvil = await startAnvil({ chainId: options.chainId })
  const rpc = createRpcClient(anvil.rpcUrl, { timeoutMs: 30_000 })
  const send = async (tx: Record<string, string>): Promise<Receipt> => {
    const hash = await rpc.request<string>('eth_sendTransaction', [{ from: SENDER, gas: '0x1c9c380', ...tx }])
    // anvil mines each transaction as it arrives; the receipt exists once the call returns, but poll to be safe.
    for (;;) {
      const receipt = await rpc.request<Receipt | null>('eth_getTransactionReceipt', [hash])
      if (receipt) {
        if (receipt.status !== '0x1') throw new Error(`transaction ${hash} reverted`)
        return receipt
      }
      await new Promise((r) => setTimeout(r, 5))
    }
  }
  try {
    const deployed = await send({ data: INIT })
    const emitter = deployed.contractAddress as string
    return {
      anvil,
      chainId: options.chainId ?? 31337,
      rpcUrl: anvil.rpcUrl,
      rpc,
      emitter,
      emit: async (count, opts = {}) => {
        const receipt = await send({
          to: emitter,
          data: `0x${word(opts.topic0 ?? ANSWER_UPDATED)}${word(opts.start ?? 0)}${word(count)}`,
        })
        return {
          blockNumber: Number.parseInt(receipt.blockNumber, 16),
          blockHash: receipt.blockHash,
          transactionHash: receipt.transactionHash,
        }
      },
      transact: send,
      mine: async (blocks) => {
        if (blocks > 0) await rpc.request('anvil_mine', [`0x${blocks.toString(16)}`])
      },
      blockNumber: async () => Number.parseInt(await rpc.request<string>('eth_blockNumber', []), 16),
      reorg: async (depth) => {
        await rpc.request('anvil_reorg', [depth, []])
      },
      stop: () => anvil.stop(),
    }
  } catch (err) {
    await anvil.stop()
    throw err
  }
}
