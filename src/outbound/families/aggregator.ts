import type { ContractFamily } from './family'

/** Which argument holds the round */
const ROUND_ID_ARG: Record<string, string> = {
  AnswerUpdated: 'roundId',
  NewRound: 'roundId',
  NewTransmission: 'aggregatorRoundId',
}

/** Price feeds: AggregatorInterface (FluxAggregator, OCR) and OCR2Aggregator's report event; keyed by round. */
export const aggregator = {
  kind: 'aggregator',
  fragments: [
    'event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt)',
    'event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt)',
    'event NewTransmission(uint32 indexed aggregatorRoundId, int192 answer, address transmitter, uint32 observationsTimestamp, int192[] observations, bytes observers, int192 juelsPerFeeCoin, bytes32 configDigest, uint40 epochAndRound)',
  ],
  identify: ({ name, args, address, chainId }) => {
    const roundId = args[ROUND_ID_ARG[name]] as string
    return { key: `${chainId}:${address}:${roundId}`, fields: { roundId } }
  },
  describe: (e) => (e.event === 'AnswerUpdated' ? [`answer ${String(e.args['current'])}`] : []),
} as const satisfies ContractFamily

export interface AggregatorFields {
  /** Aggregator events: the round */
  roundId?: string
}
