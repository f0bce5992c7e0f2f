/** What stands for the hidden part of a URL */
const HIDDEN = '…'

/**
 * What may be shown of a URL that can carry a secret: scheme, host and port. A responseURL's path names the suspended
 * run and is enough to resume it; an RPC URL holds its API key in the path (`/v3/<key>`), the query (`?apikey=`) or
 * the userinfo. None of those ever reaches a log line, an error message, a metric label or printed config.
 */
export const redactUrl = (url: string): string => {
  try {
    const { protocol, host, username, password, pathname, search, hash } = new URL(url)
    const hidden = username || password || (pathname !== '/' && pathname !== '') || search || hash
    return `${protocol}//${host}${hidden ? `/${HIDDEN}` : ''}`
  } catch {
    return HIDDEN
  }
}

/**
 * Removes a secret URL from a message that may quote it (an HTTP client's error, a cause chain, an answer that echoes
 * the request), whether whole, normalised, percent-encoded, or only its secret parts.
 */
export const scrubUrl = (text: string, url: string): string => {
  const forms = new Set([url, encodeURIComponent(url)])
  try {
    const parsed = new URL(url)
    forms.add(parsed.href)
    const path = `${parsed.pathname}${parsed.search}`
    if (path.length > 1) forms.add(path)
    // Each secret-bearing part on its own too: a provider's error may quote just the key
    for (const part of [parsed.pathname, parsed.search, parsed.username, parsed.password]) {
      if (part.length > 1) forms.add(part)
      if (part.length > 1) forms.add(decodeURIComponent(part))
    }
    for (const segment of parsed.pathname.split('/')) if (segment.length >= 8) forms.add(segment)
    for (const value of parsed.searchParams.values()) if (value.length >= 8) forms.add(value)
  } catch {
    // not a URL: only the literal forms can be found
  }
  let out = text
  // Longest first, so a path inside a whole URL does not leave the host glued to a marker
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    if (form) out = out.split(form).join(redactUrl(url))
  }
  return out
}
