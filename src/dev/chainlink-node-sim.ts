import { randomUUID } from 'node:crypto'
import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { AbiCoder, Interface, toBeHex, type JsonRpcProvider, type Signer } from 'ethers'
import { BifrostError } from '../errors'
import { AUTHORIZED_FORWARDER_FRAGMENTS, OPERATOR_FULFILL_FRAGMENTS } from '../outbound/families/operator-fulfillment'
import { decodeLog, logFilter, type DecodedEvent, type WatchedContract } from '../outbound/decode'
import type { Json } from '../json'
import { bridgeTask, multiplyTask } from './bridge-task'
import { mined } from './transactions'

const logger = makeLogger('ChainlinkNodeSim')

export class ChainlinkNodeSimError extends BifrostError {
  static override readonly code = 'BIFROST_DEV_CHAINLINK_NODE_SIM_FAILED'
}

export interface ChainlinkNodeSimOptions {
  provider: JsonRpcProvider
  /** The node's account: authorized on the Operator (and on the forwarder, when one is used) */
  node: Signer
  operator: string
  /** Send fulfilments through this AuthorizedForwarder's forward(), as nodes with forwarders do */
  forwarder?: string
  /** Bifrost's External Adapter, where the bridge task POSTs */
  bridgeUrl: string
  /** First block to watch (default: the current head) */
  fromBlock?: number
  pollIntervalMs?: number
  /** Gas limit of fulfilment transactions, as a node's job sets it (default 500,000) */
  gasLimit?: bigint
}

/** One job run: a request the stand-in node answered (or failed to). */
export interface SimRun {
  requestId: string
  jobRunId: string
  dataVersion: number
  /** What was POSTed to the bridge */
  bridgeBody: { id: string; data: Record<string, Json> }
  /** The adapter's `result` */
  result?: unknown
  /** The uint256 written on chain */
  answer?: bigint
  fulfillmentTx?: string
  error?: string
}

export interface ChainlinkNodeSim {
  /** Resolves with the run once `requestId` is fulfilled; rejects if the run failed */
  waitFor(requestId: string, timeoutMs?: number): Promise<SimRun>
  readonly runs: ReadonlyMap<string, SimRun>
  stop(): Promise<void>
}

const operatorFulfill = new Interface(OPERATOR_FULFILL_FRAGMENTS)
const forwarderForward = new Interface(AUTHORIZED_FORWARDER_FRAGMENTS)

/** The node's `multiply` then `ethabiencode` tasks, into a uint256. */
const scaledAnswer = (result: unknown, times: Json | undefined): bigint => {
  const answer = multiplyTask(result, times)
  if (answer < 0n) throw new ChainlinkNodeSimError(`answer ${answer} does not fit a uint256`)
  return answer
}

/**
 * The transaction a node sends to answer `request` with one word: fulfillOracleRequest
 * for dataVersion 1, fulfillOracleRequest2 with abi.encode(requestId, answer) for 2,
 * wrapped in the forwarder's forward() when one is given.
 */
export const fulfilmentCall = (
  request: DecodedEvent,
  answer: bigint,
  route: { operator: string; forwarder?: string },
): { to: string; data: string } => {
  const a = request.args
  const common = [request.requestId, a['payment'], a['callbackAddr'], a['callbackFunctionId'], a['cancelExpiration']]
  const calldata =
    Number(a['dataVersion']) === 1
      ? operatorFulfill.encodeFunctionData('fulfillOracleRequest', [...common, toBeHex(answer, 32)])
      : operatorFulfill.encodeFunctionData('fulfillOracleRequest2', [
          ...common,
          AbiCoder.defaultAbiCoder().encode(['bytes32', 'uint256'], [request.requestId, answer]),
        ])
  return route.forwarder
    ? { to: route.forwarder, data: forwarderForward.encodeFunctionData('forward', [route.operator, calldata]) }
    : { to: route.operator, data: calldata }
}

/**
 * A stand-in for a legacy Chainlink node's direct-request job (nodes before
 * v2.48; the one part of the bridge that cannot run here): it watches the Operator for OracleRequest, decodes the request's CBOR
 * parameters, POSTs `{ id: <jobRunId>, data: {...params} }` to the bridge exactly
 * as a node's bridge task does, multiplies the result by the `times` parameter,
 * and fulfils with fulfillOracleRequest (dataVersion 1) or fulfillOracleRequest2
 * (dataVersion 2). Requests are answered one at a time, like one job's runs.
 */
export const startChainlinkNodeSim = async (options: ChainlinkNodeSimOptions): Promise<ChainlinkNodeSim> => {
  const { provider, node, operator, forwarder, bridgeUrl } = options
  const pollIntervalMs = options.pollIntervalMs ?? 200
  const gasLimit = options.gasLimit ?? 500_000n
  const watched: WatchedContract[] = [{ address: operator, kind: 'operator' }]
  const filter = logFilter(watched)
  const chainId = (await provider.getNetwork()).chainId
  let nextBlock = options.fromBlock ?? (await provider.getBlockNumber())
  const runs = new Map<string, SimRun>()
  const waiters = new Map<string, Array<() => void>>()
  let stopped = false

  const settle = (run: SimRun) => {
    runs.set(run.requestId, run)
    for (const wake of waiters.get(run.requestId) ?? []) wake()
    waiters.delete(run.requestId)
  }

  const fulfil = async (request: DecodedEvent, answer: bigint): Promise<string> => {
    const receipt = await mined(
      node.sendTransaction({ ...fulfilmentCall(request, answer, { operator, forwarder }), gasLimit }),
    )
    return receipt.hash
  }

  const handle = async (request: DecodedEvent) => {
    const requestId = request.requestId as string
    const jobRunId = randomUUID()
    const run: SimRun = {
      requestId,
      jobRunId,
      dataVersion: Number(request.args['dataVersion']),
      bridgeBody: { id: jobRunId, data: request.params ?? {} },
    }
    try {
      if (!request.params) throw new ChainlinkNodeSimError('the request data is not valid CBOR')
      run.result = await bridgeTask(bridgeUrl, run.bridgeBody)
      run.answer = scaledAnswer(run.result, request.params['times'])
      run.fulfillmentTx = await fulfil(request, run.answer)
      logger.info(`Fulfilled ${requestId} (dataVersion ${run.dataVersion}) with ${run.answer} in ${run.fulfillmentTx}`)
    } catch (err) {
      run.error = (err as Error).message
      logger.warn(`Job run ${run.jobRunId} for ${requestId} failed: ${run.error}`)
    }
    settle(run)
  }

  const poll = async () => {
    const head = await provider.getBlockNumber()
    if (head < nextBlock) return
    const logs = await provider.getLogs({
      address: filter.address,
      topics: filter.topics,
      fromBlock: nextBlock,
      toBlock: head,
    })
    for (const log of logs) {
      if (stopped) return
      const request = decodeLog(log, watched, chainId)
      if (request?.event === 'OracleRequest' && request.requestId && !runs.has(request.requestId)) await handle(request)
    }
    nextBlock = head + 1
  }

  const loop = (async () => {
    while (!stopped) {
      await poll().catch((err: unknown) => logger.warn(`Polling ${operator} failed: ${(err as Error).message}`))
      await new Promise((r) => setTimeout(r, pollIntervalMs))
    }
  })()

  return {
    runs,
    waitFor: (requestId, timeoutMs = 30_000) =>
      new Promise<SimRun>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer)
          const run = runs.get(requestId) as SimRun
          if (run.error) reject(new ChainlinkNodeSimError(`job run for ${requestId} failed: ${run.error}`))
          else resolve(run)
        }
        const timer = setTimeout(() => {
          waiters.set(
            requestId,
            (waiters.get(requestId) ?? []).filter((w) => w !== done),
          )
          reject(new ChainlinkNodeSimError(`request ${requestId} was not fulfilled within ${timeoutMs} ms`))
        }, timeoutMs)
        if (runs.has(requestId)) done()
        else waiters.set(requestId, [...(waiters.get(requestId) ?? []), done])
      }),
    stop: async () => {
      stopped = true
      await loop
    },
  }
}
