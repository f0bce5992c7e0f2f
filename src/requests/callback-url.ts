import { BifrostError } from '../errors'

/** A responseURL Bifrost will not call; the message says which setting would allow it. */
export class CallbackRefusedError extends BifrostError {
  static override readonly code = 'BIFROST_CALLBACK_REFUSED'
}

interface HostRule {
  host: string
  /** undefined: any port */
  port?: string
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' }
const SETTING = 'requests.allowedCallbackHosts (REQUESTS_ALLOWED_CALLBACK_HOSTS)'

// Entries are canonicalised by the same WHATWG parser as the URLs they are compared with
// (case, IDN, "127.1" and IPv6 spellings), but the port is taken as written: the parser drops default ports.
/** Throws a TypeError for an entry no URL could have as host (e.g. `999.1.1.1`): settings validation uses it. */
export const parseHostRule = (entry: string): HostRule => {
  const colon = entry.lastIndexOf(':')
  const hostEnd = entry.startsWith('[') ? entry.indexOf(']') + 1 : colon === -1 ? entry.length : colon
  const port = entry.slice(hostEnd + 1)
  return { host: new URL(`http://${entry.slice(0, hostEnd)}`).hostname, port: port ? String(Number(port)) : undefined }
}

export type CallbackGuard = (responseUrl: unknown) => URL

/**
 * Builds the SSRF guard for responseURLs: only http(s) to a listed host (and
 * port, when the entry names one). Refusing happens before any connection, so a
 * refused host is never contacted; DNS answers for allowed names are trusted.
 */
export const callbackGuard = (allowedHosts: string[]): CallbackGuard => {
  const rules = allowedHosts.map(parseHostRule)
  return (responseUrl) => {
    if (typeof responseUrl !== 'string' || responseUrl === '') {
      throw new CallbackRefusedError('responseURL must be a non-empty string')
    }
    let url: URL
    try {
      url = new URL(responseUrl)
    } catch {
      throw new CallbackRefusedError('responseURL is not a valid URL')
    }
    const defaultPort = DEFAULT_PORTS[url.protocol]
    if (!defaultPort) throw new CallbackRefusedError(`responseURL must use http or https, not ${url.protocol}`)
    const port = url.port || defaultPort
    const allowed = rules.some((r) => r.host === url.hostname && (r.port === undefined || r.port === port))
    if (!allowed) {
      throw new CallbackRefusedError(
        `responseURL host ${url.hostname}:${port} is not allowed; add it to ${SETTING} to let Bifrost call it`,
      )
    }
    return url
  }
}
