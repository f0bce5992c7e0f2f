import { AdapterError } from '@chainlink/external-adapter-framework/validation/error'
import { ERROR_CODES, type ErrorCode } from '../error-codes'
import { BifrostError } from '../errors'

/**
 * The error answer of the adapter for a catalogued code: the HTTP status and the error `name` in the body come from
 * the error catalogue, so a client sees the same name in every version and docs/errors.md lists it.
 */
export const answerError = (code: ErrorCode, message: string): AdapterError => {
  const http = ERROR_CODES[code].http
  if (!http) throw new TypeError(`${code} has no HTTP answer in the error catalogue (src/error-codes.ts)`)
  return new AdapterError({ statusCode: http.status, name: http.name, message })
}

/** A BifrostError whose code has an HTTP answer becomes that answer; anything else is returned as it is. */
export const asAnswer = (err: unknown): unknown =>
  err instanceof BifrostError && ERROR_CODES[err.code].http ? answerError(err.code, err.message) : err
