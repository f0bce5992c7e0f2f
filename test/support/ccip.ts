import { keccak256, toBeHex, ZeroAddress, type Contract, type TransactionReceipt } from 'ethers'
import { deploy } from '../../src/dev/contracts'
import { mined } from '../../src/dev/transactions'
import { startAnvilWithProvider } from './chainlink'

/** Two chains of a CCIP lane, as the built-in selector table names them */
export const SOURCE = { chainId: 31337, selector: '7759470850252068959', name: 'anvil-devnet' }
export const DEST = { chainId: 1337, selector: '3379446385462418246', name: 'geth-testnet' }

export const SUCCESS = 2
export const FAILURE = 3

/**
 * A CCIP lane on two real anvil chains, with stand-ins (named as such: a CCIP deployment cannot run here) that
 * emit exactly CCIP v1.5 and v1.6 OnRamp/OffRamp events: sends on the source chain, executions on the destination.
 */
export interface CcipLane {
  source: Awaited<ReturnType<typeof startAnvilWithProvider>>
  dest: Awaited<ReturnType<typeof startAnvilWithProvider>>
  onRamp: Contract
  offRamp: Contract
  addresses: Record<'onRamp' | 'offRamp', string>
  /** A v1.5 or v1.6 send of message `n` (its id: keccak256 of n) */
  send(version: '1.5' | '1.6', n: number): Promise<{ receipt: TransactionReceipt; messageId: string; sender: string }>
  /** An execution attempt of message `n` with `state` */
  execute(version: '1.5' | '1.6', n: number, state: number): Promise<TransactionReceipt>
  stop(): Promise<void>
}

export const messageIdOf = (n: number) => keccak256(toBeHex(n, 32))

export const startCcipLane = async (): Promise<CcipLane> => {
  const source = await startAnvilWithProvider({ chainId: SOURCE.chainId })
  const dest = await startAnvilWithProvider({ chainId: DEST.chainId }).catch(async (err: unknown) => {
    await source.stop()
    throw err
  })
  const stop = async () => {
    await source.stop()
    await dest.stop()
  }
  try {
    const onRamp = await deploy('StandInCcipOnRamp', await source.provider.getSigner(0))
    const offRamp = await deploy('StandInCcipOffRamp', await dest.provider.getSigner(0))
    const sender = await source.provider.getSigner(3)
    const receiver = await dest.provider.getSigner(4)
    const token = `0x${'77'.repeat(20)}`
    return {
      source,
      dest,
      onRamp,
      offRamp,
      addresses: { onRamp: await onRamp.getAddress(), offRamp: await offRamp.getAddress() },
      send: async (version, n) => {
        const messageId = messageIdOf(n)
        const from = await sender.getAddress()
        const to = await receiver.getAddress()
        const ramp = onRamp.connect(sender) as Contract
        const receipt =
          version === '1.5'
            ? await mined(
                ramp.getFunction('sendV15')([
                  SOURCE.selector,
                  from,
                  to,
                  n,
                  200_000n,
                  false,
                  n,
                  token,
                  10n ** 16n,
                  '0x1234',
                  [[token, 5n * 10n ** 18n]],
                  ['0x'],
                  messageId,
                ])
              )
            : await mined(
                ramp.getFunction('sendV16')([
                  [messageId, SOURCE.selector, DEST.selector, n, n],
                  from,
                  '0x1234',
                  toBeHex(to, 32),
                  '0x',
                  ZeroAddress,
                  10n ** 15n,
                  10n ** 17n,
                  [[token, toBeHex(token, 32), '0x', 7n * 10n ** 18n, '0x']],
                ])
              )
        return { receipt, messageId, sender: from }
      },
      execute: async (version, n, state) =>
        version === '1.5'
          ? mined(offRamp.getFunction('executeV15')(n, messageIdOf(n), state, state === SUCCESS ? '0x' : '0xdeadbeef'))
          : mined(
              offRamp.getFunction('executeV16')(
                SOURCE.selector,
                n,
                messageIdOf(n),
                keccak256('0x01'),
                state,
                state === SUCCESS ? '0x' : '0xdeadbeef',
                81_000n
              )
            ),
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}
