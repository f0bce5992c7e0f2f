import { Agent, request } from 'node:http'

export interface LoadOptions {
  url: string
  body: unknown
  /** Requests in flight at any time (one keep-alive connection each) */
  concurrency: number
  durationMs: number
}

export interface LoadResult {
  /** Successful requests */
  requests: number
  /** Successful requests per second */
  rps: number
  p50Ms: number
  p99Ms: number
  errors: number
}

export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]

/**
 * A closed-loop load generator: `concurrency` workers each send a request,
 * wait for the whole answer, and send the next, so throughput is what the
 * server sustains rather than what we push. Loopback and bounded in time.
 */
export const closedLoop = async ({ url, body, concurrency, durationMs }: LoadOptions): Promise<LoadResult> => {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const payload = Buffer.from(JSON.stringify(body))
  const { hostname, port, pathname } = new URL(url)
  const send = () =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          agent,
          hostname,
          port,
          path: pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': payload.length },
        },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
          res.on('error', reject)
        },
      )
      req.on('error', reject)
      req.end(payload)
    })

  const latencies: number[] = []
  let errors = 0
  const end = performance.now() + durationMs
  const worker = async () => {
    while (performance.now() < end) {
      const started = performance.now()
      const status = await send().catch(() => 0)
      if (status === 200) latencies.push(performance.now() - started)
      else errors++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return {
    requests: latencies.length,
    rps: latencies.length / (durationMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
  }
}

/** The figures of one load result, named after what was measured (e.g. "baseline requests/s", "baseline p99 (ms)"). */
export const loadFigures = (label: string, result: LoadResult): Record<string, number> => ({
  [`${label} requests/s`]: Math.round(result.rps),
  [`${label} p50 (ms)`]: result.p50Ms,
  [`${label} p99 (ms)`]: result.p99Ms,
})
