import { BifrostError } from '../../errors'

/** A query parameter the API cannot use: answered 400, naming the parameter. */
export class ApiQueryError extends BifrostError {
  static override readonly code = 'BIFROST_API_QUERY_INVALID'
  constructor(
    readonly parameter: string,
    reason: string,
  ) {
    super(`${parameter}: ${reason}`)
  }
}

type Query = Record<string, unknown>

/** One string value: a repeated parameter is refused rather than silently picking one. */
export const stringParam = (query: Query, name: string): string | undefined => {
  const value = query[name]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new ApiQueryError(name, 'give it once, as a plain value')
  return value
}

export const intParam = (query: Query, name: string, bounds: { min: number; max: number; default: number }): number => {
  const text = stringParam(query, name)
  if (text === undefined) return bounds.default
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < bounds.min || value > bounds.max) {
    throw new ApiQueryError(name, `expected a whole number from ${bounds.min} to ${bounds.max}, got "${text}"`)
  }
  return value
}

export const enumParam = <T extends string>(query: Query, name: string, options: readonly T[], fallback: T): T => {
  const text = stringParam(query, name)
  if (text === undefined) return fallback
  if (!(options as readonly string[]).includes(text)) {
    throw new ApiQueryError(name, `expected one of ${options.join(', ')}, got "${text}"`)
  }
  return text as T
}
