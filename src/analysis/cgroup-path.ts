// Decodes the memory cgroup paths the kernel prints (task_memcg, oom_memcg, "Task in ...") into the
// pod and container they belong to. The path, not the clock, is what ties a kernel report to a container.

export type QosClass = "Guaranteed" | "Burstable" | "BestEffort";
export type ContainerRuntime = "docker" | "containerd" | "cri-o";
export type CgroupDriver = "systemd" | "cgroupfs";

export interface CgroupRef {
  path: string;
  /** `systemd` for `.slice`/`.scope` paths, `cgroupfs` for `/kubepods/...` and `/docker/<id>`. */
  driver: CgroupDriver | null;
  /** The path lies in the kubelet's pod hierarchy. */
  kubepods: boolean;
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

// kind and other nested kubelets prefix the hierarchy: `kubelet-kubepods.slice`.
const KUBEPODS = /^(?:[a-z0-9]+-)?kubepods(\.slice)?$/;
const SYSTEMD_POD = /^(?:[a-z0-9]+-)?kubepods(?:-(burstable|besteffort))?-pod([0-9a-f_]{36})\.slice$/i;
const CGROUPFS_POD = /^pod([0-9a-f-]{36})$/i;
const SYSTEMD_CONTAINER = /^(docker|cri-containerd|crio)-([0-9a-f]+)(\.scope)?$/i;
const BARE_CONTAINER = /^([0-9a-f]{12,64})$/i;
const SYSTEMD_UNIT = /\.(?:slice|scope|service)$/;

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

/** Reads a container's cgroup name: `docker-<id>.scope` and its kin, or a bare id. */
function readContainer(ref: CgroupRef, part: string, isLast: boolean, cutByPager: boolean): void {
  const prefixed = SYSTEMD_CONTAINER.exec(part);
  if (prefixed) {
    ref.runtime = RUNTIME_BY_PREFIX[(prefixed[1] ?? "").toLowerCase()] ?? null;
    ref.containerId = (prefixed[2] ?? "").toLowerCase();
    ref.containerIdIsPrefix = prefixed[3] === undefined && isLast && cutByPager;
    return;
  }
  const bare = BARE_CONTAINER.exec(part);
  if (bare) {
    ref.containerId = (bare[1] ?? "").toLowerCase();
    ref.containerIdIsPrefix = isLast && cutByPager && ref.containerId.length < 64;
  }
}

/** A container outside kubepods: plain Docker (`/docker/<id>`, `/system.slice/docker-<id>.scope`). */
function decodeOutsideKubepods(ref: CgroupRef, parts: string[], cutByPager: boolean): CgroupRef {
  const last = parts[parts.length - 1];
  if (last === undefined) return ref;
  if (parts.length >= 2 && parts[parts.length - 2] === "docker" && BARE_CONTAINER.test(last)) {
    readContainer(ref, last, true, cutByPager);
    ref.runtime = "docker";
  } else if (SYSTEMD_CONTAINER.test(last)) {
    readContainer(ref, last, true, cutByPager);
  }
  return ref;
}

/**
 * Decodes a memcg path. `cutByPager` says the path may end early (a line ending in `>`), in which case a
 * trailing container id is kept as a prefix. Returns null for an empty path.
 */
export function decodeCgroupPath(rawPath: string, cutByPager = false): CgroupRef | null {
  const path = rawPath.trim();
  if (path.length === 0) return null;
  const parts = path.split("/").filter((part) => part.length > 0);
  const kubepodsAt = parts.findIndex((part) => KUBEPODS.test(part));
  const systemd = parts.some((part) => SYSTEMD_UNIT.test(part));
  // The kubelet's own hierarchy says its driver, whatever a node running inside a container adds above.
  const kubepods = parts[kubepodsAt];
  const driver: CgroupDriver | null =
    kubepods !== undefined
      ? kubepods.endsWith(".slice")
        ? "systemd"
        : "cgroupfs"
      : systemd
        ? "systemd"
        : parts[0] === "docker"
          ? "cgroupfs"
          : null;
  const ref: CgroupRef = {
    path,
    driver,
    kubepods: kubepodsAt >= 0,
    qos: null,
    podUid: null,
    containerId: null,
    containerIdIsPrefix: false,
    runtime: null,
    podLevel: false,
  };
  if (kubepodsAt < 0) return decodeOutsideKubepods(ref, parts, cutByPager);
  const rest = parts.slice(kubepodsAt + 1);
  let podAt = -1;
  for (let i = 0; i < rest.length && podAt < 0; i++) {
    const part = rest[i] ?? "";
    const systemdPod = SYSTEMD_POD.exec(part);
    const cgroupfsPod = CGROUPFS_POD.exec(part);
    if (systemdPod) {
      ref.qos = qosFromToken(systemdPod[1]);
      ref.podUid = (systemdPod[2] ?? "").replaceAll("_", "-").toLowerCase();
      podAt = i;
    } else if (cgroupfsPod) {
      ref.qos = qosFromToken(i > 0 ? qosToken(rest[i - 1]) : undefined);
      ref.podUid = (cgroupfsPod[1] ?? "").toLowerCase();
      podAt = i;
    }
  }
  if (podAt < 0) {
    // A QoS-level cgroup such as /kubepods/burstable: no pod named.
    const qosPart = qosToken(rest[0]);
    if (qosPart === "burstable" || qosPart === "besteffort") ref.qos = qosFromToken(qosPart);
    return ref;
  }
  const containerPart = rest[podAt + 1];
  if (containerPart === undefined) {
    ref.podLevel = true;
    return ref;
  }
  readContainer(ref, containerPart, podAt + 1 === rest.length - 1, cutByPager);
  return ref;
}

/** `kubepods-burstable.slice` and `burstable` both name the Burstable level. */
function qosToken(part: string | undefined): string | undefined {
  return part?.replace(/^(?:[a-z0-9]+-)?kubepods-|\.slice$/g, "");
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
