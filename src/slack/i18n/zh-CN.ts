// 简体中文消息目录：与英文目录结构相同（由编译器检查）。

import { percent } from "../../analysis/format.js";
import { formatBytes, formatQuantity } from "../../analysis/quantity.js";
import { type Ceiling, perHour, type RecommendationNote } from "../../analysis/recommendation-notes.js";
import type { Refusal } from "../../proposals/model.js";
import type { ProposalProblem } from "../../proposals/rules.js";
import type { Messages } from "./en.js";

function problem(p: ProposalProblem): string {
  switch (p.kind) {
    case "not-a-quantity":
      return `\`${p.value}\` 不是合法的 Kubernetes 数量：请写成 1536Mi 或 2Gi 这样的形式。`;
    case "reason-missing":
      return "请说明原因，供审批人和审计记录查看。";
    case "request-above-limit":
      return `request（${p.request}）不能高于 limit（${p.limit}）。`;
    case "below-resident":
      return `${p.limit} 低于容器被杀时占用的 ${p.resident}：它还会被杀。`;
    case "not-a-raise":
      return `${p.limit} 没有高于当前的 limit（${p.current}）。`;
    case "above-maximum":
      return `${p.limit} 超过了配置的上限（${p.maximum}）。`;
    case "above-node-allocatable":
      return `${p.limit} 超过了节点能分配给 Pod 的内存（可分配 ${p.allocatable}）。`;
    case "above-limit-range":
      return `${p.limit} 超过了命名空间 LimitRange 的最大值（${p.maximum}）。`;
    case "step-too-large":
      return `${p.limit} 一次超过了当前 ${p.current} 的 ${p.factor} 倍（配置项 proposals.maxStepFactor）。`;
    case "probable-leak":
      return `该工作负载的 limit 在最近 7 天内已提高 ${p.bumps} 次：很像内存泄漏。请先做性能剖析，不要再提高。`;
  }
}

/** Who an investigation is for: the user who asked, or ("") the live alert that started it. */
const asker = (user: string) => (user === "" ? "实时告警" : ` <@${user}> `);

const CEILINGS: Record<Ceiling, string> = {
  "configured-maximum": "配置的上限",
  "node-allocatable": "节点可分配内存",
  "limit-range": "命名空间 LimitRange 的最大值",
  "quota-room": "命名空间 ResourceQuota 的剩余额度",
};

function reason(note: RecommendationNote): string {
  switch (note.kind) {
    case "node-ran-short":
      return "是节点内存不足，不是容器超限：提高 limit 无济于事。";
    case "allocatable-exhausted":
      return "是节点上所有 Pod 合计达到了节点可分配内存，不是这个容器超限：提高 limit 无济于事。请让 request 接近实际用量，避免调度器超额分配节点，并检查 kube-reserved、system-reserved 和 kubelet 的驱逐阈值，让驱逐先于内核的 OOM kill 发生。";
    case "request-near-usage":
      return `把内存 request 设为 ${formatQuantity(note.requestBytes)}，接近容器实际使用的 ${formatBytes(note.usageBytes)}，调度器就不会再超额分配该节点。`;
    case "guaranteed-for-critical":
      return "关键工作负载请把 request 设为等于 limit（Guaranteed QoS，oom_score_adj -997），它们会最后被杀。";
    case "sized-from-resident":
      return `被杀时常驻内存为 ${formatBytes(note.residentBytes)}；加 ${note.headroomPercent}% 余量为 ${formatBytes(note.withHeadroomBytes)}，且每次至少提高 ${formatQuantity(note.minStepBytes)}：${formatQuantity(note.limitBytes)}。`;
    case "sized-from-cgroup": {
      const victim =
        note.victimResidentBytes === null
          ? ""
          : `（被杀进程自身的 ${formatBytes(note.victimResidentBytes)} 只是其中一部分）`;
      const why =
        note.processes > 1
          ? `该 cgroup 中有 ${note.processes} 个进程，因此`
          : "被杀进程的数据没有保留下来，因此";
      return `${why}按被杀时 cgroup 的用量 ${formatBytes(note.usageBytes)} 计算${victim}；加 ${note.headroomPercent}% 余量为 ${formatBytes(note.withHeadroomBytes)}，且每次至少提高 ${formatQuantity(note.minStepBytes)}：${formatQuantity(note.limitBytes)}。`;
    }
    case "no-kernel-figures":
      return `没有内核数据，因此建议值为当前 limit 加最小步长 ${formatQuantity(note.minStepBytes)}：请用节点日志确认。`;
    case "cannot-raise":
      return `无法提高：${CEILINGS[note.ceiling]}（${formatQuantity(note.ceilingBytes)}）不高于当前 limit。请降低内存使用。`;
    case "capped":
      return `受${CEILINGS[note.ceiling]}（${formatQuantity(note.ceilingBytes)}）限制，封顶为 ${formatQuantity(note.limitBytes)}。`;
    case "request-overcommitted": {
      const usage = note.usageBytes !== null ? `，而容器被杀时用了 ${formatBytes(note.usageBytes)}` : "";
      return `request（${note.request}）只有 ${formatQuantity(note.limitBytes)} limit 的 ${percent(note.requestBytes, note.limitBytes)}：调度器只预留 ${note.request}${usage}，节点被超额分配，节点内存不足时该 Pod 会最先被杀。请把 request 提高到 ${formatQuantity(note.suggestedBytes)}（新 limit 的一半）或更接近实际用量。`;
    }
    case "jvm-heap":
      return "JVM：用 -XX:MaxRAMPercentage=75（JDK 10+、8u191+）按 limit 设置堆大小；固定的 -Xmx 接近或超过 limit 会挤占 metaspace、线程和直接内存。";
    case "node-heap":
      return `Node.js：把 V8 堆限制在 limit 以下，例如 NODE_OPTIONS=--max-old-space-size=${note.maxOldSpaceMi}。`;
    case "go-memlimit": {
      const why = note.fromStackPointer ? "（进程栈指针位于 Go 堆区 0xc000000000，可知是 Go 程序）" : "";
      return `Go${why}：把 GOMEMLIMIT 设为 limit 的 90% 左右（${note.goMemLimitMi}MiB，Go 1.19+），让垃圾回收在达到 cgroup 上限前更积极。`;
    }
    case "likely-leak":
      return "被杀很有规律，很可能存在内存泄漏：提高 limit 只会拉长间隔。请在几小时流量前后各采集一次堆快照对比。";
    case "sized-from-history": {
      const figures = [
        note.residentBytes === null ? null : `被杀时常驻内存为 ${formatBytes(note.residentBytes)}`,
        note.workingSetP99Bytes === null
          ? null
          : `${note.historyDays} 天内工作集的第 99 百分位为 ${formatBytes(note.workingSetP99Bytes)}`,
      ].filter((part) => part !== null);
      const which = figures.length > 1 ? "取较大者" : "";
      return `${figures.join("，")}；${which}加 ${note.headroomPercent}% 余量为 ${formatBytes(note.withHeadroomBytes)}，且每次至少提高 ${formatQuantity(note.minStepBytes)}：${formatQuantity(note.limitBytes)}。`;
    }
    case "request-from-history":
      return `把内存 request 设为 ${formatQuantity(note.requestBytes)}：${note.historyDays} 天内工作集的第 90 百分位为 ${formatBytes(note.workingSetP90Bytes)}，即容器平常占用的内存，调度器就按此预留。`;
    case "request-kept":
      return `内存 request 保持 ${formatQuantity(note.requestBytes)}，它高于 ${note.historyDays} 天内工作集的第 90 百分位（${formatBytes(note.workingSetP90Bytes)}）：节点内存不足时，用量低于 request 的 Pod 最后被驱逐，被杀不是降低它的理由。`;
    case "leak-first": {
      const gained =
        note.hoursGained === null ? "" : `，只能让两次被杀之间多撑约 ${note.hoursGained.toFixed(1)} 小时`;
      const stopgap =
        note.stopgapLimitBytes === null
          ? ""
          : `；${formatQuantity(note.stopgapLimitBytes)} 只是权宜之计${gained}`;
      return `内存在被杀前以 ${perHour(note.slopeBytesPerHour)} 的速度稳定增长（R² ${note.rSquared.toFixed(2)}）：这是内存泄漏。请先修复泄漏（相隔几小时的堆快照能看出是什么在增长）${stopgap}。`;
    }
    case "spike-before-kill":
      return `被杀前 ${note.windowMinutes} 分钟内内存上涨了 ${formatBytes(note.jumpBytes)}：这是突增。请按峰值设置 limit（被杀截断了上涨，真实峰值可能更高），并找出触发原因（大请求或批处理、一次性填满的缓存）。`;
    case "flat-at-limit":
      return `在本次运行中，工作集有 ${percent(note.nearLimitShare, 1)} 的时间处于 limit 的 ${note.withinPercent}% 以内：容器平常就需要比 limit 更多的内存，提高 limit 就是解决办法。`;
  }
}

function refusal(r: Refusal): string {
  switch (r.kind) {
    case "api":
      return r.message;
    case "rule":
      return `与当前工作负载对比：${problem(r.problem)}`;
    case "container-missing":
      return `工作负载中已没有容器 \`${r.container}\`。`;
    case "workload-replaced":
      return "自 dry run 以来，该工作负载已被删除并重新创建。请基于新的调查重新提议。";
    case "expired-before-apply":
      return "它在应用之前已过期。如仍需修改，请重新提议。";
    case "approver-not-allowed":
      return `<@${r.approver}> 已不能在此审批修改（配置项 proposals.approvers），因此未应用。`;
  }
}

export const zhCN: Messages = {
  usage: [
    "*用法*",
    "`/oom <命名空间>`：调查该命名空间中被 OOM 杀死和反复重启的容器",
    "`/oom <命名空间> <Pod>`：只调查这个 Pod",
    "`/oom status`：队列、工作进程和最近的调查",
    "`/oom audit [命名空间]`：最近的 limit 提议、审批和修改",
    "`/oom digest subscribe <命名空间|all> [at HH:MM] [tz <地区/城市>]`：在本频道订阅每日重启摘要（默认 09:00，你的时区）",
    "`/oom digest list` · `/oom digest unsubscribe <id>` · `/oom digest now <命名空间|all>`",
    "`/oom watch <命名空间|all> [min info|warning|critical] [quiet HH:MM-HH:MM] [tz <地区/城市>]`：每次 OOM 杀死后数秒内在本频道告警",
    "`/oom watch list` · `/oom unwatch <id>`",
    "`/oom help`：显示本帮助",
  ].join("\n"),
  badCommand: (problem) => `:warning: ${problem}`,
  invalidNamespace: (value) =>
    `\`${value}\` 不是合法的命名空间名称：只能包含小写字母、数字和 "-"，最多 63 个字符，且以字母或数字开头和结尾。`,
  invalidPod: (value) =>
    `\`${value}\` 不是合法的 Pod 名称：只能包含小写字母、数字、"-" 和 "."，最多 253 个字符。`,
  tooManyWords: (extra) => `多余的参数：\`${extra}\`。`,
  namespaceNotAllowed: (namespace, allowed) =>
    allowed === ""
      ? `本频道不能调查 \`${namespace}\`：此处不允许任何命名空间（配置项 slack.channels）。`
      : `本频道不能调查 \`${namespace}\`；允许的命名空间：${allowed}（配置项 slack.channels）。`,
  queueUnavailable:
    ":x: 无法连接任务队列（Redis），调查未能排队。请稍后重试；如果问题持续，请联系 oom-doctor 的维护者检查 REDIS_URL。",
  otherWorkspace:
    ":no_entry: 这个 oom-doctor 服务于另一个 Slack 工作区，未执行任何操作。请联系本工作区的管理员。",
  unknownWorkspace:
    ":hourglass: oom-doctor 暂时无法确认该请求是否来自它所服务的工作区，未执行任何操作。请稍后重试。",
  channelNotListed: (channel) =>
    `:no_entry: oom-doctor 不在本频道工作，未执行任何操作。请联系 oom-doctor 的维护者，把本频道的 ID \`${channel}\` 及其可调查的命名空间加入配置项 slack.channels。`,
  internalError: ":x: oom-doctor 内部出错，调查未能排队。详情见其日志。",
  alreadyRunning: (namespace, link) => `本频道已在调查 \`${namespace}\`：<${link}|查看该讨论串>。`,
  alreadyRunningNoLink: (namespace) => `本频道已在调查 \`${namespace}\`，报告将发在其讨论串中。`,

  rootQueued: (namespace, user) => `:mag: 正在为${asker(user)}调查 \`${namespace}\`……（已排队）`,
  rootProgress: (namespace, user, pods, nodesDone, nodesTotal) =>
    `:mag: 正在为${asker(user)}调查 \`${namespace}\`……已列出 ${pods} 个 Pod` +
    (nodesTotal > 0 ? `，节点日志 ${nodesDone}/${nodesTotal}` : ""),
  rootDone: (namespace, findings) =>
    `:memo: \`${namespace}\` 的 OOM 调查：${findings} 个容器需要关注，详情见讨论串。`,
  rootQuiet: (namespace) => `:white_check_mark: \`${namespace}\` 中没有发现 OOM 杀进程。`,
  rootAllSnoozed: (namespace, count) =>
    `:zzz: \`${namespace}\` 中的 OOM 杀进程都属于已暂停提醒的工作负载（${count} 个），没有新内容。`,
  rootFailed: (namespace, reason) => `:x: \`${namespace}\` 的调查失败：${reason}`,
  requestedBy: (user) => (user === "" ? "由实时告警发起" : `由 <@${user}> 发起`),
  table: {
    workload: "工作负载",
    containers: "容器数",
    restarts: "重启",
    lastKill: "最近被杀",
    verdict: "结论",
  },
  snoozedHidden: (count) => `${count} 个已暂停提醒的工作负载未显示。`,
  topRestarters: "重启最多的：",
  noRestarts: "没有容器重启。",
  restartsLine: (workload, restarts, pods) => `${workload}：${pods} 个 Pod 共重启 ${restarts} 次`,
  moreWorkloads: (hidden) => `+${hidden} 个工作负载未列出`,
  otherWorkloads: (count) =>
    `:card_index_dividers: 另有 ${count} 个工作负载发生过 OOM 杀进程，严重程度低于上面各条。在菜单中选择一个即可看到它的按钮。`,
  showActions: "显示按钮……",
  workloadActions: (workload, container) => `*${workload}*（${container}）`,

  verdictName: {
    "container-limit": "容器内存上限",
    "pod-limit": "Pod 内存上限",
    "node-allocatable": "节点可分配内存上限",
    "node-pressure": "节点内存耗尽",
    evicted: "被驱逐",
    "killed-not-oom": "被杀但非 OOM",
    "child-process": "子进程",
    "no-evidence": "无内核证据",
  },
  verdictLine: {
    "container-limit": "达到了容器自身的内存上限，被内核杀死（不是节点内存不足）",
    "pod-limit": "Pod 的 cgroup（所有容器合计）达到了上限",
    "node-allocatable":
      "节点上所有 Pod 合计达到了节点可分配内存（allocatable）上限，内核选中了这个容器的进程",
    "node-pressure": "节点内存耗尽，内核选中了这个容器的进程",
    evicted: "节点内存压力下被 kubelet 驱逐",
    "killed-not-oom": "被 SIGKILL 杀死，但不是 OOM killer 所为",
    "child-process": "子进程被 OOM 杀死，主进程仍在运行",
    "no-evidence": "已重启或 OOMKilled，但没有找到对应的内核报告",
  },

  history: {
    title: "*被杀前的内存*（Prometheus）",
    figures: (days, p50, p90, p99, max, rss) =>
      `过去 ${days} 天的工作集：p50 ${p50}，p90 ${p90}，p99 ${p99}，最大 ${max}${rss === null ? "" : `；RSS 最大 ${rss}`}`,
    leak: (slope, r2) => `:chart_with_upwards_trend: *泄漏*：内存稳定增长，${slope}（R² ${r2}）。`,
    nextKill: (slope, from, at, error) =>
      `以 ${slope} 的速度从 ${from} 增长，约在 *${at}*（±${error} 分钟）达到上限：下一次被杀。`,
    spike: (jump) => `:zap: *突增*：被杀前几分钟内上涨了 ${jump}：应按峰值设置。`,
    undersized: (share) => `:straight_ruler: *偏小*：长期贴近上限（${share}% 的样本在上限的 10% 以内）。`,
    unknown: "没有明显模式：既不是稳定增长，也不是突增或贴近上限。",
    incomplete: (problem) => `历史数据不完整：${problem}`,
    pictureTitle: (workload) => `${workload} 被杀前的内存`,
    without:
      "配置 Prometheus（prometheus.url）后，每个工作负载还会显示被杀前的内存、是泄漏、突增还是贴近上限，以及泄漏时下一次被杀的时间。",
  },
  evidence: {
    memory: "内存",
    limitVsResident: (limit, resident, share) => `上限 ${limit}，被杀时常驻内存 ${resident}（${share}）`,
    noLimit: "未设置内存上限",
    cgroup: (usage, limit, failcnt) => `cgroup 用量 ${usage} / ${limit}，failcnt ${failcnt}`,
    victim: "被杀进程",
    victimLine: (comm, pid) => `\`${comm}\`（pid ${pid}）`,
    rss: (anon, file, shmem) => `anon-rss ${anon}，file-rss ${file}，shmem-rss ${shmem}`,
    totalVm: (vm) => `total-vm ${vm} 是保留的地址空间，不计入 cgroup`,
    qos: "QoS",
    qosLine: (qos, request, adj) => `${qos}，内存 request ${request}，oom_score_adj ${adj}`,
    restarts: "重启",
    restartsLine: (count, perDay) => `${count} 次（每天 ${perDay} 次）`,
    node: "节点",
    killed: "被杀时间",
    skew: (seconds, method) =>
      `内核时钟与 kubelet 的 finishedAt 相差 ${seconds >= 0 ? "+" : ""}${seconds} 秒（按${method}匹配）`,
    matchedBy: { "container-id": "容器 ID", "pod-uid": "Pod UID", "node-time": "节点和时间" },
    unknown: "未知",
    none: "无",
    alsoAffected: (pods) => `同一工作负载中还有：${pods}`,
    events: (summary) => `Kubernetes 事件：${summary}`,
  },
  kernelReport: (node) => `${node} 上的内核报告：`,
  kernelTruncated: (shown, total) => `显示 ${total} 行中的 ${shown} 行；完整报告见附件。`,
  kernelFileTitle: (pod) => `${pod} 的内核 OOM 报告`,
  otherTasks: (count, resident) => `…… 另有 ${count} 个进程，共驻留 ${resident}（不属于该工作负载，未显示）`,
  recommendation: "建议",
  recommendLimit: (from, to) => `内存 limit ${from} → *${to}*`,
  recommendRequest: (from, to) => `内存 request ${from} → *${to}*`,
  noRecommendation: "不建议修改内存上限。",
  reason,
  buttons: {
    propose: (limit) => `提议将 limit 调整为 ${limit}`,
    kernelLog: "查看完整内核日志",
    snooze: (days) => `暂停提醒 ${days} 天`,
    unsnooze: "取消暂停",
  },
  nodesUnreadCount: (count) => `${count} 个节点的日志无法读取：详见讨论串。`,
  moreBlocks: (hidden) => `另有 ${hidden} 个区块未显示。`,
  nodesUnread: "部分节点的日志无法读取，其上的容器没有内核证据：",
  errorKind: {
    usage: "输入有误",
    "file-not-found": "文件不存在",
    "file-unreadable": "文件无法读取",
    "invalid-pods": "Pod 数据无效",
    "invalid-option": "选项无效",
    "invalid-journal": "日志无效",
    "config-invalid": "配置错误",
    unauthorized: "未通过 API 认证",
    forbidden: "RBAC 禁止访问",
    "not-found": "未找到",
    "api-unreachable": "无法连接 Kubernetes API",
    "api-error": "Kubernetes API 出错",
    "patch-refused": "API 服务器拒绝了修改",
    conflict: "对象在此期间已被修改",
    "no-address": "节点没有可用地址",
    "node-unreachable": "节点无法连接",
    "auth-refused": "SSH 登录被拒绝",
    "host-key-unknown": "主机密钥未知",
    "host-key-mismatch": "主机密钥不匹配",
    timeout: "超时",
    "journal-empty": "日志为空",
    "journal-rotated": "日志已轮转",
    "ssh-error": "SSH 错误",
    "metrics-unreachable": "无法连接 Prometheus",
    "metrics-refused": "Prometheus 拒绝了查询（凭据？）",
    "metrics-error": "Prometheus 查询失败",
  },
  errorInLogs: "详情见 oom-doctor 的日志：请联系其维护者",
  warnings: "备注：",

  actions: {
    unknownFinding: "该按钮对应的调查结果已过期或不存在。请重新运行 `/oom <命名空间>`。",
    snoozed: (workload, until, user) =>
      `:zzz: <@${user}> 已暂停 ${workload} 的提醒，直到 ${until}：本频道的调查和每日摘要将不再包含它。`,
    unsnoozed: (workload, user) => `:alarm_clock: <@${user}> 取消了 ${workload} 的暂停提醒。`,
    noKernelLog: "该结果没有内核报告。",
    failed: ":x: oom-doctor 内部出错，这次点击可能没有生效。详情见其日志。",
    notAllowedHere: (namespace) =>
      `:no_entry: 本频道（已）不能操作 \`${namespace}\`，未执行任何操作（配置项 slack.channels）。请在有权限的频道操作，或联系 oom-doctor 的维护者。`,
  },

  proposals: {
    notEnabled: (namespace) =>
      `\`${namespace}\` 未启用 limit 调整提议（配置项 proposals.approvers）。可手动或在 git 中做如下修改：`,
    notPatchable: (kind) =>
      `${kind} 无法原地修改：它的 Pod 不会按模板重建。请在定义该 ${kind} 的地方（清单或创建它的 CronJob）修改内存 limit。`,
    modalTitle: "提高内存上限",
    submit: "提交提议",
    cancel: "取消",
    intro: (workload, container, limit, request) =>
      `*${workload}*，容器 \`${container}\`\n当前：limit *${limit}*，request *${request}*`,
    suggested: (limit, request) => `建议：limit ${limit}，request ${request}`,
    limitLabel: "新的内存 limit",
    requestLabel: "新的内存 request",
    requestHint: "留空则保持 request 不变。",
    reasonLabel: "原因",
    reasonPlaceholder: "例如：每天在上限处被 OOM 杀死；堆分析工单 OPS-123",
    problem,
    header: (user, workload, container) =>
      `:memo: <@${user}> 提议修改 *${workload}* 容器 \`${container}\` 的内存`,
    diff: (from, to) => `\`\`\`- memory: ${from}\n+ memory: ${to}\`\`\``,
    limitsLine: (from, to) => `limit ${from} → ${to}`,
    requestLine: (from, to) => `request ${from} → ${to}`,
    reason: (reason) => `原因：${reason}`,
    revertOf: "此提议用于撤销之前的修改。",
    unset: "无",
    statusLine: {
      checking: "正在用服务端 dry run 检查修改……",
      ready: ":white_check_mark: Dry run 通过：API 服务器接受该修改（准入、配额、LimitRange）。等待审批。",
      refused: ":no_entry: Dry run 被拒绝，无法应用：",
      gitops: ":git: 该工作负载由以下工具管理：",
      approved: ":hourglass_flowing_sand: 已批准，审批人",
      applied: ":white_check_mark: 已应用，审批人",
      stale: ":warning: 未应用：提议之后容器的资源已被修改。请基于新的调查重新提议。",
      failed: ":x: 应用失败：",
      rejected: ":no_entry_sign: 已被拒绝，操作人",
      expired: ":hourglass: 已过期：无人及时审批。",
    },
    gitOpsAdvice: (tool) =>
      `${tool}，直接修改会被它还原。请把此修改提交到 git（或通过 proposals.patchGitOpsManaged 允许直接修改）：`,
    approve: "批准并应用",
    reject: "拒绝",
    revert: "撤销修改",
    rollout: (observed, generation, updated, ready, replicas) =>
      `滚动更新：已观察到 generation ${observed}/${generation}，已更新 ${updated}/${replicas}，就绪 ${ready}/${replicas}。`,
    rolloutDone: "滚动更新完成。",
    unknown: "该按钮对应的提议不存在（已过期或从未创建）。",
    expiredNow: "该提议已过期。如仍需修改，请重新提议。",
    decided: (status) => `该提议已${status}。`,
    notApprover: (namespace) =>
      `你不是 \`${namespace}\` 的审批人（配置项 proposals.approvers）。此次点击已记录。`,
    selfApproval: "这是你提出的修改，需要由其他审批人批准（配置项 proposals.allowSelfApproval）。",
    notAllowedToReject: "只有提议人或审批人可以拒绝该提议。",
    refusal,
    tampered: "该提议的存储记录签名无效，oom-doctor 不会据此执行任何操作。此次尝试已记录；请重新提议。",
    verifyClean: (since, container) =>
      `:white_check_mark: 自修改（${since}）以来，\`${container}\` 没有再被 OOM 杀死。`,
    verifyRecurred: (since, container, at) =>
      `:warning: \`${container}\` 在修改（${since}）之后于 ${at} 再次被 OOM 杀死。limit 可能仍然太低，或内存持续增长（泄漏）。`,
    statusName: {
      checking: "在检查中",
      ready: "在等待审批",
      refused: "被 dry run 拒绝",
      gitops: "转交 git 处理",
      approved: "批准",
      applied: "应用",
      stale: "过时",
      failed: "失败",
      rejected: "被拒绝",
      expired: "过期",
    },
  },

  audit: {
    title: (namespace) => (namespace ? `*\`${namespace}\` 的审计记录*` : "*审计记录*"),
    empty: "尚无记录。",
    line: (at, event, workload, user, detail) =>
      `${at} · *${event}* · ${workload} · <@${user}>${detail ? ` · ${detail}` : ""}`,
    event: {
      proposed: "提议",
      "dry-run": "dry run",
      approved: "批准",
      refused: "拒绝操作",
      rejected: "驳回",
      applied: "应用",
      failed: "失败",
      expired: "过期",
      reverted: "撤销",
      verified: "验证",
      tampered: "拒绝被篡改的记录",
    },
  },

  digest: {
    badTime: (value) => `\`${value}\` 不是合法的时间：请写成 HH:MM，例如 09:00 或 17:30。`,
    badZone: (value) => `\`${value}\` 不是 IANA 时区：请写成 Asia/Shanghai 或 Europe/Berlin 这样的形式。`,
    badScope: (value) => `\`${value}\` 不是合法的命名空间名称（整个集群请用 \`all\`）。`,
    usage:
      "用法：`/oom digest subscribe <命名空间|all> [at HH:MM] [tz <地区/城市>]`、`/oom digest list`、`/oom digest unsubscribe <id>`、`/oom digest now <命名空间|all>`",
    subscribed: (id, scope, at, tz) =>
      `:calendar: 已订阅 \`${scope}\` 的每日重启摘要，每天 ${at}（${tz}）发到本频道。订阅 \`${id}\`；用 \`/oom digest unsubscribe ${id}\` 取消。`,
    listTitle: "*本频道的摘要订阅*",
    listEmpty: "本频道没有摘要订阅。",
    listLine: (id, scope, at, tz, channel) => `\`${id}\` · \`${scope}\` ${at}（${tz}）发到 <#${channel}>`,
    unsubscribed: (id, scope) => `订阅 \`${id}\`（\`${scope}\`）已取消。`,
    unknown: (id) => `没有摘要订阅 \`${id}\`：用 \`/oom digest list\` 查看。`,
    tooMany: (max) =>
      `:no_entry: 摘要订阅已有 ${max} 个，达到上限（设置 slack.maxDigestSubscriptions），未能订阅。用 \`/oom digest list\` 查看。`,
    queued: (scope) => `:hourglass_flowing_sand: \`${scope}\` 的摘要正在生成。`,
    title: (scope, date) => `:bar_chart: \`${scope}\` 的重启摘要，截至 ${date} 的 24 小时`,
    quiet: (scope, date) => `:sunny: \`${scope}\` 很平静：截至 ${date} 的 24 小时内没有容器重启。`,
    totals: (restarts, oomKills, pods) =>
      `重启 *${restarts}* 次，OOM 杀死 *${oomKills}* 次，涉及 *${pods}* 个 Pod`,
    change: (restarts, oomKills) =>
      `（与前一天相比：重启 ${restarts >= 0 ? "+" : ""}${restarts}，OOM ${oomKills >= 0 ? "+" : ""}${oomKills}）`,
    totalsAtLeast: (restarts, oomKills, pods) =>
      `至少重启 *${restarts}* 次，OOM 杀死 *${oomKills}* 次，涉及 *${pods}* 个 Pod`,
    dayBeforeAtLeast: (restarts, oomKills) => `（前一天：至少重启 ${restarts} 次，OOM 杀死 ${oomKills} 次）`,
    lowerBound:
      "以上为下限：在此范围的第一次快照之前，只能看到每个容器最近一次终止，更早的重启和已删除 Pod 的重启没有计入。",
    topTitle: "*重启最多*",
    topLine: (workload, restarts, oomKills, reasons) =>
      `${workload}：重启 ${restarts} 次${oomKills > 0 ? `，OOM 杀死 ${oomKills} 次` : ""}${reasons ? `（${reasons}）` : ""}`,
    newTitle: "*今天新出现*",
    chronicTitle: "*长期问题*",
    chronicLine: (workload, days) => `${workload}：连续 ${days} 天重启`,
    investigate: (workload) => `调查 ${workload}`,
    chartTitle: (scope) => `最近 7 天每天的重启次数：${scope}`,
    nextKillsTitle: "*内存泄漏：按当前速度的下一次被杀*",
    nextKillLine: (workload, at, error) => `${workload}：约 ${at}，±${error} 分钟`,
    snoozed: (count) => `已排除 ${count} 个暂停提醒的工作负载。`,
  },

  alerts: {
    usage:
      "用法：`/oom watch <命名空间|all> [min info|warning|critical] [quiet HH:MM-HH:MM] [tz <地区/城市>]`、`/oom watch list`、`/oom unwatch <id>`",
    badSeverity: (value) => `\`${value}\` 不是告警级别：请写 info、warning 或 critical。`,
    badQuiet: (value) => `\`${value}\` 不是合法的免打扰时段：请写成 HH:MM-HH:MM，例如 22:00-07:00。`,
    missingId: "请指明要取消的订阅：`/oom unwatch <id>`；用 `/oom watch list` 查看。",
    watching: (id, scope, details) =>
      `:bell: 本频道将收到 \`${scope}\` 的 OOM 告警${details ? `（${details}）` : ""}。订阅 \`${id}\`；用 \`/oom unwatch ${id}\` 取消。`,
    duplicate: (scope) => `本频道已在关注 \`${scope}\`：用 \`/oom watch list\` 查看设置。`,
    tooMany: (max) =>
      `:no_entry: 告警订阅已有 ${max} 个，达到上限，未能订阅。用 \`/oom watch list\` 查看本频道的订阅。`,
    unwatched: (id, scope) => `订阅 \`${id}\`（\`${scope}\`）已取消：本频道不再收到它的告警。`,
    notFound: (id) => `本频道没有告警订阅 \`${id}\`：用 \`/oom watch list\` 查看。`,
    fromConfig: (id) =>
      `\`${id}\` 来自配置（alerts.routes），不能在 Slack 中取消：请联系 oom-doctor 的维护者。`,
    listTitle: "*本频道的告警订阅*",
    listEmpty: "本频道没有告警订阅：用 `/oom watch <命名空间|all>` 添加。",
    atLeast: (severity) => `${severity}及以上`,
    quietHours: (from, to, tz) => `免打扰 ${from}–${to}（${tz}）`,
    byUser: (user) => `由 <@${user}> 订阅`,
    byConfig: "来自 alerts.routes",
    severity: { info: "提示", warning: "警告", critical: "严重" },
    kind: {
      "oom-killed": "OOM 杀死",
      evicted: "被驱逐",
      "system-oom": "节点内存耗尽",
      "child-process": "静默杀死",
    },
    heading: {
      "oom-killed": "OOM 杀死",
      evicted: "因内存不足被驱逐",
      "system-oom": "节点内存耗尽",
      "child-process": "静默 OOM 杀死",
    },
    workloadTitle: (heading, where, killsToday) => `${heading}：${where}，今天第 ${killsToday} 次`,
    field: {
      node: "节点",
      pod: "Pod",
      container: "容器",
      time: "时间",
      severity: "级别",
      process: "进程",
    },
    processLine: (name, pid) => `\`${name}\`（pid ${pid}）`,
    unknown: "未知",
    nodeTitle: (node, containers) => `节点 ${node} 内存紧张：今天已有 ${containers} 个容器被杀`,
    nodeOutOfMemory: (node) => `节点 ${node} 内存耗尽`,
    systemOom: (victim) =>
      victim === null
        ? "节点内核内存耗尽（SystemOOM）。"
        : `节点内核内存耗尽（SystemOOM），杀死了 ${victim}。`,
    stormTitle: (kills, workloads) =>
      `告警风暴：最近 10 分钟内另有 ${kills} 次杀死，涉及 ${workloads} 个工作负载；都列在本话题中`,
    stormNote: "十分钟内本频道不再新开告警话题；今天已有话题的工作负载，其告警仍发到原话题。",
    killsTitle: (count) => `新增 ${count} 次杀死：`,
    moreKills: (hidden) => `另有 ${hidden} 次`,
    child: {
      title: (where, process, pid) =>
        `${where} 中的静默杀死：内核杀死了 \`${process}\`（pid ${pid}）；容器仍在运行，所以 Kubernetes 不会显示重启。`,
      place: (pod, container) => (container === null ? `Pod ${pod}` : `Pod ${pod}，容器 ${container}`),
      memory: (resident, limit, share) => `被杀时常驻内存：${resident}，上限 ${limit}（${share}）。`,
      residentOnly: (resident) => `被杀时常驻内存：${resident}；上限未知。`,
      limitOnly: (limit) => `内存上限为 ${limit}；内核没有给出该进程占用的内存。`,
      whatToDo: "怎么办",
      advice: {
        python:
          "每个 worker 都是独立进程，各自占用内存，并共享容器的上限：减少 worker 数（gunicorn `--workers`、uwsgi `processes`、celery `--concurrency`），在内存增长前回收 worker（`--max-requests` 配合 `--max-requests-jitter`，celery `--max-memory-per-child`），或把上限提高到足以容纳所有 worker 的峰值。",
        "php-fpm":
          "每个 php-fpm 子进程各自占用内存：降低 `pm.max_children`，用 `pm.max_requests` 更早回收子进程，或用 `memory_limit` 限制单个请求；或把上限提高到 max_children × 单个子进程的峰值。",
        postgres:
          "一个 postgres 后端进程超出了容器内存；随后 postgres 会重启所有后端，连接都会断开。请降低 `work_mem`（或 `max_connections`，并在前面加连接池），或提高上限。",
        shell:
          "shell（通常来自 `kubectl exec`）及其中运行的命令与应用共享容器的上限。请把繁重的一次性工作放到单独的 Pod（Job）中运行，而不是在提供服务的容器里。",
        other:
          "容器中主进程以外的某个进程超出了容器内存。请减少它的占用（更少的 worker 进程、更早回收、每个占用更少），或提高上限。",
      },
      why: "容器主进程以外的进程被杀时，Kubernetes 不记录重启，也不产生事件（kubernetes/kubernetes#100483）：oom-doctor 是在节点内核日志中发现的。",
    },
    quietOver: (from, to, tz, kills, workloads) =>
      `免打扰时段（${from}–${to}，${tz}）已结束。期间暂缓的告警：${kills} 次杀死，涉及 ${workloads} 个工作负载：`,
    silentTitle: "*过去 24 小时的静默杀进程*：内核杀死了容器内的进程，但容器仍在运行，因此看不到重启",
    silentLine: (count, process, where, last) =>
      `${where} 中的 \`${process}\` 被静默杀死 ${count} 次，最近一次在 ${last}`,
  },

  status: {
    title: "*oom-doctor 状态*",
    queue: (waiting, active, delayed, failed) =>
      `队列：等待 ${waiting}，运行中 ${active}，延迟 ${delayed}，失败 ${failed}`,
    workers: (count) => `已连接的工作进程：${count}`,
    lastRuns: "最近的调查：",
    noRuns: "尚未运行过调查。",
    run: (namespace, outcome, when, channel) => `<#${channel}> 中的 \`${namespace}\`：${outcome}，${when}`,
    outcome: { completed: "完成", failed: "失败" },
  },
};
