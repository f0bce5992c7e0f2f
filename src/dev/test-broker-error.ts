import { BifrostError } from '../errors'

/** A Kafka broker for tests, benchmarks or `bifrost dev` (librdkafka mock or Apache Kafka) could not be made, started or used */
export class TestBrokerError extends BifrostError {
  static override readonly code = 'BIFROST_DEV_TEST_BROKER_FAILED'
}
