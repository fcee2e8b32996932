// The memory picture in a Markdown report: a PNG written next to the report, one per workload, and
// the line that shows it. Pure.

/**
 * `memory_shop_Deployment_checkout.png`: the picture's file name for a workload key. Kubernetes names
 * never hold `_`, so distinct workloads get distinct names; anything unsafe in a file name becomes `-`.
 */
export function pictureFileName(workloadKey: string): string {
  return `memory_${workloadKey
    .split("/")
    .map((part) => part.replace(/[^A-Za-z0-9.-]/g, "-"))
    .join("_")}.png`;
}

/** `![memory of shop/Deployment/checkout before its kills](memory_shop_Deployment_checkout.png)` */
export function markdownPicture(workloadKey: string, fileName: string): string {
  const alt = workloadKey.replace(/[\\[\]]/g, "\\$&");
  return `![memory of ${alt} before its kills](${encodeURI(fileName)})`;
}
