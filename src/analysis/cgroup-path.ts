// Decodes the memory cgroup paths the kernel prints (task_memcg, oom_memcg, "Task in ...") into the
// pod and container they belong to. The path, not the clock, is what ties a kernel report to a container.

export type QosClass = "Guaranteed" | "Burstable" | "BestEffort";
export type ContainerRuntime = "docker" | "containerd" | "cri-o";
export type CgroupDriver = "systemd" | "cgroupfs";

export interface CgroupRef {
  path: string;
  driver: CgroupDriver | null;
  qos: QosClass | null;
  /** Pod UID with dashes, as the API server shows it. */
  podUid: string | null;
  /** Lower-case hex; may be a prefix when the line was cut by a pager. */
  containerId: string | null;
  containerIdIsPrefix: boolean;
  runtime: ContainerRuntime | null;
  /** True when the path names the pod's own cgroup, not one of its containers. */
  podLevel: boolean;
}

const SYSTEMD_POD = /^kubepods(?:-(burstable|besteffort))?-pod([0-9a-f_]{36})\.slice$/i;
const CGROUPFS_POD = /^pod([0-9a-f-]{36})$/i;
const SYSTEMD_CONTAINER = /^(docker|cri-containerd|crio)-([0-9a-f]+)(\.scope)?$/i;
const BARE_CONTAINER = /^([0-9a-f]{12,64})$/i;

const RUNTIME_BY_PREFIX: Record<string, ContainerRuntime> = {
  docker: "docker",
  "cri-containerd": "containerd",
  crio: "cri-o",
};

function qosFromToken(token: string | undefined): QosClass {
  if (token?.toLowerCase() === "burstable") return "Burstable";
  if (token?.toLowerCase() === "besteffort") return "BestEffort";
  return "Guaranteed";
}

/**
 * Decodes a memcg path. `cutByPager` says the path may end early (a line ending in `>`), in which case a
 * trailing container id is kept as a prefix. Returns null for paths outside `kubepods`.
 */
export function decodeCgroupPath(rawPath: string, cutByPager = false): CgroupRef | null {
  const path = rawPath.trim();
  const parts = path.split("/").filter((part) => part.length > 0);
  const kubepodsAt = parts.findIndex((part) => part === "kubepods" || part === "kubepods.slice");
  if (kubepodsAt < 0) return null;
  const ref: CgroupRef = {
    path,
    driver: parts[kubepodsAt] === "kubepods.slice" ? "systemd" : "cgroupfs",
    qos: null,
    podUid: null,
    containerId: null,
    containerIdIsPrefix: false,
    runtime: null,
    podLevel: false,
  };
  const rest = parts.slice(kubepodsAt + 1);
  let podAt = -1;
  for (let i = 0; i < rest.length && podAt < 0; i++) {
    const part = rest[i] ?? "";
    const systemd = SYSTEMD_POD.exec(part);
    const cgroupfs = CGROUPFS_POD.exec(part);
    if (systemd) {
      ref.qos = qosFromToken(systemd[1]);
      ref.podUid = (systemd[2] ?? "").replaceAll("_", "-").toLowerCase();
      podAt = i;
    } else if (cgroupfs) {
      ref.qos = qosFromToken(i > 0 ? rest[i - 1]?.replace(/^kubepods-|\.slice$/g, "") : undefined);
      ref.podUid = (cgroupfs[1] ?? "").toLowerCase();
      podAt = i;
    }
  }
  if (podAt < 0) {
    // A QoS-level cgroup such as /kubepods/burstable: no pod named.
    const qosPart = rest[0]?.replace(/^kubepods-|\.slice$/g, "");
    if (qosPart === "burstable" || qosPart === "besteffort") ref.qos = qosFromToken(qosPart);
    return ref;
  }
  const containerPart = rest[podAt + 1];
  if (containerPart === undefined) {
    ref.podLevel = true;
    return ref;
  }
  const isLast = podAt + 1 === rest.length - 1;
  const prefixed = SYSTEMD_CONTAINER.exec(containerPart);
  const bare = BARE_CONTAINER.exec(containerPart);
  if (prefixed) {
    ref.runtime = RUNTIME_BY_PREFIX[(prefixed[1] ?? "").toLowerCase()] ?? null;
    ref.containerId = (prefixed[2] ?? "").toLowerCase();
    ref.containerIdIsPrefix = prefixed[3] === undefined && isLast && cutByPager;
  } else if (bare) {
    ref.containerId = (bare[1] ?? "").toLowerCase();
    ref.containerIdIsPrefix = isLast && cutByPager && ref.containerId.length < 64;
  }
  return ref;
}

/** Strips `docker://`, `containerd://`, `cri-o://` from a status containerID. */
export function splitContainerId(statusId: string): { runtime: ContainerRuntime | null; id: string } {
  const match = /^([a-z-]+):\/\/([0-9a-f]+)$/i.exec(statusId.trim());
  if (!match) return { runtime: null, id: statusId.trim().toLowerCase() };
  const scheme = (match[1] ?? "").toLowerCase();
  const runtime: ContainerRuntime | null =
    scheme === "docker"
      ? "docker"
      : scheme === "containerd"
        ? "containerd"
        : scheme === "cri-o"
          ? "cri-o"
          : null;
  return { runtime, id: (match[2] ?? "").toLowerCase() };
}

/** True when a kernel-side id (maybe a prefix) names the container with this full id. */
export function containerIdsMatch(kernelId: string, isPrefix: boolean, fullId: string): boolean {
  if (kernelId.length === 0 || fullId.length === 0) return false;
  if (kernelId === fullId) return true;
  return isPrefix && kernelId.length >= 12 && fullId.startsWith(kernelId);
}
