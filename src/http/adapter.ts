import { Adapter, type AdapterEndpoint } from '@chainlink/external-adapter-framework/adapter'
import type { EndpointGenerics } from '@chainlink/external-adapter-framework/adapter/types'

export const ADAPTER_NAME = 'BIFROST'

/** One adapter, several endpoints; `feed` answers bodies that name no endpoint. */
export const buildAdapter = (endpoints: AdapterEndpoint<EndpointGenerics>[]): Adapter =>
  new Adapter({ name: ADAPTER_NAME, defaultEndpoint: 'feed', endpoints })
