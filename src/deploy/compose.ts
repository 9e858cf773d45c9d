// `mcc compose`: the microcontainer's contract as a compose file (docker compose, podman-compose):
// a read-only root, the spec's user, no new privileges, every capability dropped but the one a
// low port needs; `tmpfs` mounts owned by the user, a `volume` as a named volume, a `config`
// mount bound read-only from the directory given for it (without one, the image's own files
// there are what the program reads). Pure.
import { deployment, type DeployChoices } from "./deploy-plan.js";
import type { Spec } from "../types/spec.js";

export function composeFile(spec: Pick<Spec, "name" | "tag" | "user" | "mounts" | "ports">, choices: DeployChoices): Record<string, unknown> {
  const d = deployment(spec, choices);
  // Writable by the user as Kubernetes' emptyDir is (docker takes uid=, podman only its own U:
  // a world-writable, sticky tmpfs is what both accept).
  const tmpfs = d.mounts.filter((m) => m.type === "tmpfs").map((m) => `${m.path}:mode=1777`);
  const volumes: Record<string, unknown>[] = [];
  const named: Record<string, object> = {};
  for (const m of d.mounts) {
    if (m.type === "volume") {
      volumes.push({ type: "volume", source: m.name, target: m.path });
      named[m.name] = {};
    } else if (m.type === "config") {
      const dir = choices.binds.get(m.path);
      if (dir !== undefined) volumes.push({ type: "bind", source: dir, target: m.path, read_only: true });
    }
  }
  const service: Record<string, unknown> = {
    image: d.image,
    user: `${d.uid}:${d.gid}`,
    read_only: true,
    cap_drop: ["ALL"],
    ...(d.bindsLowPort ? { cap_add: ["NET_BIND_SERVICE"] } : {}),
    security_opt: ["no-new-privileges:true"],
    ...(tmpfs.length === 0 ? {} : { tmpfs }),
    ...(volumes.length === 0 ? {} : { volumes }),
    ...(d.ports.length === 0 ? {} : { ports: d.ports.map((p) => `${p.port}:${p.port}/${p.protocol}`) }),
  };
  return { services: { [d.name]: service }, ...(Object.keys(named).length === 0 ? {} : { volumes: named }) };
}
