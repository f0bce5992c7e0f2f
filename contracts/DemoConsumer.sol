// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {Chainlink} from "@chainlink/contracts/src/v0.8/operatorforwarder/Chainlink.sol";
import {ChainlinkClient} from "@chainlink/contracts/src/v0.8/operatorforwarder/ChainlinkClient.sol";

/// @notice A consumer written the way Chainlink's docs teach it: it asks a job for
/// a feed, either as a classic request (dataVersion 1, answered by
/// fulfillOracleRequest with one bytes32) or as an operator request (dataVersion 2,
/// answered by fulfillOracleRequest2 with ABI-encoded words).
contract DemoConsumer is ChainlinkClient {
  using Chainlink for Chainlink.Request;

  uint256 public latestAnswer;
  bytes32 public latestRequestId;
  mapping(bytes32 => uint256) public answers;

  constructor(address link, address operator) {
    _setChainlinkToken(link);
    _setChainlinkOracle(operator);
  }

  /// @notice dataVersion 1: `_sendChainlinkRequest`, fulfilled through `fulfill`.
  function requestChainlink(
    bytes32 specId,
    string calldata feed,
    int256 times,
    uint256 payment
  ) external returns (bytes32) {
    Chainlink.Request memory req = _buildChainlinkRequest(specId, address(this), this.fulfill.selector);
    req._add("feed", feed);
    req._addInt("times", times);
    return _sendChainlinkRequest(req, payment);
  }

  /// @notice dataVersion 2: `_sendOperatorRequest`, fulfilled through `fulfillUint`.
  function requestOperator(
    bytes32 specId,
    string calldata feed,
    int256 times,
    uint256 payment
  ) external returns (bytes32) {
    Chainlink.Request memory req = _buildOperatorRequest(specId, this.fulfillUint.selector);
    req._add("feed", feed);
    req._addInt("times", times);
    return _sendOperatorRequest(req, payment);
  }

  function fulfill(bytes32 requestId, bytes32 answer) external recordChainlinkFulfillment(requestId) {
    _record(requestId, uint256(answer));
  }

  function fulfillUint(bytes32 requestId, uint256 answer) external recordChainlinkFulfillment(requestId) {
    _record(requestId, answer);
  }

  /// @notice Gives up on a request after its expiration (emits ChainlinkCancelled and CancelOracleRequest).
  function cancel(bytes32 requestId, uint256 payment, bytes4 callbackFunctionId, uint256 expiration) external {
    _cancelChainlinkRequest(requestId, payment, callbackFunctionId, expiration);
  }

  function _record(bytes32 requestId, uint256 answer) private {
    answers[requestId] = answer;
    latestAnswer = answer;
    latestRequestId = requestId;
  }
}
