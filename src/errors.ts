// Errors are values with a kind a user can act on. They are turned into words in one place
// (renderError for the command line, forUsers for chat), so every entry point says the same thing the
// same way.

export type ErrorKind =
  | "usage"
  | "file-not-found"
  | "file-unreadable"
  | "invalid-pods"
  | "invalid-option"
  | "invalid-journal"
  | "config-invalid"
  // The Kubernetes API
  | "unauthorized"
  | "forbidden"
  | "not-found"
  | "api-unreachable"
  | "api-error"
  | "patch-refused"
  | "conflict"
  // A node, over SSH
  | "no-address"
  | "node-unreachable"
  | "auth-refused"
  | "host-key-unknown"
  | "host-key-mismatch"
  | "timeout"
  | "journal-empty"
  | "journal-rotated"
  | "ssh-error"
  // A Prometheus-compatible server
  | "metrics-unreachable"
  | "metrics-refused"
  | "metrics-error";

export interface AppError {
  kind: ErrorKind;
  /** What is wrong, naming the file, option or value. */
  message: string;
  /** What to do about it. */
  hint?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(kind: ErrorKind, message: string, hint?: string): Result<T> {
  return { ok: false, error: hint === undefined ? { kind, message } : { kind, message, hint } };
}

// Kinds whose message and hint name only what was asked about (a namespace, a pod, a Kubernetes
// resource) and what to do. The others name node addresses, SSH users, file paths or a remote
// command's own output: those details stay in the logs, and a chat hears only the kind.
const SHOWN_TO_USERS = new Set<ErrorKind>([
  "usage",
  "invalid-option",
  "unauthorized",
  "forbidden",
  "not-found",
  "api-error",
  "patch-refused",
  "conflict",
  "journal-empty",
  "journal-rotated",
]);

// Kinds that may clear up by themselves: an API server or node that did not answer, a write that lost a
// race. A job failing with one is retried; every other kind fails it for good.
const TRANSIENT = new Set<ErrorKind>([
  "api-unreachable",
  "api-error",
  "conflict",
  "node-unreachable",
  "timeout",
  "ssh-error",
  "metrics-unreachable",
]);

/** Worth another try later: the one classifier every job and lifecycle step uses. */
export function isTransient(error: AppError): boolean {
  return TRANSIENT.has(error.kind);
}

/** An error as chat users may see it: details only for the kinds that hold nothing internal. */
export interface UserError {
  kind: ErrorKind;
  /** The message and hint; null when they stay in the logs. */
  detail: { message: string; hint: string | null } | null;
}

export function forUsers(error: AppError): UserError {
  if (!SHOWN_TO_USERS.has(error.kind)) return { kind: error.kind, detail: null };
  return { kind: error.kind, detail: { message: error.message, hint: error.hint ?? null } };
}

export function renderError(error: AppError): string {
  const hint = error.hint ? `\n  ${error.hint}` : "";
  return `oom-doctor: ${error.message}${hint}\n`;
}

/** Turns a Node.js file-system error into an AppError naming the file. */
export function fileError(path: string, cause: unknown): AppError {
  const code = (cause as { code?: string } | null)?.code;
  if (code === "ENOENT") return { kind: "file-not-found", message: `${path}: no such file or directory` };
  if (code === "EACCES" || code === "EPERM") {
    return {
      kind: "file-unreadable",
      message: `${path}: permission denied`,
      hint: "check the file's permissions",
    };
  }
  if (code === "EISDIR")
    return { kind: "file-unreadable", message: `${path}: is a directory, expected a file` };
  const reason = cause instanceof Error ? cause.message : String(cause);
  return { kind: "file-unreadable", message: `${path}: cannot be read (${reason})` };
}
