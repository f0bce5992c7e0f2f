// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {AggregatorInterface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorInterface.sol";

/// @notice Emits what a price feed emits, without an off-chain network behind it:
/// AnswerUpdated and NewRound from Chainlink's AggregatorInterface, and NewTransmission
/// with the OCR2Aggregator signature (libocr), so every aggregator event Bifrost
/// watches can be produced on a test chain.
contract DemoAggregator is AggregatorInterface {
  event NewTransmission(
    uint32 indexed aggregatorRoundId,
    int192 answer,
    address transmitter,
    uint32 observationsTimestamp,
    int192[] observations,
    bytes observers,
    int192 juelsPerFeeCoin,
    bytes32 configDigest,
    uint40 epochAndRound
  );

  uint256 public override latestRound;
  mapping(uint256 => int256) public override getAnswer;
  mapping(uint256 => uint256) public override getTimestamp;

  /// @notice One OCR2 round: the median of the observations becomes the answer.
  function transmit(int192[] calldata observations, bytes calldata observers, bytes32 configDigest) external {
    require(observations.length > 0, "no observations");
    int192 median = observations[observations.length / 2];
    uint256 roundId = _newRound(median);
    emit NewTransmission(
      uint32(roundId),
      median,
      msg.sender,
      uint32(block.timestamp),
      observations,
      observers,
      0,
      configDigest,
      uint40(roundId)
    );
    emit AnswerUpdated(median, roundId, block.timestamp);
  }

  /// @notice What a cron job's ethtx calls (bridge -> jsonparse -> multiply -> ethabiencode -> ethtx):
  /// one answer, one round, no off-chain network.
  function updateAnswer(int256 answer) external {
    uint256 roundId = _newRound(answer);
    emit AnswerUpdated(answer, roundId, block.timestamp);
  }

  function _newRound(int256 answer) private returns (uint256 roundId) {
    roundId = latestRound + 1;
    latestRound = roundId;
    getAnswer[roundId] = answer;
    getTimestamp[roundId] = block.timestamp;
    emit NewRound(roundId, msg.sender, block.timestamp);
  }

  function latestAnswer() external view override returns (int256) {
    return getAnswer[latestRound];
  }

  function latestTimestamp() external view override returns (uint256) {
    return getTimestamp[latestRound];
  }
}
