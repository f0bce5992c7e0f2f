import { BUILT_IN_FRAGMENTS } from './families'

/**
 * The built-in events of every contract family, by kind, as human-readable ethers
 * fragments (derived from ./families). They are public facts of deployed
 * contracts: a changed parameter type or `indexed` changes the topic hash, so
 * test/outbound/abi.test.ts pins every one.
 */
export const EVENT_FRAGMENTS = BUILT_IN_FRAGMENTS

export {
  AUTHORIZED_FORWARDER_FRAGMENTS as FORWARDER_FRAGMENTS,
  OPERATOR_FULFILL_FRAGMENTS,
} from './families/operator-fulfillment'
