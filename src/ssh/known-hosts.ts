// known_hosts, read the way OpenSSH reads it: plain and hashed host names, `[host]:port`, patterns with
// `*`, `?` and `!`, and `@revoked` lines. A host with no line is never dialled; a host whose key differs
// is refused during the key exchange, before any authentication.

import { createHash, createHmac } from "node:crypto";

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
  return {
    keysFor(host, port) {
      const name = hostKey(host, port);
      return entries.filter((entry) => !entry.revoked && matches(entry, name)).map((entry) => entry.key);
    },
    isRevoked(key) {
      return entries.some((entry) => entry.revoked && entry.key.equals(key));
    },
  };
}

/** OpenSSH's fingerprint form, for messages: SHA256:<base64 without padding>. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

export { hostKey as knownHostsName };
