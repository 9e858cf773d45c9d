// `mcc kube`: the microcontainer's contract as Kubernetes objects. A read-only root, the spec's
// user (never root unless the spec says so), no privilege escalation, every capability dropped
// but the one a low port needs; `tmpfs` mounts as in-memory emptyDirs, a `volume` as a
// PersistentVolumeClaim, a `config` mount as a ConfigMap of its files; the ports, and a
// Service in front of a Deployment's. Pure: plain objects, printed by the command.
import { configMapEntries, deployment, type ConfigFile, type DeployChoices } from "./deploy-plan.js";
import type { Spec } from "../types/spec.js";

export interface KubeChoices extends DeployChoices {
  readonly kind: "Deployment" | "Pod";
  readonly replicas: number;
  /** A volume claim's requested size (`1Gi`). */
  readonly storage: string;
}

type Manifest = Record<string, unknown>;

export function kubeManifests(spec: Pick<Spec, "name" | "tag" | "user" | "mounts" | "ports">, choices: KubeChoices): Manifest[] {
  const d = deployment(spec, choices);
  const labels = { "app.kubernetes.io/name": d.name, "app.kubernetes.io/managed-by": "mcc" };
  const objectName = (suffix: string) => `${d.name.slice(0, 62 - suffix.length)}-${suffix}`.replace(/-+/g, "-");
  const out: Manifest[] = [];
  const volumes: Manifest[] = [];
  const volumeMounts: Manifest[] = [];
  for (const m of d.mounts) {
    if (m.type === "tmpfs") {
      volumes.push({ name: m.name, emptyDir: { medium: "Memory" } });
      volumeMounts.push({ name: m.name, mountPath: m.path });
    } else if (m.type === "volume") {
      const claim = objectName(m.name);
      out.push({
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: claim, labels },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: choices.storage } } },
      });
      volumes.push({ name: m.name, persistentVolumeClaim: { claimName: claim } });
      volumeMounts.push({ name: m.name, mountPath: m.path });
    } else {
      const files: readonly ConfigFile[] = choices.config.get(m.path) ?? [];
      const entries = configMapEntries(files);
      const map = objectName(m.name);
      const data = Object.fromEntries(entries.filter((e) => e.text !== undefined).map((e) => [e.key, e.text]));
      const binaryData = Object.fromEntries(entries.filter((e) => e.base64 !== undefined).map((e) => [e.key, e.base64]));
      out.push({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: map, labels },
        ...(Object.keys(data).length > 0 ? { data } : {}),
        ...(Object.keys(binaryData).length > 0 ? { binaryData } : {}),
      });
      volumes.push({ name: m.name, configMap: { name: map, items: entries.map((e) => ({ key: e.key, path: e.rel, mode: e.mode })) } });
      volumeMounts.push({ name: m.name, mountPath: m.path, readOnly: true });
    }
  }
  const container: Manifest = {
    name: d.name,
    image: d.image,
    securityContext: {
      readOnlyRootFilesystem: true,
      runAsUser: d.uid,
      runAsGroup: d.gid,
      ...(d.uid === 0 ? {} : { runAsNonRoot: true }),
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"], ...(d.bindsLowPort ? { add: ["NET_BIND_SERVICE"] } : {}) },
    },
    ...(d.ports.length === 0 ? {} : { ports: d.ports.map((p) => ({ containerPort: p.port, protocol: p.protocol.toUpperCase() })) }),
    ...(volumeMounts.length === 0 ? {} : { volumeMounts }),
  };
  // fsGroup: the kubelet makes a claim's files the user's group, so a non-root program can write.
  const podSpec: Manifest = {
    securityContext: { fsGroup: d.gid },
    automountServiceAccountToken: false,
    containers: [container],
    ...(volumes.length === 0 ? {} : { volumes }),
  };
  if (choices.kind === "Pod") {
    out.push({ apiVersion: "v1", kind: "Pod", metadata: { name: d.name, labels }, spec: podSpec });
  } else {
    out.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: d.name, labels },
      spec: {
        replicas: choices.replicas,
        selector: { matchLabels: { "app.kubernetes.io/name": d.name } },
        // One claim written by one program at a time: a new pod starts after the old one stopped.
        ...(d.mounts.some((m) => m.type === "volume") ? { strategy: { type: "Recreate" } } : {}),
        template: { metadata: { labels }, spec: podSpec },
      },
    });
    if (d.ports.length > 0) {
      out.push({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: d.name, labels },
        spec: {
          selector: { "app.kubernetes.io/name": d.name },
          ports: d.ports.map((p) => ({ name: `${p.protocol}-${p.port}`, port: p.port, targetPort: p.port, protocol: p.protocol.toUpperCase() })),
        },
      });
    }
  }
  return out;
}
