import { Adapter } from '@chainlink/external-adapter-framework/adapter'

export const ADAPTER_NAME = 'BIFROST'

// The framework's own parameter type: endpoints differ in their generics, which
// AdapterEndpoint<EndpointGenerics>[] would reject (its cache types are invariant).
type Endpoints = ConstructorParameters<typeof Adapter>[0]['endpoints']

/** One adapter, several endpoints; `feed` answers bodies that name no endpoint. */
export const buildAdapter = (endpoints: Endpoints): Adapter =>
  new Adapter({ name: ADAPTER_NAME, defaultEndpoint: 'feed', endpoints })
