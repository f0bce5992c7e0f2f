import { BifrostError } from '../errors'

export class CborError extends BifrostError {
  static override readonly code = 'BIFROST_CBOR_INVALID'
}

/** What the decoder produces: bytes as 0x hex, integers beyond 2^53 as bigint. */
export type CborValue =
  number | bigint | string | boolean | null | undefined | CborValue[] | { [key: string]: CborValue }

const BREAK = Symbol('break')

const hex = (bytes: Uint8Array): string => `0x${Buffer.from(bytes).toString('hex')}`

/**
 * The CBOR (RFC 8949) subset Chainlink requests use: what CBORChainlink.sol
 * writes (integers, tagged bignums, byte and text strings, indefinite arrays and
 * maps) plus definite lengths, simple values and floats, so requests built
 * off-chain with any CBOR library also decode.
 */
const decoder = (bytes: Uint8Array) => {
  let pos = 0
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

  const need = (n: number) => {
    if (pos + n > bytes.length)
      throw new CborError(`CBOR ends early: need ${n} byte(s) at offset ${pos} of ${bytes.length}`)
  }

  const argument = (info: number): number | bigint => {
    if (info < 24) return info
    const sizes: Record<number, number> = { 24: 1, 25: 2, 26: 4, 27: 8 }
    const size = sizes[info]
    if (!size) throw new CborError(`unsupported CBOR additional info ${info} at offset ${pos - 1}`)
    need(size)
    const at = pos
    pos += size
    if (size === 1) return view.getUint8(at)
    if (size === 2) return view.getUint16(at)
    if (size === 4) return view.getUint32(at)
    const big = view.getBigUint64(at)
    return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big
  }

  const length = (info: number, what: string): number => {
    const n = argument(info)
    if (typeof n === 'bigint' || n > bytes.length) throw new CborError(`CBOR ${what} length ${n} exceeds the input`)
    return n
  }

  const chunks = (major: number, info: number): Uint8Array => {
    if (info !== 31) {
      const n = length(info, major === 2 ? 'byte string' : 'text string')
      need(n)
      pos += n
      return bytes.subarray(pos - n, pos)
    }
    const parts: Uint8Array[] = []
    for (;;) {
      need(1)
      const head = bytes[pos++]
      if (head === 0xff) return Buffer.concat(parts)
      if (head >> 5 !== major || (head & 31) === 31)
        throw new CborError(`bad chunk in an indefinite-length string at offset ${pos - 1}`)
      parts.push(chunks(major, head & 31))
    }
  }

  const negate = (n: number | bigint): number | bigint =>
    typeof n === 'bigint' || n > Number.MAX_SAFE_INTEGER ? -1n - BigInt(n) : -1 - n

  const bignum = (value: CborValue, negative: boolean): bigint => {
    if (typeof value !== 'string' || !value.startsWith('0x'))
      throw new CborError('CBOR bignum tag must wrap a byte string')
    const n = value === '0x' ? 0n : BigInt(value)
    return negative ? -1n - n : n
  }

  const item = (): CborValue | typeof BREAK => {
    need(1)
    const head = bytes[pos++]
    const major = head >> 5
    const info = head & 31
    switch (major) {
      case 0:
        return argument(info)
      case 1:
        return negate(argument(info))
      case 2:
        return hex(chunks(2, info))
      case 3:
        return Buffer.from(chunks(3, info)).toString('utf8')
      case 4: {
        const out: CborValue[] = []
        const n = info === 31 ? Infinity : length(info, 'array')
        while (out.length < n) {
          const next = item()
          if (next === BREAK) {
            if (n === Infinity) break
            throw new CborError(`unexpected break inside a definite array at offset ${pos - 1}`)
          }
          out.push(next)
        }
        return out
      }
      case 5: {
        const out: { [key: string]: CborValue } = {}
        const n = info === 31 ? Infinity : length(info, 'map')
        for (let i = 0; i < n; i++) {
          const key = item()
          if (key === BREAK) {
            if (n === Infinity) break
            throw new CborError(`unexpected break inside a definite map at offset ${pos - 1}`)
          }
          const value = item()
          if (value === BREAK) throw new CborError(`map key ${String(key)} has no value`)
          out[String(key)] = value
        }
        return out
      }
      case 6: {
        const tag = argument(info)
        const value = item()
        if (value === BREAK) throw new CborError(`tag ${tag} wraps nothing`)
        if (tag === 2) return bignum(value, false)
        if (tag === 3) return bignum(value, true)
        return value
      }
      default:
        if (info === 20) return false
        if (info === 21) return true
        if (info === 22) return null
        if (info === 23) return undefined
        if (info === 25) {
          need(2)
          pos += 2
          return halfFloat(view.getUint16(pos - 2))
        }
        if (info === 26) {
          need(4)
          pos += 4
          return view.getFloat32(pos - 4)
        }
        if (info === 27) {
          need(8)
          pos += 8
          return view.getFloat64(pos - 8)
        }
        if (info === 31) return BREAK
        throw new CborError(`unsupported CBOR simple value ${info} at offset ${pos - 1}`)
    }
  }

  return {
    item,
    get done() {
      return pos >= bytes.length
    },
    get pos() {
      return pos
    },
  }
}

const halfFloat = (half: number): number => {
  const exponent = (half >> 10) & 0x1f
  const fraction = half & 0x3ff
  const sign = half & 0x8000 ? -1 : 1
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024)
  if (exponent === 31) return fraction ? NaN : sign * Infinity
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024)
}

const toBytes = (input: Uint8Array | string): Uint8Array => {
  if (typeof input !== 'string') return input
  if (!/^0x([0-9a-fA-F]{2})*$/.test(input)) throw new CborError('CBOR input must be 0x-prefixed hex')
  return Buffer.from(input.slice(2), 'hex')
}

/** One CBOR data item, which must fill the input. */
export const decodeCbor = (input: Uint8Array | string): CborValue => {
  const d = decoder(toBytes(input))
  const value = d.item()
  if (value === BREAK) throw new CborError('CBOR input starts with a break')
  if (!d.done) throw new CborError(`trailing bytes after the CBOR item at offset ${d.pos}`)
  return value
}

/**
 * A Chainlink request's `data`: the key/value pairs of a map whose opening and
 * closing bytes ChainlinkClient leaves off (the node calls this "diet" CBOR).
 * A buffer that does carry its own map header is accepted too, as the node does.
 */
export const decodeRequestParams = (input: Uint8Array | string): Record<string, CborValue> => {
  const bytes = toBytes(input)
  if (bytes.length === 0) return {}
  const first = bytes[0]
  const wrapped = first >> 5 === 5 ? bytes : Buffer.concat([Buffer.from([0xbf]), bytes, Buffer.from([0xff])])
  const value = decodeCbor(wrapped)
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CborError('Chainlink request data must be a CBOR map')
  }
  return value
}
