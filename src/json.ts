/** A JSON value: what goes into and comes out of Kafka message values and bridge bodies. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }
