import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CgroupRef,
  containerIdsMatch,
  decodeCgroupPath,
  splitContainerId,
} from "../../../src/analysis/cgroup-path.js";

const UID = "f05bdc36-dd14-4537-9b91-57cc07df0932";
const SYSTEMD_UID = UID.replaceAll("-", "_");
const ID = "052d52a163eb1ced8ddbd9968b31cb1d1ec74a2b389e18984737c3118fdd7a5e";

describe("memcg paths", () => {
  const cases: Array<[string, string, Partial<CgroupRef>]> = [
    [
      "systemd, Burstable, docker",
      `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${SYSTEMD_UID}.slice/docker-${ID}.scope`,
      {
        driver: "systemd",
        qos: "Burstable",
        podUid: UID,
        containerId: ID,
        runtime: "docker",
        podLevel: false,
      },
    ],
    [
      "systemd, Guaranteed, containerd",
      `/kubepods.slice/kubepods-pod${SYSTEMD_UID}.slice/cri-containerd-${ID}.scope`,
      { qos: "Guaranteed", runtime: "containerd", containerId: ID },
    ],
    [
      "systemd, BestEffort, CRI-O",
      `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${SYSTEMD_UID}.slice/crio-${ID}.scope`,
      { qos: "BestEffort", runtime: "cri-o" },
    ],
    [
      "cgroupfs, Burstable, bare id",
      `/kubepods/burstable/pod${UID}/${ID}`,
      { driver: "cgroupfs", qos: "Burstable", podUid: UID, containerId: ID, runtime: null },
    ],
    ["cgroupfs, Guaranteed", `/kubepods/pod${UID}/${ID}`, { qos: "Guaranteed", podUid: UID }],
    ["cgroupfs, BestEffort", `/kubepods/besteffort/pod${UID}/${ID}`, { qos: "BestEffort" }],
    [
      "the pod's own cgroup",
      `/kubepods/burstable/pod${UID}`,
      { podUid: UID, containerId: null, podLevel: true },
    ],
    ["a QoS-level cgroup", "/kubepods/burstable", { qos: "Burstable", podUid: null, podLevel: false }],
    [
      "the node's pod hierarchy (systemd)",
      "/kubepods.slice",
      { kubepods: true, driver: "systemd", podUid: null, qos: null },
    ],
    [
      "a kubelet nested in a kind node",
      `/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod${SYSTEMD_UID}.slice/cri-containerd-${ID}.scope`,
      { kubepods: true, qos: "BestEffort", podUid: UID, containerId: ID, runtime: "containerd" },
    ],
    [
      "a plain Docker container (cgroupfs)",
      `/docker/${ID}`,
      { kubepods: false, driver: "cgroupfs", runtime: "docker", containerId: ID, podUid: null },
    ],
    [
      "a plain Docker container (systemd)",
      `/system.slice/docker-${ID}.scope`,
      { kubepods: false, driver: "systemd", runtime: "docker", containerId: ID },
    ],
    [
      "a pod under a Docker-in-Docker node",
      `/docker/${ID}/kubepods/burstable/pod${UID}/${ID.replace("0", "1")}`,
      { kubepods: true, driver: "cgroupfs", podUid: UID, containerId: ID.replace("0", "1"), runtime: null },
    ],
  ];
  for (const [what, path, expected] of cases) {
    it(`when the path is ${what}, then pod and container are decoded`, () => {
      const ref = decodeCgroupPath(path);
      assert.ok(ref);
      for (const [key, value] of Object.entries(expected))
        assert.deepEqual(ref[key as keyof typeof ref], value, key);
    });
  }

  it("when the path is a system service, a user session or the root, then it names no pod or container", () => {
    for (const path of [
      "/system.slice/containerd.service",
      "/user.slice/user-1000.slice/session-3.scope",
      "/",
    ]) {
      const ref = decodeCgroupPath(path);
      assert.equal(ref?.kubepods, false, path);
      assert.equal(ref?.podUid, null, path);
      assert.equal(ref?.containerId, null, path);
    }
    assert.equal(decodeCgroupPath("/")?.driver, null, "the root says nothing of the driver");
    assert.equal(decodeCgroupPath(""), null);
  });

  it("when a pager cut the container id, then it is a prefix that matches only its full id", () => {
    const cut = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${SYSTEMD_UID}.slice/docker-${ID.slice(0, 40)}`;
    const ref = decodeCgroupPath(cut, true);
    assert.equal(ref?.containerIdIsPrefix, true);
    assert.equal(containerIdsMatch(ref?.containerId ?? "", true, ID), true);
    assert.equal(containerIdsMatch(ref?.containerId ?? "", true, `f${ID.slice(1)}`), false);
    assert.equal(containerIdsMatch(ID.slice(0, 8), true, ID), false, "too short a prefix proves nothing");
  });

  it("when a status containerID has a scheme, then the runtime is named", () => {
    assert.deepEqual(splitContainerId(`docker://${ID}`), { runtime: "docker", id: ID });
    assert.deepEqual(splitContainerId(`containerd://${ID}`), { runtime: "containerd", id: ID });
    assert.deepEqual(splitContainerId(`cri-o://${ID}`), { runtime: "cri-o", id: ID });
  });
});
