import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { eventually } from './eventually'

/** One PATCH the fake node received on its resume route. */
export interface RecordedPatch {
  runId: string
  contentType: string | undefined
  body: unknown
  /** What the fake node answered */
  status: number
  /** performance.now() on arrival */
  at: number
}

/**
 * A stand-in for the one thing Bifrost calls on a Chainlink node: the resume
 * route of the bridge async protocol (`PATCH /v2/resume/<run id>`). It records
 * every PATCH and answers 200 unless told otherwise. Mock, not a node: it does
 * not check that the run exists or was suspended.
 */
export interface FakeChainlinkNode {
  /** http://127.0.0.1:<port> */
  baseUrl: string
  /** A fresh responseURL, as the node puts in an async bridge task's body */
  responseUrl(): string
  readonly patches: readonly RecordedPatch[]
  /** TCP connections accepted so far (0 means Bifrost never called) */
  readonly connections: number
  /** The next PATCHes are answered with these statuses, in order; later ones with the default */
  answerNext(...statuses: number[]): void
  /** What PATCHes are answered with once answerNext's are used up (initially 200) */
  setDefaultStatus(status: number): void
  /** Resolves once `count` PATCHes arrived; rejects after `timeoutMs` with what did */
  waitForPatches(count: number, timeoutMs?: number): Promise<RecordedPatch[]>
  stop(): Promise<void>
}

export interface FakeChainlinkNodeOptions {
  onPatch?: (patch: RecordedPatch) => void
  /**
   * As a real node does: a run resumed once (answered 200) is no longer waiting, so a later PATCH of it is refused
   * with 422. Off by default: most tests count every PATCH as accepted.
   */
  refuseResumedRuns?: boolean
}

export const startFakeChainlinkNode = async (options: FakeChainlinkNodeOptions = {}): Promise<FakeChainlinkNode> => {
  const patches: RecordedPatch[] = []
  const resumed = new Set<string>()
  const queued: number[] = []
  let defaultStatus = 200
  let connections = 0

  const app = express()
  app.patch('/v2/resume/:runId', express.json(), (req, res) => {
    const at = performance.now()
    const status = options.refuseResumedRuns && resumed.has(req.params.runId) ? 422 : (queued.shift() ?? defaultStatus)
    if (status === 200) resumed.add(req.params.runId)
    const patch = { runId: req.params.runId, contentType: req.get('content-type'), body: req.body, status, at }
    patches.push(patch)
    options.onPatch?.(patch)
    res
      .status(status)
      .json(status === 200 ? { data: { id: req.params.runId } } : { errors: [{ detail: `fake ${status}` }] })
  })

  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  server.on('connection', () => connections++)
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    baseUrl,
    responseUrl: () => `${baseUrl}/v2/resume/${randomUUID()}`,
    patches,
    get connections() {
      return connections
    },
    answerNext: (...statuses) => void queued.push(...statuses),
    setDefaultStatus: (status) => void (defaultStatus = status),
    waitForPatches: (count, timeoutMs) =>
      eventually(`${count} PATCH(es) on the fake node`, () => patches.length >= count && [...patches], { timeoutMs }),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}
