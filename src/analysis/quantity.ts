// Kubernetes resource quantities <-> whole bytes, done exactly with bigint so that `1000Mi` is
// 1,048,576,000 and never 1.048576e9 with a rounding error.

const BINARY: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const DECIMAL: Record<string, bigint> = {
  k: 10n ** 3n,
  M: 10n ** 6n,
  G: 10n ** 9n,
  T: 10n ** 12n,
  P: 10n ** 15n,
  E: 10n ** 18n,
};

const QUANTITY = /^([+-]?)(\d+)(?:\.(\d+))?(?:(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

export type QuantityResult = { ok: true; bytes: number } | { ok: false; reason: string };

/** Parses a memory quantity into whole bytes, rounding a fractional byte up as Kubernetes does. */
export function parseQuantity(text: string): QuantityResult {
  const match = QUANTITY.exec(text.trim());
  if (!match) {
    return {
      ok: false,
      reason: `"${text}" is not a Kubernetes quantity (examples: 512Mi, 1Gi, 1500M, 2147483648)`,
    };
  }
  const [, sign, whole = "0", fraction = "", suffix, exponent] = match;
  // value = mantissa / 10^scale * multiplier / divisor, kept as integers.
  let numerator = BigInt(whole + fraction);
  let denominator = 10n ** BigInt(fraction.length);
  if (suffix === "m") denominator *= 1000n;
  else if (suffix !== undefined) numerator *= BINARY[suffix] ?? DECIMAL[suffix] ?? 1n;
  if (exponent !== undefined) {
    const e = Number(exponent);
    if (Math.abs(e) > 30) return { ok: false, reason: `"${text}" has an exponent out of range` };
    if (e >= 0) numerator *= 10n ** BigInt(e);
    else denominator *= 10n ** BigInt(-e);
  }
  const bytes = (numerator + denominator - 1n) / denominator;
  if (sign === "-") return { ok: false, reason: `"${text}" is negative` };
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: `"${text}" is too large` };
  return { ok: true, bytes: Number(bytes) };
}

/** Parses or returns null: for optional fields read from Kubernetes objects. */
export function quantityBytesOrNull(text: unknown): number | null {
  if (typeof text === "number" && Number.isFinite(text)) return Math.ceil(text);
  if (typeof text !== "string") return null;
  const parsed = parseQuantity(text);
  return parsed.ok ? parsed.bytes : null;
}

const FORMAT_UNITS: ReadonlyArray<[string, number]> = [
  ["Ei", 2 ** 60],
  ["Pi", 2 ** 50],
  ["Ti", 2 ** 40],
  ["Gi", 2 ** 30],
  ["Mi", 2 ** 20],
  ["Ki", 2 ** 10],
];

/** Formats bytes as the exact quantity with the largest binary unit that divides it (`1536Mi`, `2Gi`). */
export function formatQuantity(bytes: number): string {
  for (const [unit, size] of FORMAT_UNITS) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** Human-readable size for explanations (`993.7 MiB`, `1.6 GiB`); not a Kubernetes quantity. */
export function formatBytes(bytes: number): string {
  const units: ReadonlyArray<[string, number]> = [
    ["GiB", 2 ** 30],
    ["MiB", 2 ** 20],
    ["KiB", 2 ** 10],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(bytes) >= size) return `${(bytes / size).toFixed(1)} ${unit}`;
  }
  return `${bytes} B`;
}
