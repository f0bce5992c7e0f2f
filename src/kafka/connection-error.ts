import { BifrostError } from '../errors'
import type { KafkaSettings } from './settings'

/** The broker refused the SASL credentials: retrying cannot help, the settings must change. */
export class KafkaAuthenticationError extends BifrostError {
  static override readonly code = 'BIFROST_KAFKA_AUTHENTICATION_FAILED'
}

/** The TLS handshake failed: one side does not trust the other's certificate. */
export class KafkaTlsError extends BifrostError {
  static override readonly code = 'BIFROST_KAFKA_TLS_FAILED'
  constructor(
    message: string,
    /** Whose certificate was refused: the broker's (by Bifrost) or Bifrost's client certificate (by the broker) */
    readonly refused: 'broker certificate' | 'client certificate',
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export interface Failure {
  name?: string
  message?: string
  code?: string
  cause?: unknown
  originalError?: unknown
  errors?: unknown[]
}

/** The error and everything underneath it: kafkajs wraps the socket's error in retries and aggregates. */
export const failuresOf = (err: unknown, seen = new Set<unknown>()): Failure[] => {
  if (!err || typeof err !== 'object' || seen.has(err)) return []
  seen.add(err)
  const f = err as Failure
  return [
    f,
    ...failuresOf(f.cause, seen),
    ...failuresOf(f.originalError, seen),
    ...(f.errors ?? []).flatMap((e) => failuresOf(e, seen)),
  ]
}

/** Every type and message in the error and underneath it, for matching and for a one-line report. */
export const failureText = (err: unknown): string =>
  [...new Set(failuresOf(err).flatMap((f) => [(f as { type?: string }).type, f.message]))].filter(Boolean).join(': ')

// OpenSSL alerts the broker sends when it does not accept the certificate Bifrost presented (or the lack of one).
const CLIENT_CERT_REFUSED =
  /ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE)/i
const CLIENT_CERT_REFUSED_TEXT = /alert (unknown ca|bad certificate|certificate unknown|certificate required)/i
// Node's verdicts on a broker certificate it cannot trust.
const BROKER_CERT_REFUSED =
  /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID)$/

/**
 * Says in the settings' terms why Kafka refused the connection, when it was
 * authentication or TLS; undefined otherwise. Never repeats the password, even if
 * a broker echoed it.
 */
export const explainConnectionFailure = (err: unknown, settings: KafkaSettings): BifrostError | undefined => {
  const failures = failuresOf(err)
  const redact = (text: string) => (settings.sasl.password ? text.split(settings.sasl.password).join('***') : text)
  const sasl = failures.find(
    (f) => f.name === 'KafkaJSSASLAuthenticationError' || /SASL .*authentication failed/i.test(f.message ?? ''),
  )
  if (sasl) {
    const who = settings.sasl.username ? ` as user "${settings.sasl.username}"` : ''
    return new KafkaAuthenticationError(
      `Kafka authentication failed: the broker refused SASL ${settings.sasl.mechanism ?? ''}${who} ` +
        `(${redact(
          sasl.message ?? '',
        )}); check kafka.sasl.username and kafka.sasl.password (KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD)`,
      { cause: err },
    )
  }
  const client = failures.find(
    (f) => CLIENT_CERT_REFUSED.test(f.code ?? '') || CLIENT_CERT_REFUSED_TEXT.test(f.message ?? ''),
  )
  if (client) {
    const presented = settings.sslCert
      ? `the client certificate ${settings.sslCert} (kafka.sslCert)`
      : 'no client certificate (kafka.sslCert is unset)'
    return new KafkaTlsError(
      `Kafka TLS handshake failed: the broker does not trust the client certificate — it refused ${presented} (${redact(
        client.message ?? '',
      )})`,
      'client certificate',
      { cause: err },
    )
  }
  const broker = failures.find((f) => BROKER_CERT_REFUSED.test(f.code ?? ''))
  if (broker) {
    const trust = settings.sslCa
      ? `the CA in ${settings.sslCa} (kafka.sslCa)`
      : 'the system CA store (set kafka.sslCa to a private CA)'
    return new KafkaTlsError(
      `Kafka TLS handshake failed: the broker's certificate is not trusted by ${trust} (${broker.code}: ${redact(
        broker.message ?? '',
      )})`,
      'broker certificate',
      { cause: err },
    )
  }
  return undefined
}
