/**
 * The error catalogue: every code Bifrost raises or answers with, what it means, whether a retry can help and how an
 * operator fixes it. A code is public contract (users grep for it, alert on it): it never changes meaning, and a
 * retired one goes to RETIRED_ERROR_CODES and is never given out again. docs/errors.md is generated from this table
 * (`npm run docs`); a test fails when the two drift.
 */
export interface ErrorCodeInfo {
  /** The BifrostError subclass that carries this code; none for an HTTP answer that is not a thrown error */
  className?: string
  /** Whether doing the same again, unchanged, may succeed (the endpoint comes back, the chain settles) */
  retryable: boolean
  /** What happened, as an operator reads it in docs/errors.md */
  meaning: string
  /** What to do about it */
  fix: string
  /** The HTTP answer the adapter gives for it: the status and the `name` of the error in the body */
  http?: { status: number; name: string }
}

const codes = {
  BIFROST_CONFIG_INVALID: {
    className: 'ConfigError',
    retryable: false,
    meaning: 'A setting is missing, malformed or contradicts another one; start-up stops.',
    fix: 'Correct each setting the message lists by its dotted path (file or environment variable).',
  },
  BIFROST_PART_DIED: {
    className: 'PartDiedError',
    retryable: false,
    meaning:
      'A part stopped for good (its Kafka client gave up after a non-retriable error); `bifrost serve` exits 70.',
    fix: 'Read the reason (often an authorization failure), fix it, and let the orchestrator restart Bifrost.',
  },
  BIFROST_KAFKA_AUTHENTICATION_FAILED: {
    className: 'KafkaAuthenticationError',
    retryable: false,
    meaning: 'The broker refused the SASL credentials.',
    fix: 'Correct `kafka.sasl.*` (mechanism, username, password).',
  },
  BIFROST_KAFKA_TLS_FAILED: {
    className: 'KafkaTlsError',
    retryable: false,
    meaning: "The TLS handshake with the broker failed: one side does not trust the other's certificate.",
    fix: 'Point `kafka.tls.*` at the CA that signed the broker certificate (and the client certificate it expects).',
  },
  BIFROST_TOPICS_MISSING: {
    className: 'MissingTopicsError',
    retryable: false,
    meaning: 'Topics a part needs do not exist, and Bifrost does not create them.',
    fix: 'Create the listed topics with the partitions and configs the message gives.',
  },
  BIFROST_TOPIC_CREATION_REFUSED: {
    className: 'TopicCreationError',
    retryable: false,
    meaning: 'Bifrost may not create its internal topics (no ACL, or the cluster refused).',
    fix: 'Have the listed topics created with the settings the message gives, or grant Bifrost CREATE on them.',
  },
  BIFROST_TOPIC_CHECK_FAILED: {
    className: 'TopicCheckError',
    retryable: true,
    meaning: 'The topics could not be read, or a created topic got no leader: the cluster is at fault.',
    fix: 'Check the health of the Kafka cluster; start again once it answers.',
  },
  BIFROST_TOPIC_READ_FAILED: {
    className: 'TopicReadError',
    retryable: true,
    meaning: 'A topic (or its offsets) could not be read: it does not exist, or the broker failed the read.',
    fix: 'Check that the topic named in the message exists and that Bifrost may DESCRIBE and READ it.',
  },
  BIFROST_OUTPUT_SCAN_FAILED: {
    className: 'OutputScanError',
    retryable: true,
    meaning: 'Scanning an output topic for what was already published failed or did not reach its end in time.',
    fix: 'Check the health of the Kafka cluster; the scan runs again on the next start.',
  },
  BIFROST_FEED_INGEST_FAILED: {
    className: 'FeedIngestError',
    retryable: false,
    meaning: 'The feeds part cannot start consuming: a feed topic is missing or its offsets cannot be read.',
    fix: 'Create the topics named in `feeds.topics`, or correct that setting.',
  },
  BIFROST_FEED_NOT_FOUND: {
    retryable: false,
    meaning: 'No record with this feed id has been read (feed ids are case-sensitive).',
    fix: 'Ask for a feed id that a producer writes as the record key to a topic of `feeds.topics`.',
    http: { status: 404, name: 'FeedNotFound' },
  },
  BIFROST_FEED_STALE: {
    retryable: true,
    meaning:
      "The feed's newest value is older than the allowed age (the request's maxAgeSeconds or `feeds.maxAgeSeconds`).",
    fix: 'Check that the feed producer still writes; raise `feeds.maxAgeSeconds` only if the data is meant to be that slow.',
    http: { status: 503, name: 'FeedStale' },
  },
  BIFROST_FEED_TOO_FEW_SOURCES: {
    retryable: true,
    meaning: 'Fewer sources have a fresh value for the feed than the request asks for (minSources).',
    fix: 'Check the missing sources; ask for a lower minSources if fewer are expected.',
    http: { status: 503, name: 'FeedTooFewSources' },
  },
  BIFROST_FEEDS_NOT_READY: {
    retryable: true,
    meaning: 'The feeds part has not yet caught up with its topics since start-up.',
    fix: 'Wait: the answer comes once the feed topics have been read to the end.',
    http: { status: 503, name: 'FeedsNotReady' },
  },
  BIFROST_REQUESTS_START_FAILED: {
    className: 'RequestsStartError',
    retryable: false,
    meaning: 'The requests part could not start (its topics or consumer group could not be used).',
    fix: 'Read the cause; check the `requests.*` topics and the ACLs of the consumer group.',
  },
  BIFROST_REQUEST_PUBLISH_FAILED: {
    className: 'RequestPublishError',
    retryable: true,
    meaning: 'The request could not be written to Kafka; nothing was published.',
    fix: 'Sending the request again is safe; check the Kafka cluster if it persists.',
    http: { status: 503, name: 'RequestsUnavailable' },
  },
  BIFROST_REQUESTS_UNAVAILABLE: {
    className: 'RequestsUnavailableError',
    retryable: true,
    meaning: 'The requests part is starting or stopping: the request was not taken.',
    fix: 'Send the request again.',
    http: { status: 503, name: 'RequestsUnavailable' },
  },
  BIFROST_REQUEST_TIMEOUT: {
    className: 'RequestTimeoutError',
    retryable: true,
    meaning: 'No reply arrived on the reply topic within the request timeout.',
    fix: 'Check that the responder consumes the request topic and replies; raise the request timeout if it is slow.',
    http: { status: 504, name: 'RequestTimeout' },
  },
  BIFROST_REQUEST_TOO_LARGE: {
    className: 'RequestTooLargeError',
    retryable: false,
    meaning: 'The request record would exceed `requests.maxRequestBytes`; nothing was published.',
    fix: 'Send a smaller request, or raise `requests.maxRequestBytes` (and the topic max.message.bytes).',
    http: { status: 413, name: 'RequestTooLarge' },
  },
  BIFROST_TOO_MANY_CALLBACKS: {
    className: 'TooManyCallbacksError',
    retryable: true,
    meaning: 'The open request already has `requests.maxCallbacks` responseURLs waiting for its answer.',
    fix: 'Send it again once the open request is answered, or raise `requests.maxCallbacks`.',
    http: { status: 429, name: 'TooManyCallbacks' },
  },
  BIFROST_REQUEST_FAILED: {
    retryable: false,
    meaning: 'The responder answered the request with an error.',
    fix: 'Read the error the responder gave; it is part of the answer.',
    http: { status: 502, name: 'RequestFailed' },
  },
  BIFROST_CALLBACK_REFUSED: {
    className: 'CallbackRefusedError',
    retryable: false,
    meaning: 'Bifrost will not call this responseURL (scheme, host or address not allowed).',
    fix: 'Use a responseURL the `requests.callback*` settings allow, or allow it there.',
  },
  BIFROST_STREAMS_FAILED: {
    className: 'StreamsError',
    retryable: false,
    meaning: 'The Data Streams server cannot start: a file it needs cannot be read, or it cannot listen.',
    fix: 'Correct the `streams.*` setting the message names.',
  },
  BIFROST_API_QUERY_INVALID: {
    className: 'ApiQueryError',
    retryable: false,
    meaning: 'A query parameter of the operator API cannot be used; answered 400 naming the parameter.',
    fix: 'Correct the parameter; /api/openapi.json describes each one.',
  },
  BIFROST_API_LISTEN_FAILED: {
    className: 'ApiServerError',
    retryable: false,
    meaning: 'The status page and operator API cannot listen on `http.host`:`http.port`.',
    fix: 'Choose a free port or an address of this host.',
  },
  BIFROST_RPC_REFUSED: {
    className: 'RpcError',
    retryable: true,
    meaning: 'A chain RPC endpoint answered with a JSON-RPC error.',
    fix: 'Usually passes on its own (another endpoint answers); check the endpoint plan if it persists.',
  },
  BIFROST_RPC_UNREACHABLE: {
    className: 'RpcTransportError',
    retryable: true,
    meaning: 'A chain RPC endpoint gave no usable answer (connection refused, timeout, HTTP error, not JSON-RPC).',
    fix: 'Check the endpoint in `events.chains.*.rpcUrls`; Bifrost fails over to the others meanwhile.',
  },
  BIFROST_RPC_NO_ENDPOINT: {
    className: 'NoEndpointError',
    retryable: true,
    meaning: 'No RPC endpoint of the chain can serve the request now (all down, or none has the block yet).',
    fix: 'Bifrost retries on its own; add endpoints to `events.chains.*.rpcUrls` if it happens often.',
  },
  BIFROST_RPC_MALFORMED_ANSWER: {
    className: 'MalformedAnswerError',
    retryable: true,
    meaning: 'An RPC endpoint answered with something the method does not return (a block without a hash, say).',
    fix: 'Bifrost skips that endpoint for a while; replace it if it keeps answering nonsense.',
  },
  BIFROST_CHAIN_MOVED: {
    className: 'ChainMovedError',
    retryable: true,
    meaning: 'The chain moved between two requests, so the answers do not hang together.',
    fix: 'Nothing: Bifrost asks again.',
  },
  BIFROST_REORG_TOO_DEEP: {
    className: 'ReorgTooDeepError',
    retryable: false,
    meaning: 'The chain reorganised below the oldest block Bifrost tracks; the chain is halted.',
    fix: 'Decide what to do with what was published, then run `bifrost events resume --chain <name>` (docs/outbound.md).',
  },
  BIFROST_CHAIN_HALTED: {
    className: 'ChainHaltedError',
    retryable: false,
    meaning: 'The chain is halted (its checkpoint says so): nothing is published for it.',
    fix: 'Run `bifrost events resume --chain <name>` once the operator has decided (docs/outbound.md).',
  },
  BIFROST_RESUME_REFUSED: {
    className: 'ResumeRefusedError',
    retryable: false,
    meaning:
      '`bifrost events resume` cannot do what it was asked (no such chain, not halted, a block it cannot resume from).',
    fix: 'Correct the command as the message says.',
  },
  BIFROST_EVENT_PUBLISH_FAILED: {
    className: 'PublishError',
    retryable: false,
    meaning: 'Kafka did not take a send of chain events: the run stops and resumes from what Kafka holds.',
    fix: 'Nothing unless it persists: then check the events topics and the Kafka cluster.',
  },
  BIFROST_TRANSACTION_ABORTED: {
    className: 'TransactionAbortedError',
    retryable: false,
    meaning:
      'Something failed while a Kafka transaction was open: it was aborted (or fenced) and nothing in it counts.',
    fix: 'Nothing unless it persists: the run resumes from what Kafka holds.',
  },
  BIFROST_LEADER_ELECTION_FAILED: {
    className: 'LeaderElectionError',
    retryable: true,
    meaning: 'A chain cannot join the leader election on its checkpoint topic (does the topic exist?).',
    fix: 'Check the checkpoint topic and the ACLs of the election consumer group.',
  },
  BIFROST_LOG_DECODE_FAILED: {
    className: 'LogDecodeError',
    retryable: false,
    meaning: 'A chain log could not be decoded as the event it claims to be; it goes to the dead-letter topic.',
    fix: 'Check the contract address and kind in the chain settings.',
  },
  BIFROST_ABI_DECODE_FAILED: {
    className: 'AbiDecodeError',
    retryable: false,
    meaning: 'ABI data does not match the types it should hold.',
    fix: 'Check that the contract is the kind the settings say it is.',
  },
  BIFROST_CBOR_INVALID: {
    className: 'CborError',
    retryable: false,
    meaning: 'The CBOR of an oracle request is malformed or uses what Chainlink requests do not.',
    fix: 'The request is dead-lettered; fix the contract that builds it.',
  },
  BIFROST_FULFILLMENT_LOOKUP_FAILED: {
    className: 'FulfillmentLookupError',
    retryable: true,
    meaning: 'The transaction of an event could not be fetched: the chain side failed, so the batch is read again.',
    fix: 'Nothing unless it persists: then check the RPC endpoints.',
  },
  BIFROST_USAGE: {
    className: 'UsageError',
    retryable: false,
    meaning: 'A command line that cannot work.',
    fix: 'Correct the flag the message names; `bifrost help` lists them.',
  },
  BIFROST_JOB_SPEC_INVALID: {
    className: 'JobSpecError',
    retryable: false,
    meaning: 'A job spec cannot be printed from what was given.',
    fix: 'Give the flag or setting the message names.',
  },
  BIFROST_BRIDGE_REGISTER_FAILED: {
    className: 'BridgeRegisterError',
    retryable: false,
    meaning: "The Chainlink node's operator API refused or failed a step of registering the bridge.",
    fix: 'Read which step and what the node answered; check the node URL and credentials.',
  },
  BIFROST_DEV_TEST_BROKER_FAILED: {
    className: 'TestBrokerError',
    retryable: false,
    meaning: 'A Kafka broker for tests or `bifrost dev` could not be made, started or used (development only).',
    fix: 'Check the C compiler (mock broker) or java and mvn (`--apache`).',
  },
  BIFROST_DEV_ANVIL_FAILED: {
    className: 'AnvilError',
    retryable: false,
    meaning: 'The local anvil chain could not be started or used (development only).',
    fix: 'Reinstall dependencies (`npm ci`) so the anvil binary is present.',
  },
  BIFROST_DEV_CONTRACTS_FAILED: {
    className: 'ContractsError',
    retryable: false,
    meaning: 'The demo contracts could not be compiled or deployed (development only).',
    fix: 'Reinstall dependencies (`npm ci`); delete .cache if a compiled artefact is damaged.',
  },
  BIFROST_DEV_TRANSACTION_FAILED: {
    className: 'TransactionError',
    retryable: false,
    meaning: 'A transaction sent by the dev tooling reverted or was not mined (development only).',
    fix: 'Read the revert reason in the message.',
  },
  BIFROST_DEV_CHAINLINK_NODE_SIM_FAILED: {
    className: 'ChainlinkNodeSimError',
    retryable: false,
    meaning: 'The stand-in Chainlink node could not run a job (development only).',
    fix: 'Read the message; it names the job and the step.',
  },
  BIFROST_DEV_JOB_RUN_FAILED: {
    className: 'JobRunError',
    retryable: false,
    meaning: "A task of the stand-in node's job run failed, as it would fail on a node (development only).",
    fix: 'Read the task and the answer it got in the message.',
  },
  BIFROST_DEV_CRE_DON_SIM_FAILED: {
    className: 'CreDonSimError',
    retryable: false,
    meaning: 'The stand-in CRE DON could not sign or deliver a report (development only).',
    fix: 'Read the message; it names the report and the step.',
  },
} as const satisfies Record<`BIFROST_${string}`, ErrorCodeInfo>

export type ErrorCode = keyof typeof codes

export const ERROR_CODES: Readonly<Record<ErrorCode, ErrorCodeInfo>> = codes

/** Codes once given out and since withdrawn: never reused, so an old alert or runbook never matches a new meaning. */
export const RETIRED_ERROR_CODES: readonly string[] = []
