import assert from 'node:assert/strict'
import { test } from 'node:test'
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSSASLAuthenticationError } from 'kafkajs'
import { explainConnectionFailure, KafkaAuthenticationError, KafkaTlsError } from '../../src/kafka/connection-error'
import { kafkaSettings } from '../../src/kafka/settings'

// The failures as kafkajs raises them (its own error classes, wrapped as its retries wrap them);
// the real broker's refusals are proven in connection-security.test.ts under `npm run test:kafka`.
const settings = kafkaSettings.parse({
  sasl: { mechanism: 'scram-sha-512', username: 'svc', password: 'p4ss-w0rd' },
  sslCa: '/etc/kafka/ca.pem',
  sslCert: '/etc/kafka/client.pem',
  sslKey: '/etc/kafka/client.key',
})
// kafkajs' types declare no constructor arguments for it; its code passes the broker's message.
const SaslError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error
const retried = (e: Error) => new KafkaJSNumberOfRetriesExceeded(e, { retryCount: 2, retryTime: 300 })
const socketError = (message: string, code: string) =>
  new KafkaJSConnectionError(`Connection error: ${message}`, { broker: '127.0.0.1:9093', code })

test('a refused login says authentication failed, names the user and the settings, and never the password', () => {
  // A broker that echoes what it was sent must not get the password into the message either.
  const err = explainConnectionFailure(
    new SaslError('SASL SCRAM SHA512 authentication failed: bad credentials p4ss-w0rd'),
    settings,
  )
  assert.ok(err instanceof KafkaAuthenticationError)
  assert.match(err.message, /^Kafka authentication failed: the broker refused SASL scram-sha-512 as user "svc"/)
  assert.match(err.message, /kafka\.sasl\.password/)
  assert.doesNotMatch(err.message, /p4ss-w0rd/)
})

test('a TLS alert from the broker after retries says it does not trust the client certificate, naming the file', () => {
  const err = explainConnectionFailure(
    retried(socketError('sslv3 alert certificate unknown', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN')),
    settings,
  )
  assert.ok(err instanceof KafkaTlsError)
  assert.equal(err.refused, 'client certificate')
  assert.match(
    err.message,
    /the broker does not trust the client certificate .*\/etc\/kafka\/client\.pem \(kafka\.sslCert\)/,
  )
})

test('a broker certificate Node cannot verify points at kafka.sslCa', () => {
  const err = explainConnectionFailure(
    socketError('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
    kafkaSettings.parse({ ssl: true }),
  )
  assert.ok(err instanceof KafkaTlsError)
  assert.equal(err.refused, 'broker certificate')
  assert.match(err.message, /not trusted by the system CA store \(set kafka\.sslCa to a private CA\)/)
})

test('other failures are left as they are', () => {
  assert.equal(explainConnectionFailure(socketError('connect ECONNREFUSED', 'ECONNREFUSED'), settings), undefined)
})
