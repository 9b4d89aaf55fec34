#!/usr/bin/env python3
"""A tiny read-only stand-in for the Kubernetes API server, so the fixtures under
Fixtures/ are printed by the real `kubectl get` (its List wrapping, key order, quoting,
JSON indentation) without a cluster.

Usage: fake_apiserver.py SRC.yaml... 
Prints the port it listens on (127.0.0.1) as the first line of stdout, then serves until killed.

It serves discovery for the resources the fixtures use and, for each, list
(cluster-wide and per namespace) and get-by-name. Items are returned sorted by
namespace then name, as the real API server (etcd key order) does. The objects are
read from hand-written multi-document YAML; timestamps stay strings (as in the API).
"""
import http.server
import json
import sys

import yaml


class Loader(yaml.SafeLoader):
    """SafeLoader without the YAML 1.1 timestamp resolver: the API keeps times as strings."""


Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _no_duplicates(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, "duplicate key %r" % (key,), key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)

# kind -> (group, version, plural, singular, namespaced, shortNames)
RESOURCES = {
    "PersistentVolume": ("", "v1", "persistentvolumes", "persistentvolume", False, ["pv"]),
    "PersistentVolumeClaim": ("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", True, ["pvc"]),
    "Pod": ("", "v1", "pods", "pod", True, ["po"]),
    "Secret": ("", "v1", "secrets", "secret", True, []),
    "ConfigMap": ("", "v1", "configmaps", "configmap", True, ["cm"]),
    "Deployment": ("apps", "v1", "deployments", "deployment", True, ["deploy"]),
    "StatefulSet": ("apps", "v1", "statefulsets", "statefulset", True, ["sts"]),
    "DaemonSet": ("apps", "v1", "daemonsets", "daemonset", True, ["ds"]),
    "StorageClass": ("storage.k8s.io", "v1", "storageclasses", "storageclass", False, ["sc"]),
}
VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
LIST_RESOURCE_VERSION = "91552301"


def group_version(group, version):
    return "%s/%s" % (group, version) if group else version


def load(paths):
    objects = {}  # plural -> list of objects
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for doc in yaml.load_all(f, Loader=Loader):
                if doc is None:
                    continue
                kind = doc["kind"]
                plural = RESOURCES[kind][2]
                objects.setdefault(plural, []).append(doc)
    for items in objects.values():
        items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
    return objects


def resource_list(group, version):
    resources = []
    for kind, (g, v, plural, singular, namespaced, short) in sorted(RESOURCES.items(), key=lambda kv: kv[1][2]):
        if (g, v) != (group, version):
            continue
        entry = {"name": plural, "singularName": singular, "namespaced": namespaced,
                 "kind": kind, "verbs": VERBS}
        if short:
            entry["shortNames"] = short
        resources.append(entry)
    return {"kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": group_version(group, version), "resources": resources}


def make_handler(objects, server_version):
    groups = sorted({(g, v) for g, v, *_ in RESOURCES.values() if g})

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):  # quiet; kubectl output must stay clean
            pass

        def reply(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def not_found(self):
            self.reply(404, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                             "status": "Failure", "message": "the server could not find the requested resource",
                             "reason": "NotFound", "code": 404})

        def do_GET(self):
            path = self.path.split("?", 1)[0].rstrip("/")
            parts = [p for p in path.split("/") if p]
            if path == "/version":
                major, minor = server_version.lstrip("v").split(".")[:2]
                return self.reply(200, {"major": major, "minor": minor, "gitVersion": server_version,
                                        "platform": "linux/amd64"})
            if path == "/api":
                return self.reply(200, {"kind": "APIVersions", "versions": ["v1"]})
            if path == "/apis":
                return self.reply(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                    {"name": g, "versions": [{"groupVersion": group_version(g, v), "version": v}],
                     "preferredVersion": {"groupVersion": group_version(g, v), "version": v}}
                    for g, v in groups]})
            if parts[:2] == ["api", "v1"]:
                group, version, rest = "", "v1", parts[2:]
            elif len(parts) >= 3 and parts[0] == "apis":
                group, version, rest = parts[1], parts[2], parts[3:]
            else:
                return self.not_found()
            if not rest:
                return self.reply(200, resource_list(group, version))
            namespace = None
            if rest[0] == "namespaces" and len(rest) >= 3:
                namespace, rest = rest[1], rest[2:]
            plural, name = rest[0], (rest[1] if len(rest) > 1 else None)
            kinds = [k for k, r in RESOURCES.items() if r[2] == plural and (r[0], r[1]) == (group, version)]
            if not kinds:
                return self.not_found()
            items = [o for o in objects.get(plural, [])
                     if namespace is None or o["metadata"].get("namespace") == namespace]
            if name is None:
                return self.reply(200, {"kind": kinds[0] + "List", "apiVersion": group_version(group, version),
                                        "metadata": {"resourceVersion": LIST_RESOURCE_VERSION},
                                        "items": items})
            for o in items:
                if o["metadata"]["name"] == name:
                    return self.reply(200, o)
            return self.not_found()

    return Handler


def main():
    paths = [a for a in sys.argv[1:] if not a.startswith("--")]
    version = "v1.25.11"
    for a in sys.argv[1:]:
        if a.startswith("--server-version="):
            version = a.split("=", 1)[1]
    objects = load(paths)
    server = http.server.HTTPServer(("127.0.0.1", 0), make_handler(objects, version))
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
