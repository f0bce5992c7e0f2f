/**
 * The events Bifrost watches, as human-readable ethers fragments. They are public
 * facts of deployed contracts: a changed parameter type or `indexed` changes the
 * topic hash, so test/outbound/abi.test.ts pins every one.
 */
export const EVENT_FRAGMENTS = {
  /** Chainlink Operator (@chainlink/contracts operatorforwarder/Operator.sol) */
  operator: [
    'event OracleRequest(bytes32 indexed specId, address requester, bytes32 requestId, uint256 payment, address callbackAddr, bytes4 callbackFunctionId, uint256 cancelExpiration, uint256 dataVersion, bytes data)',
    'event OracleResponse(bytes32 indexed requestId)',
    'event CancelOracleRequest(bytes32 indexed requestId)',
  ],
  /** Any consumer built on ChainlinkClient.sol */
  client: [
    'event ChainlinkRequested(bytes32 indexed id)',
    'event ChainlinkFulfilled(bytes32 indexed id)',
    'event ChainlinkCancelled(bytes32 indexed id)',
  ],
  /** Price feeds: AggregatorInterface (FluxAggregator, OCR) and OCR2Aggregator's report event */
  aggregator: [
    'event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt)',
    'event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt)',
    'event NewTransmission(uint32 indexed aggregatorRoundId, int192 answer, address transmitter, uint32 observationsTimestamp, int192[] observations, bytes observers, int192 juelsPerFeeCoin, bytes32 configDigest, uint40 epochAndRound)',
  ],
} as const

/** The Operator's fulfilment entry points, decoded from an OracleResponse's transaction. */
export const OPERATOR_FULFILL_FRAGMENTS = [
  'function fulfillOracleRequest(bytes32 requestId, uint256 payment, address callbackAddress, bytes4 callbackFunctionId, uint256 expiration, bytes32 data)',
  'function fulfillOracleRequest2(bytes32 requestId, uint256 payment, address callbackAddress, bytes4 callbackFunctionId, uint256 expiration, bytes data)',
] as const

/** AuthorizedForwarder: nodes that send through a forwarder wrap the Operator call in this. */
export const FORWARDER_FRAGMENTS = ['function forward(address to, bytes data)'] as const
