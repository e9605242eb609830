/*
 * Types of the plasmite package (index.js). Every runtime export is declared
 * here; scripts/check-types.js checks that the two lists agree.
 * Sequence numbers are bigint on output; inputs take number or bigint.
 */

/// <reference types="node" />

export const enum Durability {
  Fast = 0,
  Flush = 1,
}

export const enum ErrorKind {
  Internal = 1,
  Usage = 2,
  NotFound = 3,
  AlreadyExists = 4,
  Busy = 5,
  Permission = 6,
  Corrupt = 7,
  Io = 8,
  RetentionGap = 9,
}

export const DEFAULT_POOL_DIR: string
export const DEFAULT_POOL_SIZE: number
export const DEFAULT_POOL_SIZE_BYTES: number

export type Seq = number | bigint
export type DurabilityInput = Durability | 0 | 1 | "fast" | "flush"

export interface Lite3Frame {
  seq: bigint
  timestampNs: bigint
  flags: number
  payload: Buffer
  readonly time: Date
}

export interface MessageMeta {
  readonly tags: readonly string[]
}

export interface MessageEnvelope {
  seq: number | bigint | string
  time: string
  data: unknown
  meta?: { tags?: unknown[] }
}

export class Message {
  constructor(envelope: MessageEnvelope, raw?: Buffer | string | null)
  readonly seq: bigint
  readonly time: Date
  readonly timeRfc3339: string
  readonly data: unknown
  readonly meta: MessageMeta
  readonly raw: Buffer
  get tags(): readonly string[]
  toJSON(): object
}

export class PlasmiteNativeError extends Error {
  kind?: ErrorKind
  path?: string
  /** a number, or a bigint above Number.MAX_SAFE_INTEGER */
  seq?: number | bigint
  offset?: number | bigint
  cause?: unknown
}

/** A pool as listed by Client.listPools (`pls pool list --json`). */
export interface PoolListEntry {
  name: string
  path: string
  file_size?: number
  mtime?: string | null
  bounds?: { oldest?: number; newest?: number }
  error?: unknown
}

/** Pool info (`pls pool info --json`, and the server's pool info). */
export interface PoolInfo {
  name: string
  path: string
  file_size: number
  index_offset: number
  index_capacity: number
  index_size_bytes: number
  ring_offset: number
  ring_size: number
  bounds: { oldest?: number; newest?: number }
  metrics?: {
    message_count: number
    seq_span: number
    utilization: { used_bytes: number; free_bytes: number; used_percent: number }
    age: {
      oldest_time: string | null
      newest_time: string | null
      oldest_age_ms: number | null
      newest_age_ms: number | null
    }
  }
}

export interface BatchResult {
  firstSeq: bigint
  count: number
}

export interface WaitOptions {
  signal?: AbortSignal
}

export class Client {
  constructor(poolDir?: string)
  createPool(poolRef: string, sizeBytes?: number | bigint): Pool
  openPool(poolRef: string): Pool
  pool(poolRef: string, sizeBytes?: number | bigint): Pool
  listPools(): PoolListEntry[]
  deletePool(poolRef: string): void
  close(): void
  [Symbol.dispose](): void
}

export class Pool {
  append(payload: unknown, tags?: string[], durability?: DurabilityInput): Message
  appendJson(payload: unknown, tags?: string[], durability?: DurabilityInput): Buffer
  appendBatch(payloads: unknown[], tags?: string[], durability?: DurabilityInput): BatchResult
  appendLite3(payload: Buffer, durability?: DurabilityInput): bigint
  get(seq: Seq): Message
  getJson(seq: Seq): Buffer
  getLite3(seq: Seq): Lite3Frame
  info(): PoolInfo
  tail(options?: LocalTailOptions): AsyncGenerator<Message, void, unknown>
  replay(options?: ReplayOptions): AsyncGenerator<Message, void, unknown>
  openStream(
    sinceSeq?: Seq | null,
    maxMessages?: Seq | null,
    timeoutMs?: Seq | null,
    errorOnGap?: boolean,
  ): Stream
  openLite3Stream(
    sinceSeq?: Seq | null,
    maxMessages?: Seq | null,
    timeoutMs?: Seq | null,
    errorOnGap?: boolean,
  ): Lite3Stream
  close(): void
  [Symbol.dispose](): void
}

export class Stream {
  /** Synchronous: waits in this thread up to the stream's timeout. */
  nextJson(): Buffer | null
  nextJsonAsync(options?: WaitOptions): Promise<Buffer | null>
  nextMessage(options?: WaitOptions): Promise<Message | null>
  [Symbol.iterator](): Iterator<Buffer>
  [Symbol.asyncIterator](): AsyncIterator<Buffer>
  cancel(): void
  close(): void
  [Symbol.dispose](): void
}

export class Lite3Stream {
  /** Synchronous: waits in this thread up to the stream's timeout. */
  next(): Lite3Frame | null
  nextAsync(options?: WaitOptions): Promise<Lite3Frame | null>
  [Symbol.iterator](): Iterator<Lite3Frame>
  [Symbol.asyncIterator](): AsyncIterator<Lite3Frame>
  cancel(): void
  close(): void
  [Symbol.dispose](): void
}

export interface ReplayOptions {
  speed?: number
  sinceSeq?: Seq
  maxMessages?: Seq
  timeoutMs?: Seq
  tags?: string[]
  signal?: AbortSignal
}

export interface LocalTailOptions {
  sinceSeq?: Seq
  maxMessages?: Seq
  timeoutMs?: Seq
  tags?: string[]
  errorOnGap?: boolean
  signal?: AbortSignal
}

export type UdpStart =
  | { kind: "new" }
  | { kind: "last"; count: Seq }
  | { kind: "since"; timestampNs: Seq }
  | { kind: "sequence"; seq: Seq }

export interface UdpFollowOptions {
  start?: UdpStart
  live?: boolean
}

export interface UdpWaitOptions {
  signal?: AbortSignal
}

export type UdpEvent =
  | { kind: "frame"; seq: bigint; timestampNs: bigint; payload: Buffer; message: Message }
  | { kind: "gap"; first: bigint; last: bigint; reason: "unknown" | "oversized" | "retention" | "pressure" }
  | {
      kind: "progress"
      startSeq: bigint
      nextSeq: bigint
      endSeq: bigint | null
      terminal: boolean
      retentionGap: boolean
    }

export const UdpStart: {
  new: () => UdpStart
  last(count: Seq): UdpStart
  since(timestampNs: Seq): UdpStart
  sequence(seq: Seq): UdpStart
}

export class UdpClient {
  constructor(endpoint: string)
  openPool(poolName: string): UdpPool
  close(): void
  [Symbol.dispose](): void
}

export class UdpPool {
  sendJson(payload: unknown, tags?: string[]): void
  sendLite3(payload: Buffer): void
  follow(options?: UdpFollowOptions): Promise<UdpFollow>
  close(): void
  [Symbol.dispose](): void
}

export class UdpFollow {
  readonly finished: boolean
  nextEvent(timeoutMs?: Seq, options?: UdpWaitOptions): Promise<UdpEvent | null>
  events(options?: { pollIntervalMs?: Seq; signal?: AbortSignal }): AsyncGenerator<UdpEvent, void, unknown>
  cancel(): void
  close(): void
  [Symbol.dispose](): void
  [Symbol.asyncIterator](): AsyncGenerator<UdpEvent, void, unknown>
}

export function parseMessage(payload: Buffer | Message | MessageEnvelope): Message

export function replay(pool: Pool, options?: ReplayOptions): AsyncGenerator<Message, void, unknown>

export interface RemoteClientOptions {
  token?: string
}

/** The server's pool info: the same shape as PoolInfo. */
export type RemotePoolInfo = PoolInfo

export interface RemoteTailOptions {
  sinceSeq?: Seq
  maxMessages?: Seq
  timeoutMs?: number
  tags?: string[]
  errorOnGap?: boolean
  signal?: AbortSignal
}

export class RemoteError extends Error {
  status: number
  kind: ErrorKind
  hint?: string
  path?: string
  seq?: number | bigint
  offset?: number
}

export class RemoteClient {
  constructor(baseUrl: string, options?: RemoteClientOptions)
  baseUrl: URL
  token: string | null
  withToken(token: string): RemoteClient
  createPool(pool: string, sizeBytes: number | bigint): Promise<RemotePoolInfo>
  openPool(pool: string): Promise<RemotePool>
  poolInfo(pool: string): Promise<RemotePoolInfo>
  listPools(): Promise<RemotePoolInfo[]>
  deletePool(pool: string): Promise<void>
}

export class RemotePool {
  constructor(client: RemoteClient, pool: string)
  client: RemoteClient
  pool: string
  poolRef(): string
  append(data: unknown, tags?: string[], durability?: DurabilityInput): Promise<Message>
  get(seq: Seq): Promise<Message>
  tail(options?: RemoteTailOptions): AsyncGenerator<Message, void, unknown>
}
