// Reads one YAML section's values, each checked against what it expects; every problem is kept, with
// the key's path, so that start-up names them all at once.

import { parseQuantity } from "../analysis/quantity.js";

export type Json = Record<string, unknown>;

export class Reader {
  readonly problems: string[] = [];

  constructor(private readonly source: string) {}

  private problem(key: string, expected: string, value: unknown): void {
    this.problems.push(`${this.source}: ${key}: expected ${expected}, got ${JSON.stringify(value)}`);
  }

  section(parent: Json, key: string, path: string): Json {
    const value = parent[key];
    if (value === undefined || value === null) return {};
    if (typeof value === "object" && !Array.isArray(value)) return value as Json;
    this.problem(path, "a mapping", value);
    return {};
  }

  string(parent: Json, key: string, path: string, fallback: string): string;
  string(parent: Json, key: string, path: string, fallback: null): string | null;
  string(parent: Json, key: string, path: string, fallback: string | null): string | null {
    const value = parent[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value === "string" && value.length > 0) return value;
    this.problem(path, "a non-empty string", value);
    return fallback;
  }

  integer(parent: Json, key: string, path: string, fallback: number, min: number, max: number): number {
    const value = parent[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
    this.problem(path, `a whole number from ${min} to ${max}`, value);
    return fallback;
  }

  boolean(parent: Json, key: string, path: string, fallback: boolean): boolean {
    const value = parent[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value === "boolean") return value;
    this.problem(path, "true or false", value);
    return fallback;
  }

  quantity(parent: Json, key: string, path: string, fallback: number | null): number | null {
    const value = parent[key];
    if (value === undefined || value === null) return fallback;
    const parsed = typeof value === "string" ? parseQuantity(value) : null;
    if (parsed?.ok) return parsed.bytes;
    this.problem(path, "a Kubernetes quantity such as 16Gi", value);
    return fallback;
  }

  stringList(parent: Json, key: string, path: string): string[] | null {
    const value = parent[key];
    if (Array.isArray(value) && value.every((item) => typeof item === "string" && item.length > 0))
      return value as string[];
    this.problem(path, "a list of names", value);
    return null;
  }

  oneOf<T extends string>(parent: Json, key: string, path: string, allowed: readonly T[], fallback: T): T {
    const value = parent[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    this.problem(path, `one of ${allowed.join(", ")}`, value);
    return fallback;
  }
}
