/** A part of Bifrost that may not be able to answer truthfully yet (e.g. still re-reading its topics). */
export interface ReadinessCheck {
  name: string
  /** undefined when ready, otherwise why not */
  notReadyReason(): string | undefined
  /**
   * What is wrong in the part without making the process unready, by what it concerns (a chain halted or cut off
   * from its RPC endpoints): reported in `/ready`'s `checks` as `<name>.<key>`, while `/ready` stays 200, so feed
   * replicas do not leave the load balancer because a chain stopped.
   */
  conditions?(): Record<string, string>
}

export interface ReadinessReport {
  ready: boolean
  checks: Record<string, string>
}

export const readinessReport = (checks: ReadinessCheck[]): ReadinessReport => {
  const out: Record<string, string> = {}
  for (const check of checks) out[check.name] = check.notReadyReason() ?? 'ready'
  const ready = Object.values(out).every((v) => v === 'ready')
  for (const check of checks) {
    for (const [key, text] of Object.entries(check.conditions?.() ?? {})) out[`${check.name}.${key}`] = text
  }
  return { ready, checks: out }
}
