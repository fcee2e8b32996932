// known_hosts, read the way OpenSSH reads it: plain and hashed host names, `[host]:port`, patterns with
// `*`, `?` and `!`, and `@revoked` lines. A host with no line is never dialled; a host whose key differs
// is refused during the key exchange, before any authentication.

import { createHash, createHmac } from "node:crypto";
import type { ServerHostKeyAlgorithm } from "ssh2";

interface Entry {
  patterns: string[] | null;
  hashed: { salt: Buffer; hash: Buffer } | null;
  keyType: string;
  key: Buffer;
  revoked: boolean;
}

export interface KnownHosts {
  /** The keys known for this host and port; empty when the host is unknown. */
  keysFor(host: string, port: number): Buffer[];
  /** The types of those keys as known_hosts names them (`ssh-ed25519`, `ssh-rsa`, ...). */
  keyTypesFor(host: string, port: number): string[];
  isRevoked(key: Buffer): boolean;
}

function hostKey(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replaceAll("*", ".*")
    .replaceAll("?", ".");
  return new RegExp(`^${escaped}$`, "i");
}

function matchesPatterns(patterns: string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith("!");
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function matches(entry: Entry, name: string): boolean {
  if (entry.hashed) {
    const digest = createHmac("sha1", entry.hashed.salt).update(name).digest();
    return digest.equals(entry.hashed.hash);
  }
  return entry.patterns !== null && matchesPatterns(entry.patterns, name);
}

export function parseKnownHosts(text: string): KnownHosts {
  const entries: Entry[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    let marker: string | null = null;
    if (fields[0]?.startsWith("@")) marker = fields.shift() ?? null;
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64 || marker === "@cert-authority") continue;
    const key = Buffer.from(keyBase64, "base64");
    const hashed = /^\|1\|([^|]+)\|(.+)$/.exec(hosts);
    entries.push({
      patterns: hashed ? null : hosts.split(","),
      hashed: hashed
        ? { salt: Buffer.from(hashed[1] ?? "", "base64"), hash: Buffer.from(hashed[2] ?? "", "base64") }
        : null,
      keyType,
      key,
      revoked: marker === "@revoked",
    });
  }
  const known = (host: string, port: number) => {
    const name = hostKey(host, port);
    return entries.filter((entry) => !entry.revoked && matches(entry, name));
  };
  return {
    keysFor: (host, port) => known(host, port).map((entry) => entry.key),
    keyTypesFor: (host, port) => [...new Set(known(host, port).map((entry) => entry.keyType))],
    isRevoked(key) {
      return entries.some((entry) => entry.revoked && entry.key.equals(key));
    },
  };
}

// The host-key algorithms that verify each key type, strongest first. An RSA key is only accepted with
// SHA-2 signatures (OpenSSH dropped SHA-1 `ssh-rsa` signatures by default in 8.8); DSA not at all.
const ALGORITHMS_BY_KEY_TYPE: Array<[string, ServerHostKeyAlgorithm[]]> = [
  ["ssh-ed25519", ["ssh-ed25519"]],
  ["ecdsa-sha2-nistp256", ["ecdsa-sha2-nistp256"]],
  ["ecdsa-sha2-nistp384", ["ecdsa-sha2-nistp384"]],
  ["ecdsa-sha2-nistp521", ["ecdsa-sha2-nistp521"]],
  ["ssh-rsa", ["rsa-sha2-512", "rsa-sha2-256"]],
];

/** What to offer in the key exchange for a host whose known_hosts keys have these types. */
export function hostKeyAlgorithms(keyTypes: string[]): ServerHostKeyAlgorithm[] {
  return ALGORITHMS_BY_KEY_TYPE.filter(([type]) => keyTypes.includes(type)).flatMap(([, names]) => names);
}

/** OpenSSH's fingerprint form, for messages: SHA256:<base64 without padding>. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

export { hostKey as knownHostsName };
