// The parts of autocannon's programmatic API the benchmarks use (it ships no types).
declare module 'autocannon' {
  import type { IncomingHttpHeaders } from 'node:http'

  export interface RawRequest {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string
  }

  export interface Options {
    url: string
    method?: string
    connections?: number
    duration?: number
    amount?: number
    headers?: Record<string, string>
    body?: string
    timeout?: number
    requests?: { setupRequest?: (request: RawRequest, context: object) => RawRequest; onResponse?: (status: number, body: string, context: object, headers: IncomingHttpHeaders) => void }[]
  }

  export interface Histogram { average: number; mean: number; stddev: number; min: number; max: number; p50: number; p99: number; total: number }

  export interface Result {
    requests: Histogram
    latency: Histogram
    throughput: Histogram
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    '2xx': number
  }

  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
