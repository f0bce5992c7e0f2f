// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/*
 * Stand-ins for CCIP's OnRamp and OffRamp, named as such: a real CCIP lane needs routers, price registries, token
 * pools and a DON, none of which can run here, and @chainlink/local's simulator does not emit these events. They emit
 * exactly the events of CCIP v1.5 (EVM2EVMOnRamp, EVM2EVMOffRamp) and v1.6 (OnRamp, OffRamp) — same signatures, same
 * struct layouts (Internal.EVM2EVMMessage, Internal.EVM2AnyRampMessage) — with whatever values a test gives.
 */

/// Emits what CCIP OnRamps log when a message is sent.
contract StandInCcipOnRamp {
  struct EVMTokenAmount {
    address token;
    uint256 amount;
  }

  /// v1.5 Internal.EVM2EVMMessage
  struct EVM2EVMMessage {
    uint64 sourceChainSelector;
    address sender;
    address receiver;
    uint64 sequenceNumber;
    uint256 gasLimit;
    bool strict;
    uint64 nonce;
    address feeToken;
    uint256 feeTokenAmount;
    bytes data;
    EVMTokenAmount[] tokenAmounts;
    bytes[] sourceTokenData;
    bytes32 messageId;
  }

  /// v1.6 Internal.RampMessageHeader
  struct RampMessageHeader {
    bytes32 messageId;
    uint64 sourceChainSelector;
    uint64 destChainSelector;
    uint64 sequenceNumber;
    uint64 nonce;
  }

  /// v1.6 Internal.EVM2AnyTokenTransfer
  struct EVM2AnyTokenTransfer {
    address sourcePoolAddress;
    bytes destTokenAddress;
    bytes extraData;
    uint256 amount;
    bytes destExecData;
  }

  /// v1.6 Internal.EVM2AnyRampMessage
  struct EVM2AnyRampMessage {
    RampMessageHeader header;
    address sender;
    bytes data;
    bytes receiver;
    bytes extraArgs;
    address feeToken;
    uint256 feeTokenAmount;
    uint256 feeValueJuels;
    EVM2AnyTokenTransfer[] tokenAmounts;
  }

  event CCIPSendRequested(EVM2EVMMessage message);
  event CCIPMessageSent(uint64 indexed destChainSelector, uint64 indexed sequenceNumber, EVM2AnyRampMessage message);

  function sendV15(EVM2EVMMessage calldata message) external {
    emit CCIPSendRequested(message);
  }

  function sendV16(EVM2AnyRampMessage calldata message) external {
    emit CCIPMessageSent(message.header.destChainSelector, message.header.sequenceNumber, message);
  }
}

/// Emits what CCIP OffRamps log when a message is executed (or fails to be).
contract StandInCcipOffRamp {
  /// v1.5 EVM2EVMOffRamp
  event ExecutionStateChanged(uint64 indexed sequenceNumber, bytes32 indexed messageId, uint8 state, bytes returnData);
  /// v1.6 OffRamp
  event ExecutionStateChanged(
    uint64 indexed sourceChainSelector,
    uint64 indexed sequenceNumber,
    bytes32 indexed messageId,
    bytes32 messageHash,
    uint8 state,
    bytes returnData,
    uint256 gasUsed
  );

  function executeV15(uint64 sequenceNumber, bytes32 messageId, uint8 state, bytes calldata returnData) external {
    emit ExecutionStateChanged(sequenceNumber, messageId, state, returnData);
  }

  function executeV16(
    uint64 sourceChainSelector,
    uint64 sequenceNumber,
    bytes32 messageId,
    bytes32 messageHash,
    uint8 state,
    bytes calldata returnData,
    uint256 gasUsed
  ) external {
    emit ExecutionStateChanged(sourceChainSelector, sequenceNumber, messageId, messageHash, state, returnData, gasUsed);
  }
}
