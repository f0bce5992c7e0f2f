/** A part of Bifrost that may not be able to answer truthfully yet (e.g. still re-reading its topics). */
export interface ReadinessCheck {
  name: string
  /** undefined when ready, otherwise why not */
  notReadyReason(): string | undefined
}

export interface ReadinessReport {
  ready: boolean
  checks: Record<string, string>
}

export const readinessReport = (checks: ReadinessCheck[]): ReadinessReport => {
  const out: Record<string, string> = {}
  for (const check of checks) out[check.name] = check.notReadyReason() ?? 'ready'
  return { ready: Object.values(out).every((v) => v === 'ready'), checks: out }
}
