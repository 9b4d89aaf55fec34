#!/usr/bin/env python3
"""Independent cross-check of Fixtures/*/EXPECTED.md: classifies the objects of a dump
(any of the four shapes kubectl produces) and prints totals, findings and the position of
each object and finding field. A throwaway reference, not the product: the Swift code is the
implementation; this only guards the hand-written expectations against slips.

Usage: inventory.py FILE...
"""
import json
import sys

import yaml

IN_TREE_DISK = "kubernetes.io/azure-disk"
IN_TREE_FILE = "kubernetes.io/azure-file"
CSI_DISK = "disk.csi.azure.com"
CSI_FILE = "file.csi.azure.com"
BETA_KEYS = ("failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region")
WORKLOAD_TEMPLATE = {"Deployment": ("spec", "template"), "StatefulSet": ("spec", "template"),
                     "DaemonSet": ("spec", "template"), "ReplicaSet": ("spec", "template"),
                     "Job": ("spec", "template"), "CronJob": ("spec", "jobTemplate", "spec", "template")}


# ---- loading, keeping node positions (1-based line:column) ---------------------------------

def node_to_py(node):
    """Composed node -> (python value, positions) where positions maps a path tuple to line:col."""
    pos = {}

    def walk(n, path):
        pos[path] = (n.start_mark.line + 1, n.start_mark.column + 1)
        if isinstance(n, yaml.MappingNode):
            out = {}
            for k, v in n.value:
                key = k.value
                pos[path + (key, "@key")] = (k.start_mark.line + 1, k.start_mark.column + 1)
                out[key] = walk(v, path + (key,))
            return out
        if isinstance(n, yaml.SequenceNode):
            return [walk(v, path + (i,)) for i, v in enumerate(n.value)]
        return resolve_scalar(n)

    return walk(node, ()), pos


_SCALARS = yaml.SafeLoader("")


def resolve_scalar(n):
    return _SCALARS.construct_object(n, deep=True)


def load(path):
    """Returns [(object, positions-relative-dict)] for every Kubernetes object in the file."""
    data = open(path, "rb").read()
    objs = []
    if path.endswith(".json"):
        # a List, or a stream of objects with no separator (jq '.items[]'); positions by line only
        text = data.decode("utf-8")
        dec = json.JSONDecoder()
        i = 0
        docs = []
        while True:
            while i < len(text) and text[i].isspace():
                i += 1
            if i >= len(text):
                break
            start = i
            o, i = dec.raw_decode(text, i)
            docs.append((o, text.count("\n", 0, start) + 1))
        for o, line in docs:
            if o.get("kind") == "List":
                for it in o["items"]:
                    objs.append((it, {(): None}))
            else:
                objs.append((o, {(): (line, 1)}))
        return objs
    for node in yaml.compose_all(data, Loader=yaml.CSafeLoader):
        value, pos = node_to_py(node)
        if isinstance(value, dict) and value.get("kind") == "List":
            for i, it in enumerate(value["items"]):
                sub = {p[2:]: v for p, v in pos.items() if p[:2] == ("items", i)}
                objs.append((it, sub))
        else:
            objs.append((value, pos))
    return objs


# ---- classification -------------------------------------------------------------------------

def pv_class(pv):
    spec = pv.get("spec", {})
    if "azureDisk" in spec:
        d = spec["azureDisk"]
        unmanaged = (d.get("kind") or "Shared").lower() != "managed" or d.get("diskURI", "").lower().startswith("http")
        return "inTreeAzureDiskUnmanaged" if unmanaged else "inTreeAzureDisk"
    if "azureFile" in spec:
        return "inTreeAzureFile"
    drv = spec.get("csi", {}).get("driver")
    if drv == CSI_DISK:
        return "csiAzureDisk"
    if drv == CSI_FILE:
        return "csiAzureFile"
    return "other"


def sc_class(sc):
    return {IN_TREE_DISK: "inTreeAzureDisk", IN_TREE_FILE: "inTreeAzureFile",
            CSI_DISK: "csiAzureDisk", CSI_FILE: "csiAzureFile"}.get(sc.get("provisioner"), "other")


def ident(o):
    m = o.get("metadata", {})
    return "%s %s%s" % (o.get("kind"), (m.get("namespace") + "/") if m.get("namespace") else "", m.get("name"))


def where(pos, *path):
    """line:column of the key that holds path (or of the node itself for list items/roots)."""
    p = pos.get(tuple(path) + ("@key",)) or pos.get(tuple(path))
    return "" if not p else "%d:%d" % p


def analyse(objs):
    totals = {"persistentVolumes": dict.fromkeys(["inTreeAzureDisk", "inTreeAzureDiskUnmanaged", "inTreeAzureFile",
                                                  "csiAzureDisk", "csiAzureFile", "other"], 0),
              "storageClasses": dict.fromkeys(["inTreeAzureDisk", "inTreeAzureFile", "csiAzureDisk",
                                               "csiAzureFile", "other"], 0),
              "inlineVolumes": dict.fromkeys(["inTreeAzureDisk", "inTreeAzureFile"], 0)}
    inline_all = dict.fromkeys(["inTreeAzureDisk", "inTreeAzureFile"], 0)
    findings = []
    notes = []
    kinds = {}
    for o, pos in objs:
        kind = o.get("kind")
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind == "PersistentVolume":
            c = pv_class(o)
            spec = o["spec"]
            if c == "inTreeAzureDiskUnmanaged":
                totals["persistentVolumes"]["inTreeAzureDisk"] += 1
                totals["persistentVolumes"]["inTreeAzureDiskUnmanaged"] += 1
                findings.append(("blocker", "unmanaged-disk", ident(o), where(pos, "spec", "azureDisk")))
            else:
                totals["persistentVolumes"][c] += 1
            in_tree = c.startswith("inTree")
            if in_tree and spec.get("persistentVolumeReclaimPolicy") == "Delete":
                findings.append(("warning", "reclaim-delete", ident(o), where(pos, "spec", "persistentVolumeReclaimPolicy")))
            terms = spec.get("nodeAffinity", {}).get("required", {}).get("nodeSelectorTerms", [])
            keys = [(ti, ei, e["key"]) for ti, t in enumerate(terms) for ei, e in enumerate(t.get("matchExpressions", []))]
            beta = [(ti, ei, k) for ti, ei, k in keys if k in BETA_KEYS]
            if beta:
                ti, ei, k = beta[0]
                findings.append(("blocker", "deprecated-zone-label", ident(o) + " [" + ", ".join(k for _, _, k in beta) + "]",
                                 where(pos, "spec", "nodeAffinity", "required", "nodeSelectorTerms", ti, "matchExpressions", ei, "key")))
            if "azureFile" in spec and spec["azureFile"].get("secretNamespace") is None and not spec.get("claimRef", {}).get("namespace"):
                findings.append(("blocker", "file-no-secret-namespace", ident(o), where(pos, "spec", "azureFile")))
            if "azureDisk" in spec and spec["azureDisk"].get("cachingMode") == "ReadWrite":
                findings.append(("warning", "caching-readwrite", ident(o), where(pos, "spec", "azureDisk", "cachingMode")))
            phase = o.get("status", {}).get("phase")
            if phase in ("Released", "Failed"):
                findings.append(("warning", "phase-" + phase.lower(), ident(o), where(pos, "status", "phase")))
            if o["metadata"].get("annotations", {}).get("pv.kubernetes.io/migrated-to"):
                notes.append("migrated-to annotation: " + ident(o))
        elif kind == "StorageClass":
            totals["storageClasses"][sc_class(o)] += 1
        elif kind == "Secret":
            findings.append(("info", "secret-present", ident(o), where(pos)))
        if kind == "StatefulSet":
            for i, t in enumerate(o["spec"].get("volumeClaimTemplates", [])):
                notes.append("claim template %s of %s: storageClassName %s" % (t["metadata"]["name"], ident(o), t["spec"].get("storageClassName")))
        template_path = ("spec",) if kind == "Pod" else WORKLOAD_TEMPLATE.get(kind, None)
        if template_path is None:
            continue
        base = o
        for p in (template_path if kind == "Pod" else template_path + ("spec",)):
            base = base.get(p, {})
        vols = base.get("volumes", []) if kind != "Pod" else o.get("spec", {}).get("volumes", [])
        owned = kind == "Pod" and any(r.get("controller") for r in o["metadata"].get("ownerReferences", []))
        for vi, v in enumerate(vols):
            for src, key in (("azureDisk", "inTreeAzureDisk"), ("azureFile", "inTreeAzureFile")):
                if src in v:
                    inline_all[key] += 1
                    vpath = (("spec",) if kind == "Pod" else template_path + ("spec",)) + ("volumes", vi)
                    if owned:
                        notes.append("inline %s %s in controller-owned %s (counted only per object)" % (src, v["name"], ident(o)))
                    else:
                        totals["inlineVolumes"][key] += 1
                        findings.append(("warning", "inline-volume", "%s volume %s (%s)" % (ident(o), v["name"], src), where(pos, *vpath)))
    return totals, inline_all, findings, notes, kinds


def main():
    for path in sys.argv[1:]:
        objs = load(path)
        totals, inline_all, findings, notes, kinds = analyse(objs)
        print("== %s: %d objects %s" % (path, len(objs), json.dumps(kinds, sort_keys=True)))
        print("totals", json.dumps(totals, sort_keys=False))
        print("inline volumes counted per object (controller-owned pods too):", json.dumps(inline_all))
        sev = {}
        for f in findings:
            sev[f[0]] = sev.get(f[0], 0) + 1
        print("findings", json.dumps(sev, sort_keys=True))
        for f in findings:
            print("  %-7s %-24s %-70s %s" % f)
        for n in notes:
            print("  note:", n)
        for o, pos in objs:
            p = pos.get(())
            if p:
                print("  at %d:%d %s" % (p[0], p[1], ident(o)))


if __name__ == "__main__":
    main()
