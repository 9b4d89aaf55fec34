#!/usr/bin/env python3
"""A stand-in for `kubectl` that keeps a cluster in a JSON file, so that tests can run the
generated migrate.sh (dry run and --apply, including a failure and a resumed run) without a
cluster. It knows just the commands and the jsonpath subset migrate.sh and the runbook's rollback
blocks use (`-f -` reads standard input), and enough of the API's behaviour to matter for a
migration:

- deleting a claim releases its volume; a volume with policy Delete is then deleted, and its
  disk or share with it: that is recorded as `DATA LOST <handle>` in the log;
- deleting a claim that a running pod uses leaves it Terminating (pvc-protection);
- a claim with volumeName binds to a volume whose claimRef names it (no uid needed);
- scaling a workload to 0 removes its pods and their VolumeAttachments; scaling up creates pods;
- `FAKE_KUBECTL_FAIL=<substring>` makes the first command containing it fail once.

Environment: FAKE_KUBECTL_STATE=path of the state file (created from FAKE_KUBECTL_DUMP, a
`kubectl get ... -o json` List, on first use); every call is appended to FAKE_KUBECTL_LOG.
"""
import json
import os
import re
import sys

import yaml

KINDS = {
    "pv": "PersistentVolume", "persistentvolume": "PersistentVolume", "persistentvolumes": "PersistentVolume",
    "pvc": "PersistentVolumeClaim", "persistentvolumeclaim": "PersistentVolumeClaim",
    "sc": "StorageClass", "storageclass": "StorageClass", "csidriver": "CSIDriver",
    "pod": "Pod", "pods": "Pod", "statefulset": "StatefulSet", "deployment": "Deployment",
    "daemonset": "DaemonSet", "cronjob": "CronJob", "job": "Job", "replicaset": "ReplicaSet",
    "volumeattachment": "VolumeAttachment", "volumeattachments": "VolumeAttachment",
}
CLUSTER_SCOPED = {"PersistentVolume", "StorageClass", "CSIDriver", "VolumeAttachment"}


def fail(message, code=1):
    sys.stderr.write(message + "\n")
    sys.exit(code)


def key(obj):
    m = obj.get("metadata", {})
    return (obj["kind"], m.get("namespace", "") if obj["kind"] not in CLUSTER_SCOPED else "", m["name"])


class Cluster:
    def __init__(self, path):
        self.path = path
        with open(path) as f:
            data = json.load(f)
        self.objects = {tuple(k.split("\x1f")): v for k, v in data["objects"].items()}
        self.failed = data.get("failed", [])

    def save(self):
        data = {"objects": {"\x1f".join(k): v for k, v in self.objects.items()}, "failed": self.failed}
        with open(self.path, "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)

    def get(self, kind, ns, name):
        return self.objects.get((kind, "" if kind in CLUSTER_SCOPED else ns, name))

    def put(self, obj):
        self.objects[key(obj)] = obj

    def remove(self, kind, ns, name):
        self.objects.pop((kind, "" if kind in CLUSTER_SCOPED else ns, name), None)

    def all(self, kind, ns=None):
        return [v for (k, n, _), v in sorted(self.objects.items()) if k == kind and (ns is None or n == ns)]

    # Behaviour.
    def claim_in_use(self, ns, claim):
        for pod in self.all("Pod", ns):
            if pod.get("status", {}).get("phase") in ("Succeeded", "Failed"):
                continue
            for v in pod.get("spec", {}).get("volumes", []) or []:
                if (v.get("persistentVolumeClaim") or {}).get("claimName") == claim:
                    return True
        return False

    def settle(self, log):
        # Claims whose deletion was blocked by a pod go once no pod uses them.
        for pvc in self.all("PersistentVolumeClaim"):
            m = pvc["metadata"]
            if m.get("deletionTimestamp") and not self.claim_in_use(m["namespace"], m["name"]):
                self.delete_claim(pvc, log)
        # Binding.
        for pvc in self.all("PersistentVolumeClaim"):
            name = pvc.get("spec", {}).get("volumeName")
            pv = self.get("PersistentVolume", "", name) if name else None
            if pv is None:
                continue
            ref = pv["spec"].get("claimRef") or {}
            if ref.get("name") == pvc["metadata"]["name"] and ref.get("namespace") == pvc["metadata"]["namespace"]:
                if ref.get("uid") in (None, pvc["metadata"].get("uid")):
                    ref["uid"] = pvc["metadata"].setdefault("uid", "uid-" + pvc["metadata"]["name"])
                    pv["spec"]["claimRef"] = ref
                    pv.setdefault("status", {})["phase"] = "Bound"
                    pvc.setdefault("status", {})["phase"] = "Bound"

    def delete_claim(self, pvc, log):
        m = pvc["metadata"]
        self.remove("PersistentVolumeClaim", m["namespace"], m["name"])
        pv = self.get("PersistentVolume", "", pvc.get("spec", {}).get("volumeName", ""))
        if pv is None:
            return
        if pv["spec"].get("persistentVolumeReclaimPolicy", "Delete") == "Delete":
            log.append("DATA LOST " + handle(pv))
            self.remove("PersistentVolume", "", pv["metadata"]["name"])
        else:
            pv.setdefault("status", {})["phase"] = "Released"


def handle(pv):
    s = pv.get("spec", {})
    return (s.get("csi") or {}).get("volumeHandle") or (s.get("azureDisk") or {}).get("diskURI") or \
        (s.get("azureFile") or {}).get("shareName", "")


# A kubectl jsonpath subset: {.a.b}, {.a[*].b}, {.a['k/x']}, {.a[0]}, {"text"}, {range X}...{end}.
def parse_path(expr):
    steps = []
    for m in re.finditer(r"\.([A-Za-z0-9_\-]+)|\['([^']*)'\]|\[(\*|\d+)\]", expr):
        if m.group(1) is not None:
            steps.append(("key", m.group(1)))
        elif m.group(2) is not None:
            steps.append(("key", m.group(2)))
        else:
            steps.append(("index", m.group(3)))
    return steps


def evaluate(steps, value):
    values = [value]
    for kind, arg in steps:
        out = []
        for v in values:
            if kind == "key":
                if isinstance(v, dict) and arg in v:
                    out.append(v[arg])
            elif isinstance(v, list):
                out.extend(v if arg == "*" else v[int(arg):int(arg) + 1])
        values = out
    return values


def scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return str(v)


def jsonpath(template, obj):
    tokens = re.findall(r"\{([^{}]*)\}|([^{}]+)", template)

    def render(tokens, value):
        out = ""
        i = 0
        while i < len(tokens):
            expr, text = tokens[i]
            if text:
                out += text
            elif expr.startswith("range "):
                depth, j = 1, i + 1
                while j < len(tokens):
                    e = tokens[j][0]
                    if e.startswith("range "):
                        depth += 1
                    elif e == "end":
                        depth -= 1
                        if depth == 0:
                            break
                    j += 1
                for item in evaluate(parse_path(expr[6:]), value):
                    out += render(tokens[i + 1:j], item)
                i = j
            elif expr.startswith('"'):
                out += json.loads(expr)
            else:
                out += " ".join(scalar(v) for v in evaluate(parse_path(expr), value))
            i += 1
        return out

    return render(tokens, obj)


def load_manifest(path):
    if path == "-":
        text = sys.stdin.read()
    else:
        with open(path) as f:
            text = f.read()
    if not text.strip():
        fail("error: no objects passed (%s is empty)" % ("standard input" if path == "-" else path))
    try:
        return json.loads(text)
    except ValueError:
        return yaml.safe_load(text)


def merge(target, patch):
    for k, v in patch.items():
        if v is None:
            target.pop(k, None)
        elif isinstance(v, dict) and isinstance(target.get(k), dict):
            merge(target[k], v)
        else:
            target[k] = v


def json_patch(obj, ops):
    for op in ops:
        parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
        parent = obj
        for p in parts[:-1]:
            parent = parent[int(p)] if isinstance(parent, list) else parent[p]
        last = parts[-1]
        if isinstance(parent, list):
            last = int(last)
        if op["op"] == "test":
            if parent[last] != op["value"]:
                fail("The request is invalid: test operation failed")
        elif op["op"] in ("add", "replace"):
            parent[last] = op["value"]
        elif op["op"] == "remove":
            if isinstance(parent, dict) and last not in parent:
                fail("The request is invalid: the server rejected our request due to an error in our request")
            del parent[last]


def main():
    args = sys.argv[1:]
    state_path = os.environ["FAKE_KUBECTL_STATE"]
    log_path = os.environ.get("FAKE_KUBECTL_LOG")
    class Log:
        def append(self, text):
            if log_path:
                with open(log_path, "a") as f:
                    f.write(text + "\n")

    log = Log()
    log.append(" ".join(args))
    if not os.path.exists(state_path):
        with open(os.environ["FAKE_KUBECTL_DUMP"]) as f:
            items = json.load(f)["items"]
        items.append({"kind": "CSIDriver", "metadata": {"name": "disk.csi.azure.com"}})
        items.append({"kind": "CSIDriver", "metadata": {"name": "file.csi.azure.com"}})
        with open(state_path, "w") as f:
            json.dump({"objects": {"\x1f".join(key(o)): o for o in items}}, f)
    cluster = Cluster(state_path)

    trigger = os.environ.get("FAKE_KUBECTL_FAIL")
    line = " ".join(args)
    if trigger and trigger in line and trigger not in cluster.failed:
        cluster.failed.append(trigger)
        cluster.save()
        fail("Error from server (InternalError): injected failure")

    # Flags.
    ns, output, ignore, files, patch, ptype, replicas, local, for_ = "", None, False, [], None, "strategic", None, False, None
    positional = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--context":
            i += 1
        elif a in ("-n", "--namespace"):
            ns = args[i + 1]
            i += 1
        elif a == "-o":
            output = args[i + 1]
            i += 1
        elif a.startswith("-o") and len(a) > 2:
            output = a[2:]
        elif a == "--ignore-not-found":
            ignore = True
        elif a == "-f":
            files.append(args[i + 1])
            i += 1
        elif a == "-p":
            patch = args[i + 1]
            i += 1
        elif a.startswith("--type="):
            ptype = a[7:]
        elif a.startswith("--replicas="):
            replicas = int(a[11:])
        elif a == "--local":
            local = True
        elif a.startswith("--for="):
            for_ = a[6:]
        elif a.startswith("-"):
            pass
        else:
            positional.append(a)
        i += 1

    verb = positional[0] if positional else ""
    if verb == "config":
        print("https://fake.example:443", end="")
        return
    if verb == "get" and "--raw" in args:
        print("{}")
        return

    def show(obj):
        if output is None:
            print(obj["metadata"]["name"])
        elif output == "name":
            print(obj["kind"].lower() + "/" + obj["metadata"]["name"])
        elif output in ("yaml", "json"):
            print(json.dumps(obj, indent=2))
        elif output.startswith("jsonpath="):
            sys.stdout.write(jsonpath(output[9:], obj))

    if verb == "get":
        kind = KINDS[positional[1].split("/")[0]]
        name = positional[2] if len(positional) > 2 else None
        if name is None:
            show({"kind": "List", "metadata": {"name": ""}, "items": cluster.all(kind, ns if kind not in CLUSTER_SCOPED else None)})
            return
        obj = cluster.get(kind, ns, name)
        if obj is None:
            if ignore:
                return
            fail('Error from server (NotFound): %s "%s" not found' % (positional[1], name))
        show(obj)
        return

    if verb == "patch":
        if local:
            obj = load_manifest(files[0])
        else:
            kind = KINDS[positional[1]]
            obj = cluster.get(kind, ns, positional[2])
            if obj is None:
                fail("Error from server (NotFound): not found")
        if ptype == "json":
            json_patch(obj, json.loads(patch))
        else:
            merge(obj, json.loads(patch))
        if local:
            print(json.dumps(obj, indent=2))
            return
        cluster.settle(log)
        cluster.save()
        print("%s/%s patched" % (positional[1], positional[2]))
        return

    if verb in ("apply", "create"):
        obj = load_manifest(files[0])
        existing = cluster.get(obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        if existing is not None and verb == "create":
            fail("Error from server (AlreadyExists)")
        if obj["kind"] == "PersistentVolume" and existing is not None and handle(existing) != handle(obj):
            fail("Error from server (Invalid): spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation")
        obj.setdefault("status", {})
        if obj["kind"] == "PersistentVolume":
            obj["status"].setdefault("phase", "Available")
        if obj["kind"] == "PersistentVolumeClaim":
            obj["status"].setdefault("phase", "Pending")
        cluster.put(obj)
        cluster.settle(log)
        cluster.save()
        print("%s/%s created" % (obj["kind"].lower(), obj["metadata"]["name"]))
        return

    if verb == "delete":
        kind = KINDS[positional[1]]
        name = positional[2]
        obj = cluster.get(kind, ns, name)
        if obj is None:
            if ignore:
                return
            fail("Error from server (NotFound): not found")
        if kind == "PersistentVolumeClaim":
            if cluster.claim_in_use(ns, name):
                obj["metadata"]["deletionTimestamp"] = "now"
            else:
                cluster.delete_claim(obj, log)
        elif kind == "PersistentVolume":
            if obj.get("status", {}).get("phase") == "Bound":
                fail("fake: refusing to delete a Bound volume (pv-protection would keep it)")
            cluster.remove(kind, "", name)
        else:
            cluster.remove(kind, ns, name)
        cluster.settle(log)
        cluster.save()
        print('%s "%s" deleted' % (positional[1], name))
        return

    if verb == "scale":
        kind_name = positional[1].split("/")
        kind = KINDS[kind_name[0]]
        obj = cluster.get(kind, ns, kind_name[1])
        obj["spec"]["replicas"] = replicas
        name = kind_name[1]
        pods = [p for p in cluster.all("Pod", ns) if p["metadata"]["name"].startswith(name + "-")]
        if replicas == 0:
            for p in pods:
                cluster.remove("Pod", ns, p["metadata"]["name"])
                for va in cluster.all("VolumeAttachment"):
                    if va["spec"].get("nodeName") == p.get("spec", {}).get("nodeName"):
                        cluster.remove("VolumeAttachment", "", va["metadata"]["name"])
        else:
            template = obj["spec"]["template"]["spec"]
            for n in range(replicas):
                volumes = list(template.get("volumes", []) or [])
                for t in obj["spec"].get("volumeClaimTemplates", []) or []:
                    volumes.append({"name": t["metadata"]["name"], "persistentVolumeClaim": {"claimName": "%s-%s-%d" % (t["metadata"]["name"], name, n)}})
                cluster.put({"kind": "Pod", "metadata": {"name": "%s-%d" % (name, n), "namespace": ns}, "spec": {"volumes": volumes}, "status": {"phase": "Running"}})
        cluster.settle(log)
        cluster.save()
        print("%s scaled" % positional[1])
        return

    if verb == "wait":
        kind, name = positional[1].split("/")
        obj = cluster.get(KINDS[kind], ns, name)
        if for_ == "delete":
            if obj is not None:
                fail("error: timed out waiting for the condition on %s" % positional[1])
        elif for_.startswith("jsonpath="):
            path, _, want = for_[9:].rpartition("=")
            if obj is None or jsonpath(path, obj) != want:
                fail("error: timed out waiting for the condition on %s" % positional[1])
        print("%s condition met" % positional[1])
        return

    if verb == "rollout":
        print("successfully rolled out")
        return

    fail("fake kubectl: unsupported: " + line, 3)


if __name__ == "__main__":
    main()
