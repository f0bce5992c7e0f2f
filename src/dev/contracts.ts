import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import { Contract, ContractFactory, parseEther, ZeroAddress, type InterfaceAbi, type Signer } from 'ethers'
import { BifrostError } from '../errors'
import { cacheDir, repoRoot } from './paths'
import { mined } from './transactions'

export class ContractsError extends BifrostError {
  static override readonly code = 'BIFROST_DEV_CONTRACTS_FAILED'
}

/**
 * The compilers, by the version the contracts pin: the solc npm package bundles
 * one compiler, so the others are installed under aliases (package.json).
 */
const COMPILERS = { '0.8.19': 'solc', '0.8.24': 'solc-0.8.24', '0.8.26': 'solc-0.8.26' } as const
type SolcVersion = keyof typeof COMPILERS

/**
 * The real Chainlink contracts from @chainlink/contracts@1.5.0, plus our own demo
 * contracts under contracts/, keyed by the name they are compiled and deployed by,
 * each with the compiler upstream builds it with.
 */
const ENTRY_POINTS = {
  LinkToken: { unit: '@chainlink/contracts/src/v0.8/shared/token/ERC677/LinkToken.sol', solc: '0.8.19' },
  Operator: { unit: '@chainlink/contracts/src/v0.8/operatorforwarder/Operator.sol', solc: '0.8.19' },
  AuthorizedForwarder: {
    unit: '@chainlink/contracts/src/v0.8/operatorforwarder/AuthorizedForwarder.sol',
    solc: '0.8.19',
  },
  DemoConsumer: { unit: 'contracts/DemoConsumer.sol', solc: '0.8.19' },
  DemoAggregator: { unit: 'contracts/DemoAggregator.sol', solc: '0.8.19' },
  // Stand-ins that emit CCIP's OnRamp/OffRamp events (a CCIP deployment cannot run here)
  StandInCcipOnRamp: { unit: 'contracts/StandInCcipRamps.sol', solc: '0.8.19' },
  StandInCcipOffRamp: { unit: 'contracts/StandInCcipRamps.sol', solc: '0.8.19' },
  // CRE: pragma ^0.8.19, deployed built with 0.8.24
  KeystoneForwarder: { unit: '@chainlink/contracts/src/v0.8/keystone/KeystoneForwarder.sol', solc: '0.8.24' },
  // Data Streams on-chain verification
  VerifierProxy: { unit: '@chainlink/contracts/src/v0.8/llo-feeds/v0.3.0/VerifierProxy.sol', solc: '0.8.19' },
  Verifier: { unit: '@chainlink/contracts/src/v0.8/llo-feeds/v0.3.0/Verifier.sol', solc: '0.8.19' },
  // pragma =0.8.26
  DataFeedsCache: { unit: '@chainlink/contracts/src/v0.8/data-feeds/DataFeedsCache.sol', solc: '0.8.26' },
} as const satisfies Record<string, { unit: string; solc: SolcVersion }>

export type ContractName = keyof typeof ENTRY_POINTS

export interface Artifact {
  abi: InterfaceAbi
  bytecode: string
}

export type Artifacts = Record<ContractName, Artifact>

const SOLC_SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'paris',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
}

const IMPORT = /^\s*import\s+(?:[^;]*?\s+from\s+)?["']([^"']+)["']\s*;/gm

/** @chainlink/contracts imports OpenZeppelin as `@openzeppelin/contracts@<version>/`: its npm aliases `contracts-<version>` */
const VERSIONED_OPENZEPPELIN = /^@openzeppelin\/contracts@([\d.]+)\//

const sourceFile = (unit: string): string =>
  unit.startsWith('contracts/')
    ? join(repoRoot(), unit)
    : join(repoRoot(), 'node_modules', unit.replace(VERSIONED_OPENZEPPELIN, '@openzeppelin/contracts-$1/'))

const entryPointsOf = (solc: SolcVersion) =>
  (Object.entries(ENTRY_POINTS) as Array<[ContractName, { unit: string; solc: SolcVersion }]>).filter(
    ([, entry]) => entry.solc === solc,
  )

/** Every source unit reachable from the entry points, read once, by solc's unit name. */
const collectSources = (units: string[]): Record<string, { content: string }> => {
  const sources: Record<string, { content: string }> = {}
  const pending = [...units]
  while (pending.length) {
    const unit = pending.pop() as string
    if (sources[unit]) continue
    let content: string
    try {
      content = readFileSync(sourceFile(unit), 'utf8')
    } catch (cause) {
      throw new ContractsError(`cannot read Solidity source ${unit}`, { cause })
    }
    sources[unit] = { content }
    for (const [, path] of content.matchAll(IMPORT)) {
      pending.push(path.startsWith('.') ? posix.normalize(posix.join(posix.dirname(unit), path)) : path)
    }
  }
  return sources
}

interface SolcOutput {
  errors?: Array<{ severity: string; formattedMessage: string }>
  contracts: Record<string, Record<string, { abi: InterfaceAbi; evm: { bytecode: { object: string } } }>>
}

const compile = (version: SolcVersion, sources: Record<string, { content: string }>): Partial<Artifacts> => {
  // solc is a dev dependency: load it only when a compile is really needed.
  const solc = require(COMPILERS[version]) as { compile(input: string): string; version(): string }
  if (!solc.version().startsWith(`${version}+`)) {
    throw new ContractsError(`${COMPILERS[version]} is solc ${solc.version()}, not ${version}: run npm install`)
  }
  const output = JSON.parse(
    solc.compile(JSON.stringify({ language: 'Solidity', sources, settings: SOLC_SETTINGS })),
  ) as SolcOutput
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length) {
    throw new ContractsError(`solc ${version} failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`)
  }
  const artifacts: Partial<Artifacts> = {}
  for (const [name, { unit }] of entryPointsOf(version)) {
    const compiled = output.contracts[unit]?.[name]
    if (!compiled) throw new ContractsError(`solc produced no ${name} in ${unit}`)
    artifacts[name] = { abi: compiled.abi, bytecode: `0x${compiled.evm.bytecode.object}` }
  }
  return artifacts
}

/**
 * The contracts one compiler builds, cached under .cache/contracts/ by a hash of
 * every source and the settings, so editing a contract recompiles its group and
 * nothing else does.
 */
const loadGroup = (version: SolcVersion): Partial<Artifacts> => {
  const sources = collectSources(entryPointsOf(version).map(([, entry]) => entry.unit))
  const hash = createHash('sha256')
    .update(JSON.stringify({ settings: SOLC_SETTINGS, solc: version }))
    .update(JSON.stringify(Object.entries(sources).sort(([a], [b]) => a.localeCompare(b))))
    .digest('hex')
    .slice(0, 16)
  const file = join(cacheDir('contracts'), `${hash}.json`)
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Partial<Artifacts>
  process.stderr.write(
    `Compiling the Solidity contracts with solc ${version} (after a change or on the first run; usually 5-20 s, then cached in .cache/contracts)\n`,
  )
  const artifacts = compile(version, sources)
  mkdirSync(dirname(file), { recursive: true })
  // Several test processes may compile at once: write aside, then rename atomically.
  const temp = `${file}.${process.pid}.tmp`
  writeFileSync(temp, JSON.stringify(artifacts))
  renameSync(temp, file)
  return artifacts
}

let loaded: Artifacts | undefined

/** ABI and bytecode of every contract, each compiled with the solc it pins (~4 s per compiler, once). */
export const loadArtifacts = (): Artifacts => {
  if (loaded) return loaded
  const artifacts = {} as Artifacts
  for (const version of Object.keys(COMPILERS) as SolcVersion[]) Object.assign(artifacts, loadGroup(version))
  return (loaded = artifacts)
}

/** An ethers Contract for a deployed (or to be attached) contract of ours. */
export const attach = (name: ContractName, address: string, runner: Signer): Contract =>
  new Contract(address, loadArtifacts()[name].abi, runner)

export const deploy = async (name: ContractName, deployer: Signer, args: unknown[] = []): Promise<Contract> => {
  const { abi, bytecode } = loadArtifacts()[name]
  const tx = await new ContractFactory(abi, bytecode, deployer).getDeployTransaction(...args)
  const provider = deployer.provider
  if (!provider) throw new ContractsError(`cannot deploy ${name}: the deployer has no provider`)
  const receipt = await mined({ hash: (await deployer.sendTransaction(tx)).hash, provider })
  if (!receipt.contractAddress) throw new ContractsError(`deploying ${name} created no contract (tx ${receipt.hash})`)
  return attach(name, receipt.contractAddress, deployer)
}

export interface ChainlinkDeployment {
  link: Contract
  operator: Contract
  /** Authorized on the Operator, forwarding for the same node accounts */
  forwarder: Contract
  consumer: Contract
  aggregator: Contract
  addresses: Record<'link' | 'operator' | 'forwarder' | 'consumer' | 'aggregator', string>
}

export interface DeployOptions {
  /** Chainlink node accounts allowed to fulfil (directly and through the forwarder) */
  nodes: string[]
  /** LINK given to the consumer to pay for requests (default 1000 LINK) */
  consumerLink?: bigint
}

/**
 * A Chainlink request-and-response setup as node operators run it: LinkToken
 * (which mints nothing at deploy, so the deployer grants itself the mint role),
 * Operator(link, owner) with the node authorized, an AuthorizedForwarder, and a
 * DemoConsumer funded with LINK; plus a DemoAggregator for feed events.
 */
export const deployChainlink = async (deployer: Signer, options: DeployOptions): Promise<ChainlinkDeployment> => {
  const owner = await deployer.getAddress()
  const consumerLink = options.consumerLink ?? parseEther('1000')
  const link = await deploy('LinkToken', deployer)
  await mined(link.getFunction('grantMintRole')(owner))
  await mined(link.getFunction('mint')(owner, consumerLink))
  const operator = await deploy('Operator', deployer, [await link.getAddress(), owner])
  const forwarder = await deploy('AuthorizedForwarder', deployer, [await link.getAddress(), owner, ZeroAddress, '0x'])
  await mined(forwarder.getFunction('setAuthorizedSenders')(options.nodes))
  await mined(operator.getFunction('setAuthorizedSenders')([...options.nodes, await forwarder.getAddress()]))
  const consumer = await deploy('DemoConsumer', deployer, [await link.getAddress(), await operator.getAddress()])
  await mined(link.getFunction('transfer')(await consumer.getAddress(), consumerLink))
  const aggregator = await deploy('DemoAggregator', deployer)
  return {
    link,
    operator,
    forwarder,
    consumer,
    aggregator,
    addresses: {
      link: await link.getAddress(),
      operator: await operator.getAddress(),
      forwarder: await forwarder.getAddress(),
      consumer: await consumer.getAddress(),
      aggregator: await aggregator.getAddress(),
    },
  }
}
