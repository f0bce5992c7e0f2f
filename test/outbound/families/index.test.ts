import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { EventFragment, FunctionFragment, Interface } from 'ethers'
import { loadArtifacts, type ContractName } from '../../../src/dev/contracts'
import { FORWARDER_REPORT_FRAGMENTS } from '../../../src/outbound/families/forwarder-report'
import { VERIFIER_PROXY_FRAGMENTS } from '../../../src/outbound/families/verifier-report'
import { BUILT_IN_FRAGMENTS as EVENT_FRAGMENTS, FAMILIES, type ContractFamily } from '../../../src/outbound/families'
import {
  AUTHORIZED_FORWARDER_FRAGMENTS as FORWARDER_FRAGMENTS,
  OPERATOR_FULFILL_FRAGMENTS,
} from '../../../src/outbound/families/operator-fulfillment'

/** topic0 of every watched event: a changed fragment would silently watch nothing, so each is pinned. */
const PINNED_TOPICS: Record<string, Record<string, string>> = {
  operator: {
    OracleRequest: '0xd8d7ecc4800d25fa53ce0372f13a416d98907a7ef3d8d3bdd79cf4fe75529c65',
    OracleResponse: '0x9e9bc7616d42c2835d05ae617e508454e63b30b934be8aa932ebc125e0e58a64',
    CancelOracleRequest: '0xa7842b9ec549398102c0d91b1b9919b2f20558aefdadf57528a95c6cd3292e93',
  },
  client: {
    ChainlinkRequested: '0xb5e6e01e79f91267dc17b4e6314d5d4d03593d2ceee0fbb452b750bd70ea5af9',
    ChainlinkFulfilled: '0x7cc135e0cebb02c3480ae5d74d377283180a2601f8f644edf7987b009316c63a',
    ChainlinkCancelled: '0xe1fe3afa0f7f761ff0a8b89086790efd5140d2907ebd5b7ff6bfcb5e075fd4c5',
  },
  aggregator: {
    AnswerUpdated: '0x0559884fd3a460db3073b7fc896cc77986f16e378210ded43186175bf646fc5f',
    NewRound: '0x0109fc6f55cf40689f02fbaad7af7fe7bbac8a3d2186600afc7d3e10cac60271',
    NewTransmission: '0xc797025feeeaf2cd924c99e9205acb8ec04d5cad21c41ce637a38fb6dee6016a',
  },
  forwarder: {
    ReportProcessed: '0x3617b009e9785c42daebadb6d3fb553243a4bf586d07ea72d65d80013ce116b5',
    ConfigSet: '0x4120bd3b23957dd423555817d55654d4481b438aa15485c21b4180c784f1a455',
  },
  'data-feeds-cache': {
    DecimalReportUpdated: '0x82584589cd7284d4503ed582275e22b2e8f459f9cf4170a7235844e367f966d5',
    BundleReportUpdated: '0x1dc1bef0b59d624eab3f0ec044781bb5b8594cd64f0ba09d789f5b51acab1614',
    InvalidUpdatePermission: '0xeeeaa8bf618ff6d960c6cf5935e68384f066abcc8b95d0de91bd773c16ae3ae3',
    StaleDecimalReport: '0xcf16f5f704f981fa2279afa1877dd1fdaa462a03a71ec51b9d3b2416a59a013e',
    StaleBundleReport: '0x51001b67094834cc084a0c1feb791cf84a481357aa66b924ba205d4cb56fd981',
    NewRound: '0x0109fc6f55cf40689f02fbaad7af7fe7bbac8a3d2186600afc7d3e10cac60271',
    AnswerUpdated: '0x0559884fd3a460db3073b7fc896cc77986f16e378210ded43186175bf646fc5f',
  },
  verifier: {
    ReportVerified: '0x58ca9502e98a536e06e72d680fcc251e5d10b72291a281665a2c2dc0ac30fcc5',
  },
  'ccip-onramp': {
    CCIPSendRequested: '0xd0c3c799bf9e2639de44391e7f524d229b2b55f5b1ea94b2bf7da42f7243dddd',
    CCIPMessageSent: '0x192442a2b2adb6a7948f097023cb6b57d29d3a7a5dd33e6666d33c39cc456f32',
  },
}
/** The OffRamp's two versions share the event name: pinned by signature */
const PINNED_OFFRAMP_TOPICS = [
  '0xd4f851956a5d67c3997d1c9205045fef79bae2947fdee7e9e2641abc7391ef65',
  '0x05665fe9ad095383d018353f4cbcba77e84db27dd215081bbf7cdf9ae6fbe48b',
]

const topicsOf = (fragments: readonly string[]) => {
  const out: Record<string, string> = {}
  new Interface(fragments).forEachEvent((e) => (out[e.name] = e.topicHash))
  return out
}

describe('event fragments', () => {
  test('ccip-offramp topic hashes are pinned (v1.5, v1.6)', () => {
    assert.deepEqual(
      EVENT_FRAGMENTS['ccip-offramp'].map((f) => EventFragment.from(f).topicHash),
      PINNED_OFFRAMP_TOPICS,
    )
  })

  for (const family of FAMILIES as readonly ContractFamily[]) {
    if (!family.fragments || family.kind === 'ccip-offramp') continue
    const { kind, fragments } = family
    test(`${kind} topic hashes are pinned`, () => {
      assert.ok(PINNED_TOPICS[kind], `the ${kind} family in the index has its topics pinned here`)
      assert.deepEqual(topicsOf(fragments), PINNED_TOPICS[kind])
    })
  }

  test('fragments match the ABIs compiled from @chainlink/contracts sources', () => {
    const artifacts = loadArtifacts()
    const compiled = (name: ContractName) => new Interface(artifacts[name].abi)
    const same = (ours: readonly string[], real: Interface, what: 'event' | 'function') => {
      const fragments = new Interface(ours).fragments.filter(
        (f): f is EventFragment | FunctionFragment => f.type === what,
      )
      assert.equal(fragments.length, ours.length)
      for (const fragment of fragments) {
        const match = what === 'event' ? real.getEvent(fragment.name) : real.getFunction(fragment.name)
        assert.ok(match, `${fragment.name} is in the compiled ABI`)
        // 'full' includes parameter names and `indexed`, which decide the topic and the decoded layout
        const full = (f: EventFragment | FunctionFragment) => f.format('full').replace(/ returns \(bool\)$/, '')
        assert.equal(full(fragment), full(match))
      }
    }
    same(EVENT_FRAGMENTS.operator, compiled('Operator'), 'event')
    // DemoConsumer is a ChainlinkClient: its events are ChainlinkClient.sol's
    same(EVENT_FRAGMENTS.client, compiled('DemoConsumer'), 'event')
    // AnswerUpdated/NewRound come from AggregatorInterface.sol; NewTransmission is OCR2Aggregator's signature
    same(EVENT_FRAGMENTS.aggregator, compiled('DemoAggregator'), 'event')
    same(OPERATOR_FULFILL_FRAGMENTS, compiled('Operator'), 'function')
    same(FORWARDER_FRAGMENTS, compiled('AuthorizedForwarder'), 'function')
    // CRE, from @chainlink/contracts@1.5.0
    same(EVENT_FRAGMENTS.forwarder, compiled('KeystoneForwarder'), 'event')
    same(FORWARDER_REPORT_FRAGMENTS, compiled('KeystoneForwarder'), 'function')
    same(EVENT_FRAGMENTS['data-feeds-cache'], compiled('DataFeedsCache'), 'event')
    // Data Streams (llo-feeds v0.3.0)
    same(EVENT_FRAGMENTS.verifier, compiled('Verifier'), 'event')
    same(VERIFIER_PROXY_FRAGMENTS, compiled('VerifierProxy'), 'function')
  })
})
