import { JsonRpcProvider, type Provider, type TransactionReceipt } from 'ethers'
import { BifrostError } from '../errors'

export class TransactionError extends BifrostError {
  static override readonly code = 'BIFROST_DEV_TRANSACTION_FAILED'
}

const RECEIPT_POLL_MS = 10

/**
 * A provider for dev tooling against a local node. ethers' 250 ms result cache
 * has returned receipts a reorg had already removed, so it is off.
 */
export const devProvider = (rpcUrl: string, pollingInterval = 100): JsonRpcProvider =>
  new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1, pollingInterval })

/**
 * Waits for a sent transaction's receipt by polling, because `tx.wait()`
 * sometimes never resolves on anvil. A reverted transaction is an error.
 */
export const mined = async (
  pending: Promise<{ hash: string; provider: Provider }> | { hash: string; provider: Provider },
  timeoutMs = 30_000,
): Promise<TransactionReceipt> => {
  const { hash, provider } = await pending
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const receipt = await provider.getTransactionReceipt(hash)
    if (receipt) {
      if (receipt.status !== 1)
        throw new TransactionError(`transaction ${hash} reverted (block ${receipt.blockNumber})`)
      return receipt
    }
    if (Date.now() > deadline) throw new TransactionError(`transaction ${hash} not mined within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, RECEIPT_POLL_MS))
  }
}
