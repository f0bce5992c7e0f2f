/**
 * For suites that start adapters in their own process: each on any free port (tests of other checkouts run side by
 * side), without the framework's metrics server (it can exist only once per process; metrics are read from the
 * registry directly), and quiet unless LOG_LEVEL says otherwise. Call it at the top of the test file.
 */
export const useEphemeralAdapters = (): void => {
  process.env['EA_PORT'] = '0'
  process.env['METRICS_ENABLED'] = 'false'
  process.env['LOG_LEVEL'] ??= 'error'
}

/** POSTs a body (a string is sent as it is) to the adapter: the HTTP status and the JSON it answered. */
export const postJson = async <Body = unknown>(url: string, body: unknown): Promise<{ status: number; body: Body }> => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Body }
}
