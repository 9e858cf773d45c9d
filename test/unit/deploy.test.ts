// The deployment files: the spec's contract as Kubernetes objects and a compose file. Pure.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { composeFile } from "../../src/deploy/compose.js";
import { configMapEntries, dnsLabel } from "../../src/deploy/deploy-plan.js";
import { kubeManifests, type KubeChoices } from "../../src/deploy/kube.js";

const spec = {
  name: "my_app.v2",
  tag: "1.0",
  user: { name: "app", uid: 1000, gid: 2000 },
  mounts: [
    { path: "/run", type: "tmpfs" as const },
    { path: "/var/lib-data", type: "volume" as const },
    { path: "/var/lib/data", type: "volume" as const },
    { path: "/read", type: "config" as const },
  ],
  ports: [
    { port: 80, protocol: "tcp" as const },
    { port: 53, protocol: "udp" as const },
  ],
};
const choices: KubeChoices = { kind: "Deployment", replicas: 2, storage: "5Gi", config: new Map(), binds: new Map() };
const byKind = (docs: Record<string, unknown>[], kind: string) => docs.filter((d) => d.kind === kind) as { metadata: { name: string }; spec: any; data?: any; binaryData?: any }[];

test("names: a DNS-1123 label made of the spec's name, never empty, at most 63", () => {
  assert.is(dnsLabel("my_app.v2"), "my-app-v2");
  assert.is(dnsLabel("__x__"), "x");
  assert.is(dnsLabel("___"), "mcc");
  assert.is(dnsLabel("a".repeat(100)).length, 63);
});

test("kube: read-only root, the spec's user, no escalation, every capability dropped but the low port's", () => {
  const docs = kubeManifests(spec, choices);
  const [deployment] = byKind(docs, "Deployment");
  assert.is(deployment?.metadata.name, "my-app-v2");
  assert.is(deployment?.spec.replicas, 2);
  const pod = deployment?.spec.template.spec;
  assert.is(pod.securityContext.fsGroup, 2000);
  const container = pod.containers[0];
  assert.is(container.image, "localhost/my_app.v2:1.0");
  assert.equal(container.securityContext, {
    readOnlyRootFilesystem: true,
    runAsUser: 1000,
    runAsGroup: 2000,
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
  });
  assert.equal(container.ports, [
    { containerPort: 80, protocol: "TCP" },
    { containerPort: 53, protocol: "UDP" },
  ]);
  // A root program is not told it runs as non-root; one on a high port needs no capability.
  const root = kubeManifests({ ...spec, user: { name: "root", uid: 0, gid: 0 }, ports: [{ port: 8080, protocol: "tcp" }] }, { ...choices, image: "registry.example/app@sha256:ab" });
  const rootContainer = byKind(root, "Deployment")[0]?.spec.template.spec.containers[0];
  assert.is(rootContainer.securityContext.runAsNonRoot, undefined);
  assert.equal(rootContainer.securityContext.capabilities, { drop: ["ALL"] });
  assert.is(rootContainer.image, "registry.example/app@sha256:ab");
});

test("kube: tmpfs an in-memory emptyDir, each volume a claim of its own (names kept apart), config a read-only ConfigMap", () => {
  const docs = kubeManifests(spec, choices);
  assert.equal(
    byKind(docs, "PersistentVolumeClaim").map((c) => [c.metadata.name, c.spec.resources.requests.storage]),
    [
      ["my-app-v2-var-lib-data", "5Gi"],
      ["my-app-v2-var-lib-data-2", "5Gi"],
    ],
  );
  const pod = byKind(docs, "Deployment")[0]?.spec.template.spec;
  assert.equal(pod.volumes, [
    { name: "run", emptyDir: { medium: "Memory" } },
    { name: "var-lib-data", persistentVolumeClaim: { claimName: "my-app-v2-var-lib-data" } },
    { name: "var-lib-data-2", persistentVolumeClaim: { claimName: "my-app-v2-var-lib-data-2" } },
    { name: "read", configMap: { name: "my-app-v2-read", items: [] } },
  ]);
  assert.equal(pod.containers[0].volumeMounts.at(-1), { name: "read", mountPath: "/read", readOnly: true });
  // A claim is written by one pod at a time: the old one stops before the new one starts.
  assert.equal(byKind(docs, "Deployment")[0]?.spec.strategy, { type: "Recreate" });
  assert.equal(byKind(docs, "Service")[0]?.spec.ports, [
    { name: "tcp-80", port: 80, targetPort: 80, protocol: "TCP" },
    { name: "udp-53", port: 53, targetPort: 53, protocol: "UDP" },
  ]);
  const pods = kubeManifests({ ...spec, ports: [] }, { ...choices, kind: "Pod" });
  assert.equal(
    pods.map((d) => d.kind),
    ["PersistentVolumeClaim", "PersistentVolumeClaim", "ConfigMap", "Pod"],
  );
});

test("ConfigMap: a key per file (colliding keys numbered), nested paths and modes kept, bytes that are not UTF-8 as binaryData", () => {
  const text = (s: string) => new TextEncoder().encode(s);
  const files = [
    { rel: "www/index.html", bytes: text("<p>hi</p>"), mode: 0o644 },
    { rel: "www_index.html", bytes: text("other"), mode: 0o644 },
    { rel: "run me.sh", bytes: text("#!/bin/sh\n"), mode: 0o755 },
    { rel: "logo.png", bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff]), mode: 0o644 },
  ];
  assert.equal(
    configMapEntries(files).map((e) => [e.key, e.rel, e.mode, e.text === undefined ? "binary" : "text"]),
    [
      ["logo.png", "logo.png", 0o644, "binary"],
      ["run-me.sh", "run me.sh", 0o755, "text"],
      ["www_index.html", "www/index.html", 0o644, "text"],
      ["www_index.html-2", "www_index.html", 0o644, "text"],
    ],
  );
  const docs = kubeManifests(spec, { ...choices, config: new Map([["/read", files]]) });
  const [map] = byKind(docs, "ConfigMap");
  assert.equal(Object.keys(map?.data), ["run-me.sh", "www_index.html", "www_index.html-2"]);
  assert.equal(map?.binaryData, { "logo.png": "iVBOR/8=" });
});

test("compose: read-only, the user, no new privileges, tmpfs any user may write, named volumes, config bound only when given", () => {
  const file = composeFile(spec, { config: new Map(), binds: new Map([["/read", "/srv/conf"]]) }) as { services: Record<string, any>; volumes: object };
  const service = file.services["my-app-v2"];
  assert.equal(service, {
    image: "localhost/my_app.v2:1.0",
    user: "1000:2000",
    read_only: true,
    cap_drop: ["ALL"],
    cap_add: ["NET_BIND_SERVICE"],
    security_opt: ["no-new-privileges:true"],
    tmpfs: ["/run:mode=1777"],
    volumes: [
      { type: "volume", source: "var-lib-data", target: "/var/lib-data" },
      { type: "volume", source: "var-lib-data-2", target: "/var/lib/data" },
      { type: "bind", source: "/srv/conf", target: "/read", read_only: true },
    ],
    ports: ["80:80/tcp", "53:53/udp"],
  });
  assert.equal(file.volumes, { "var-lib-data": {}, "var-lib-data-2": {} });
  const bare = composeFile({ ...spec, mounts: [], ports: [] }, { config: new Map(), binds: new Map() }) as { services: Record<string, any>; volumes?: object };
  assert.is(bare.volumes, undefined);
  assert.is(bare.services["my-app-v2"].volumes, undefined);
});

test.run();
