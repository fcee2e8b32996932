// Shutting down: wait for work in hand, but not past the grace period (Kubernetes kills the pod after
// its own, and what is left is either retried by another process or was never promised).

/** Resolves when `work` settles or after `seconds`, whichever comes first; says which. */
export async function withinGrace(work: Promise<unknown>, seconds: number): Promise<"done" | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), seconds * 1000);
  });
  const outcome = await Promise.race([work.then(() => "done" as const), grace]);
  clearTimeout(timer);
  return outcome;
}
