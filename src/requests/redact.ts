const REDACTED = '[redacted]'

/**
 * What may be logged about a responseURL: scheme, host and port. The path
 * names the suspended run and is enough to resume it, so it never appears.
 */
export const redactUrl = (url: string): string => {
  try {
    const { protocol, host } = new URL(url)
    return `${protocol}//${host}/${REDACTED}`
  } catch {
    return REDACTED
  }
}

/**
 * Removes a secret URL from a message that may quote it (an HTTP client's
 * error, a cause chain), whether whole, normalised, percent-encoded, or only its path.
 */
export const scrubUrl = (text: string, url: string): string => {
  const forms = new Set([url, encodeURIComponent(url)])
  try {
    const parsed = new URL(url)
    forms.add(parsed.href)
    const path = `${parsed.pathname}${parsed.search}`
    if (path.length > 1) forms.add(path)
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
