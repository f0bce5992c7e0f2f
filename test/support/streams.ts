import {
  AbiCoder,
  concat,
  Interface,
  keccak256,
  toBeHex,
  ZeroAddress,
  type Contract,
  type Signer,
  type Wallet,
} from 'ethers'
import { deploy } from '../../src/dev/contracts'
import { createDon } from '../../src/dev/cre-don-sim'
import { mined } from '../../src/dev/transactions'

const abi = AbiCoder.defaultAbiCoder()

/** A schema v3 (crypto) report's values, as a Data Streams DON reports them */
export interface ReportV3 {
  feedId: string
  validFromTimestamp: number
  observationsTimestamp: number
  nativeFee: bigint
  linkFee: bigint
  expiresAt: number
  price: bigint
  bid: bigint
  ask: bigint
}

export const encodeReportV3 = (r: ReportV3): string =>
  abi.encode(
    ['bytes32', 'uint32', 'uint32', 'uint192', 'uint192', 'uint32', 'int192', 'int192', 'int192'],
    [
      r.feedId,
      r.validFromTimestamp,
      r.observationsTimestamp,
      r.nativeFee,
      r.linkFee,
      r.expiresAt,
      r.price,
      r.bid,
      r.ask,
    ],
  )

/** The real Data Streams verification contracts (llo-feeds v0.3.0): a VerifierProxy and its Verifier, with feeds configured */
export interface Streams {
  proxy: Contract
  verifier: Contract
  addresses: Record<'proxy' | 'verifier', string>
  /** Configures `feedId` for a DON of 4 signers, f = 1; returns the config digest reports must carry */
  configureFeed(feedId: string): Promise<string>
  /** verify()'s payload: `reportData` signed by f+1 of the feed's DON, as the Verifier checks it */
  signedPayload(feedId: string, reportData: string): string
}

const signersOf = (feedId: string): Wallet[] =>
  createDon({ donId: Number.parseInt(feedId.slice(-8), 16), seed: 'streams' }).signers

export const deployStreams = async (deployer: Signer): Promise<Streams> => {
  const proxy = await deploy('VerifierProxy', deployer, [ZeroAddress])
  const verifier = await deploy('Verifier', deployer, [await proxy.getAddress()])
  await mined(proxy.getFunction('initializeVerifier')(await verifier.getAddress()))
  const digests = new Map<string, string>()
  let epoch = 0
  return {
    proxy,
    verifier,
    addresses: { proxy: await proxy.getAddress(), verifier: await verifier.getAddress() },
    configureFeed: async (feedId) => {
      const signers = signersOf(feedId)
      const transmitters = signers.map((s) => keccak256(s.address))
      const receipt = await mined(
        verifier.getFunction('setConfig')(
          feedId,
          signers.map((s) => s.address),
          transmitters,
          1,
          '0x',
          1,
          '0x',
          [],
        ),
      )
      const iface = new Interface(verifier.interface.fragments)
      const configSet = receipt.logs.map((l) => iface.parseLog(l)).find((l) => l?.name === 'ConfigSet')
      const digest = configSet!.args.getValue('configDigest') as string
      digests.set(feedId, digest)
      return digest
    },
    signedPayload: (feedId, reportData) => {
      const context = [digests.get(feedId) as string, toBeHex(++epoch << 8, 32), keccak256('0x')]
      const hash = keccak256(concat([keccak256(reportData), ...context]))
      const signatures = signersOf(feedId)
        .slice(0, 2)
        .map((s) => s.signingKey.sign(hash))
      const rawVs = concat([...signatures.map((s) => toBeHex(s.v - 27, 1)), new Uint8Array(32 - signatures.length)])
      return abi.encode(
        ['bytes32[3]', 'bytes', 'bytes32[]', 'bytes32[]', 'bytes32'],
        [context, reportData, signatures.map((s) => s.r), signatures.map((s) => s.s), rawVs],
      )
    },
  }
}
