import { LoggerFactoryProvider } from '@chainlink/external-adapter-framework/util/logger'

/**
 * The framework's loggers throw until a factory is set, which its start() does.
 * Tests (and benchmarks) that run a part without the adapter install the
 * framework's default one, at LOG_LEVEL (default here: error).
 */
export const useDefaultLogger = (): void => {
  process.env['LOG_LEVEL'] ??= 'error'
  if (!LoggerFactoryProvider.get()) LoggerFactoryProvider.set()
}
