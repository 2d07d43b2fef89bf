/**
 * Web links: the host each exposure of a student gets.
 *
 * - Readable (default): `<node>-<port>.<namespace>.<domain>`.
 * - Random (a class option): `<24 hex>.<domain>`, unguessable without the class's link key and
 *   stable because it is derived from that key rather than drawn at publish time, so every
 *   re-publish, reset and reconcile compiles the same host.
 *
 * Pure (the key is an input), so the engine, the status table and the app derive identical links.
 */
import type { Lab } from '../lab/schema';
import { joinLabel } from './names';
import { sha256Hex } from './sha256';
import { DEFAULT_DOMAIN } from './types';

/** 96 bits: guessing one host of a class of thousands is out of reach. */
const RANDOM_LABEL_HEX = 24;

/**
 * A keyed hash from SHA-256 alone (common/ has no HMAC): the outer hash over the key and the
 * inner digest, as NMAC does, so appending to the message cannot extend a known digest.
 */
export function keyedHash(key: string, message: string): string {
  return sha256Hex(`${key}\u0000${sha256Hex(`${key}\u0000${message}`)}`);
}

export function randomExposureLabel(linkKey: string, namespace: string, node: string, port: number): string {
  // Starts with a letter: some resolvers and certificate tools still mishandle all-digit labels.
  return `l${keyedHash(linkKey, `${namespace}\u0000${node}\u0000${port}`).slice(0, RANDOM_LABEL_HEX - 1)}`;
}

/** The host an exposure gets; with a link key, the class's random subdomain. */
export function exposureHost(node: string, port: number, namespace: string, domain = DEFAULT_DOMAIN, linkKey?: string): string {
  if (linkKey) return `${randomExposureLabel(linkKey, namespace, node, port)}.${domain}`;
  return `${joinLabel(node, String(port))}.${namespace}.${domain}`;
}

export interface ExposureLink {
  node: string;
  port: number;
  host: string;
  url: string;
}

/** Every exposure's link for one namespace, in lab order. */
export function exposureLinks(lab: Pick<Lab, 'exposures'>, namespace: string, domain = DEFAULT_DOMAIN, linkKey?: string): ExposureLink[] {
  return lab.exposures.map((e) => {
    const host = exposureHost(e.node, e.port, namespace, domain, linkKey);
    return { node: e.node, port: e.port, host, url: `http://${host}${e.path ?? '/'}` };
  });
}
