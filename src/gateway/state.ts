/**
 * What the data-plane handlers read, supplied by the app. Values that can change at run time
 * (routing table, limits) are read through functions, so a reload swaps them for the next
 * request without touching requests in flight.
 */
import type { AdapterEnv } from '../core/types.js';
import type { KeyService } from '../services/keys.js';
import type { KeepAliveSweeper } from './keepalive.js';
import type { RoutingTable } from './registry.js';
import type { DecoderFactory } from './stream.js';

export interface GatewayState {
  table(): RoutingTable;
  keys: KeyService;
  adminTokenSet(): boolean;
  maxBodyBytes(): number;
  env: AdapterEnv;
  rand: () => number;
  decoders: Partial<Record<'sse' | 'aws-eventstream', DecoderFactory>>;
  /** Keep-alive frames for every open stream of this process. */
  keepAlive: KeepAliveSweeper;
}
