#!/usr/bin/env python3
"""Generate a kubectl-shaped cluster dump for Scripts/bench.

    gen-dump.py --pvs N [--format yaml|json] [--seed S] [-o FILE]

Writes what `kubectl get pv,pvc,sc,pods,deploy,sts -A -o yaml` (or `-o json`)
prints: one `kind: List` holding N PersistentVolumes, a PVC per bound PV, a
pod per ~4 PVCs, a few StorageClasses, two StatefulSets and two Deployments.

Every volume class appears (in-tree azureDisk managed and unmanaged, in-tree
azureFile with and without secretNamespace/claimRef, CSI disk, CSI file,
local), and every finding the scanner looks for (Delete reclaim policy,
failure-domain.beta zone keys in nodeAffinity, cachingMode ReadWrite,
Released/Failed phases, inline azureDisk/azureFile volumes in pod specs,
last-applied-configuration annotations, ...). The first few PVs are forced
so that even a small dump has them all.

The YAML is printed the way kubectl's go-yaml (v2) printer does: keys
sorted, 2-space indent, sequences at their parent's indent, strings quoted
only when YAML 1.1 would read them as something else, long plain strings
folded at column 80, strings with newlines as literal blocks. JSON is
`kubectl -o json`: 4-space indent, sorted keys.

Python standard library only; deterministic for a given --seed.
"""

import argparse
import json
import random
import re
import sys
import time

# --------------------------------------------------------------------------
# go-yaml v2 style emitter (what kubectl -o yaml uses)
# --------------------------------------------------------------------------

BEST_WIDTH = 80

_SAFE_PLAIN = re.compile(r"[A-Za-z/][A-Za-z0-9._/-]*\Z")
_BOOL_NULL = frozenset(
    "y Y yes Yes YES n N no No NO true True TRUE false False FALSE "
    "on On ON off Off OFF null Null NULL ~ <<".split()
)
_SPECIAL_FLOATS = frozenset(
    ".inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF .nan .NaN .NAN".split()
)
_INT = re.compile(r"[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?\Z")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(\Z|[Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]*)?(Z|[-+][0-9]{2}:[0-9]{2})?\Z)"
)
_FLOW_AND_BLOCK_FIRST = set("#,[]{}&*!|>'\"%@`")


def _resolves_to_non_string(s):
    """True when go-yaml v2's resolver reads the plain scalar s as non-str."""
    if s in _BOOL_NULL or s in _SPECIAL_FLOATS:
        return True
    c = s[0]
    if c.isdigit() or c in "+-.":
        t = s.replace("_", "")
        if t and (_INT.match(t) or _FLOAT.match(t)):
            return True
        if _BASE60.match(s):
            return True
        if c.isdigit() and _TIMESTAMP.match(s):
            return True
    return False


def _plain_allowed(s):
    """libyaml's analyze_scalar, block context, single-line strings."""
    if s[0] == " " or s[-1] == " ":
        return False
    if s.startswith("---") or s.startswith("..."):
        return False
    c = s[0]
    if c in _FLOW_AND_BLOCK_FIRST:
        return False
    if c in "?:-" and (len(s) == 1 or s[1] in " \t"):
        return False
    if ": " in s or " #" in s or "\t#" in s or s.endswith(":"):
        return False
    for ch in s:
        o = ord(ch)
        if o < 0x20 or 0x7F <= o < 0xA0 or ch == "\ufeff":
            return False
    return True


def _fold(text, col, cont, single_quoted):
    """Break a plain/single-quoted scalar at spaces past column 80 like libyaml."""
    if " " not in text or col + len(text) <= BEST_WIDTH:
        return text
    out = []
    spaces = False
    n = len(text)
    last = n - 1
    for i, ch in enumerate(text):
        if ch == " ":
            if (
                not spaces
                and col > BEST_WIDTH
                and (i + 1 < n and text[i + 1] != " ")
                and (not single_quoted or (i != 0 and i != last))
            ):
                out.append("\n" + " " * cont)
                col = cont
            else:
                out.append(" ")
                col += 1
            spaces = True
        else:
            out.append(ch)
            col += 2 if (single_quoted and ch == "'") else 1
            spaces = False
    return "".join(out)


def _double_quoted(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def scalar(s, col, cont):
    """Render string s whose first character lands at column col."""
    if _SAFE_PLAIN.match(s):
        return '"%s"' % s if s in _BOOL_NULL else s
    if s == "":
        return '""'
    if _resolves_to_non_string(s):
        return _double_quoted(s)
    if _plain_allowed(s):
        return _fold(s, col, cont, False)
    return "'" + _fold(s.replace("'", "''"), col + 1, cont, True) + "'"


def _key(k):
    if _SAFE_PLAIN.match(k):
        return '"%s"' % k if k in _BOOL_NULL else k
    return scalar(k, 0, 0)


def _literal(s, indent):
    """Literal block scalar: header and the indented body lines."""
    if s.endswith("\n\n"):
        header, body = "|+", s[:-1]
    elif s.endswith("\n"):
        header, body = "|", s[:-1]
    else:
        header, body = "|-", s
    if s[:1] == " ":
        header = "|2" + header[1:]
    pad = " " * indent
    return header, [pad + line if line else "" for line in body.split("\n")]


def _value(v, col, cont, prefix, out):
    """Append `prefix + v` for a non-container value."""
    t = type(v)
    if t is str:
        if "\n" in v:
            header, lines = _literal(v, cont)
            out.append(prefix + header)
            out.extend(lines)
        else:
            out.append(prefix + scalar(v, col, cont))
    elif t is bool:
        out.append(prefix + ("true" if v else "false"))
    elif v is None:
        out.append(prefix + "null")
    else:
        out.append(prefix + str(v))


def emit_map(d, col, out):
    ind = " " * col
    for k in sorted(d):
        v = d[k]
        ks = _key(k)
        t = type(v)
        if t is dict:
            if v:
                out.append(ind + ks + ":")
                emit_map(v, col + 2, out)
            else:
                out.append(ind + ks + ": {}")
        elif t is list:
            if v:
                out.append(ind + ks + ":")
                emit_seq(v, col, out)
            else:
                out.append(ind + ks + ": []")
        else:
            _value(v, col + len(ks) + 2, col + 2, ind + ks + ": ", out)


def emit_seq(items, col, out):
    ind = " " * col
    dash = ind + "- "
    skip = col + 2
    for v in items:
        t = type(v)
        if t is dict:
            if v:
                start = len(out)
                emit_map(v, col + 2, out)
                out[start] = dash + out[start][skip:]
            else:
                out.append(dash + "{}")
        elif t is list:
            if v:
                start = len(out)
                emit_seq(v, col + 2, out)
                out[start] = dash + out[start][skip:]
            else:
                out.append(dash + "[]")
        else:
            _value(v, col + 2, col + 2, dash, out)


# --------------------------------------------------------------------------
# The synthetic cluster
# --------------------------------------------------------------------------

REGION = "eastus"
ZONES = ["eastus-1", "eastus-2", "eastus-3"]
NODE_RG = "MC_rg-prod_aks-prod_eastus"
USER_RG = "rg-prod-storage"
BETA_ZONE = "failure-domain.beta.kubernetes.io/zone"
BETA_REGION = "failure-domain.beta.kubernetes.io/region"
GA_ZONE = "topology.kubernetes.io/zone"
GA_REGION = "topology.kubernetes.io/region"
CSI_DISK_ZONE = "topology.disk.csi.azure.com/zone"
LAC = "kubectl.kubernetes.io/last-applied-configuration"

T_2019 = 1559347200  # 2019-06-01
T_2021 = 1622505600  # 2021-06-01: in-tree provisioner switched to GA zone keys
T_2024 = 1704067200
T_2025 = 1748736000

APPS = [
    ("postgres", "docker.io/bitnami/postgresql:15.4.0-debian-11-r45", 5432),
    ("redis", "docker.io/bitnami/redis:7.2.3-debian-11-r2", 6379),
    ("kafka", "docker.io/bitnami/kafka:3.6.0-debian-11-r0", 9092),
    ("zookeeper", "docker.io/bitnami/zookeeper:3.9.1-debian-11-r2", 2181),
    ("elasticsearch", "docker.elastic.co/elasticsearch/elasticsearch:8.11.1", 9200),
    ("mongodb", "docker.io/bitnami/mongodb:7.0.4-debian-11-r0", 27017),
    ("mysql", "mcr.microsoft.com/mirror/docker/library/mysql:8.0", 3306),
    ("rabbitmq", "docker.io/bitnami/rabbitmq:3.12.10-debian-11-r1", 5672),
    ("minio", "quay.io/minio/minio:RELEASE.2023-11-20T22-40-07Z", 9000),
    ("prometheus", "quay.io/prometheus/prometheus:v2.48.0", 9090),
    ("loki", "docker.io/grafana/loki:2.9.2", 3100),
    ("cassandra", "docker.io/bitnami/cassandra:4.1.3-debian-11-r73", 9042),
    ("clickhouse", "docker.io/clickhouse/clickhouse-server:23.10.4.25", 8123),
    ("nats", "docker.io/library/nats:2.10.5-alpine", 4222),
]
TEMPLATES = ["data", "wal", "logs", "backup", "cache", "archive"]
TEMPLATE_COUNTS = [2, 3, 4, 4, 4, 5, 6]  # PVCs per pod, ~4 on average
SIZES = ["1Gi", "4Gi", "8Gi", "8Gi", "10Gi", "10Gi", "10Gi", "16Gi", "32Gi", "32Gi", "64Gi",
         "100Gi", "128Gi", "128Gi", "256Gi", "512Gi", "1Ti"] * 4 + ["5Ti"]  # a few > 4 TiB
SIZE_GIB = {"1Gi": 1, "4Gi": 4, "8Gi": 8, "10Gi": 10, "16Gi": 16, "32Gi": 32,
            "64Gi": 64, "100Gi": 100, "128Gi": 128, "256Gi": 256, "512Gi": 512,
            "1Ti": 1024, "5Ti": 5120}

# (class, weight); weights sum to 100
CLASSES = [
    ("disk", 46),          # in-tree azureDisk, managed, dynamic
    ("disk-static", 7),    # in-tree azureDisk, managed, hand-written (cachingMode ReadWrite)
    ("disk-blob", 2),      # in-tree azureDisk, unmanaged blob VHD (kind Dedicated/Shared)
    ("file", 9),           # in-tree azureFile, dynamic (secretNamespace set)
    ("file-static", 3),    # in-tree azureFile, hand-written (no secretNamespace)
    ("csi-disk", 18),
    ("csi-file", 8),
    ("local", 7),
]

# The first PVs are fixed so a small dump still has every class and finding.
FORCED = [
    dict(cls="disk", zone="beta", policy="Delete", phase="Bound"),
    dict(cls="disk", zone="ga", policy="Retain", phase="Bound"),
    dict(cls="disk", zone="fd", policy="Delete", phase="Released"),
    dict(cls="disk", zone="beta", policy="Delete", phase="Failed"),
    dict(cls="disk-static", zone=None, phase="Bound"),
    dict(cls="disk-static", zone="beta", phase="Available"),
    dict(cls="disk-blob", zone=None, phase="Bound"),
    dict(cls="file", phase="Bound"),
    dict(cls="file-static", phase="Bound"),
    dict(cls="file-static", phase="Available"),
    dict(cls="csi-disk", zone="beta", phase="Bound"),
    dict(cls="csi-disk", zone="ga", phase="Bound"),
    dict(cls="csi-file", phase="Bound"),
    dict(cls="local", phase="Bound"),
    dict(cls="local", phase="Available"),
]

STORAGE_CLASSES = {
    # class -> candidate storageClassName values for dynamic PVs
    "disk": ["default", "managed-premium", "managed-premium-zoned"],
    "disk-blob": ["standard-unmanaged"],
    "file": ["azurefile", "azurefile-premium"],
    "csi-disk": ["managed-csi", "managed-csi-premium"],
    "csi-file": ["azurefile-csi"],
    "local": ["local-storage"],
}
PROVISIONER = {
    "disk": "kubernetes.io/azure-disk",
    "disk-static": "kubernetes.io/azure-disk",
    "disk-blob": "kubernetes.io/azure-disk",
    "file": "kubernetes.io/azure-file",
    "file-static": "kubernetes.io/azure-file",
    "csi-disk": "disk.csi.azure.com",
    "csi-file": "file.csi.azure.com",
    "local": "kubernetes.io/no-provisioner",
}


def ts(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class Cluster:
    def __init__(self, pvs, seed):
        self.r = random.Random(seed)
        self.n = pvs
        r = self.r
        self.sub = self.uid()
        self.nodes = []
        for pool in ("nodepool1", "data", "datazonal"):
            vmss = "%08d" % r.randrange(10**7, 10**8)
            for k in range(12):
                self.nodes.append(("aks-%s-%s-vmss%06x" % (pool, vmss, k), ZONES[k % 3]))
        n_ns = max(4, pvs // 400)
        base = ["default", "prod", "staging", "data", "monitoring", "logging",
                "payments", "search", "analytics", "ml-platform"]
        self.namespaces = base[:n_ns] + ["team-%04d" % i for i in range(max(0, n_ns - len(base)))]
        self.accounts = ["f%s" % self.hex(20) for _ in range(6)]
        self.blob_accounts = ["ds%s" % self.hex(18) for _ in range(3)]
        self.pvs = []
        self.pvcs = []
        self.pods = []
        self.workloads = []
        self._app = None
        self._app_seq = 0
        self._build()

    # ---- random helpers --------------------------------------------------

    def uid(self):
        h = "%032x" % self.r.getrandbits(128)
        return "%s-%s-4%s-%x%s-%s" % (h[:8], h[8:12], h[13:16], 8 | (int(h[16], 16) & 3), h[17:20], h[20:])

    def hex(self, n):
        return "%0*x" % (n, self.r.getrandbits(4 * n))

    def rv(self):
        return str(self.r.randrange(1000, 400000000))

    def when(self, lo=T_2019, hi=T_2025):
        return self.r.randrange(lo, hi)

    def node(self):
        return self.r.choice(self.nodes)

    # ---- claims, pods ----------------------------------------------------

    def _claim(self):
        """Next (namespace, pvcName, app) slot; starts new pods/apps as needed."""
        a = self._app
        if a is None or a["slot"] == len(a["templates"]):
            if a is not None and a["ordinal"] + 1 < a["replicas"]:
                a["ordinal"] += 1
            else:
                base, image, port = self.r.choice(APPS)
                self._app_seq += 1
                ntmpl = self.r.choice(TEMPLATE_COUNTS)
                a = self._app = dict(
                    ns=self.r.choice(self.namespaces),
                    name="%s-%d" % (base, self._app_seq),
                    image=image, port=port,
                    replicas=self.r.choice([1, 1, 2, 3, 3, 5]),
                    templates=TEMPLATES[:ntmpl],
                    ordinal=0, uid=self.uid(),
                    revision="%s-%s" % ("%s-%d" % (base, self._app_seq), self.hex(10)[:10]),
                )
            a["slot"] = 0
            node, zone = self.node()
            inline = None
            x = self.r.random()
            if x < 0.02:
                inline = "file"
            elif x < 0.03:
                inline = "disk"
            pod = dict(ns=a["ns"], name="%s-%d" % (a["name"], a["ordinal"]), app=a,
                       ordinal=a["ordinal"], claims=[], node=node, uid=self.uid(),
                       created=self.when(T_2024, T_2025), rv=self.rv(), inline=inline,
                       ip="10.244.%d.%d" % (self.r.randrange(256), self.r.randrange(2, 255)),
                       host="10.224.0.%d" % self.r.randrange(4, 250),
                       cid=self.hex(64), imgid=self.hex(64), owner="StatefulSet")
            a["pod"] = pod
            self.pods.append(pod)
        tmpl = a["templates"][a["slot"]]
        a["slot"] += 1
        claim = "%s-%s-%d" % (tmpl, a["name"], a["ordinal"])
        a["pod"]["claims"].append((tmpl, claim))
        return a["ns"], claim, a

    # ---- PVs -------------------------------------------------------------

    def _pick_class(self):
        x = self.r.randrange(100)
        for cls, w in CLASSES:
            if x < w:
                return cls
            x -= w
        return CLASSES[0][0]

    def _build(self):
        r = self.r
        for i in range(self.n):
            f = FORCED[i] if i < len(FORCED) else {}
            cls = f.get("cls") or self._pick_class()
            static = cls in ("disk-static", "file-static", "local")
            created = self.when(T_2019, T_2021 + 3 * 31536000 // 2) if cls == "disk-blob" \
                else self.when()
            if "phase" in f:
                phase = f["phase"]
            else:
                x = r.random()
                if static and x < 0.08:
                    phase = "Available"
                elif not static and x < 0.03:
                    phase = "Released"
                elif not static and x < 0.04 and cls not in ("csi-disk", "csi-file"):
                    phase = "Failed"
                else:
                    phase = "Bound"
            if "policy" in f:
                policy = f["policy"]
            elif static:
                policy = "Retain"
            elif phase == "Failed":
                policy = "Delete"
            else:
                policy = "Delete" if r.random() < 0.8 else "Retain"
            if "zone" in f:
                zone_style = f["zone"]
            elif cls in ("disk", "disk-blob"):
                if cls == "disk-blob":
                    zone_style = "fd" if r.random() < 0.5 else None
                elif created < T_2021:
                    zone_style = "beta" if r.random() < 0.8 else "fd"
                else:
                    zone_style = "ga" if r.random() < 0.9 else "beta"
            elif cls == "disk-static":
                zone_style = "beta" if r.random() < 0.3 else None
            elif cls == "csi-disk":
                zone_style = "beta" if r.random() < 0.03 else ("ga" if r.random() < 0.8 else "none")
            else:
                zone_style = None
            node, zone = self.node()
            pv = dict(cls=cls, created=created, phase=phase, policy=policy,
                      zone_style=zone_style, zone=zone, node=node, rv=self.rv(), uid=self.uid(),
                      size=r.choice(SIZES) if cls != "local" else r.choice(["375Gi", "750Gi"]),
                      lac=False, claim=None, migrated=created > T_2021 and r.random() < 0.7,
                      block=cls in ("disk", "disk-static", "csi-disk") and r.random() < 0.03)
            if phase in ("Bound", "Released", "Failed"):
                if phase == "Bound":
                    ns, claim, app = self._claim()
                else:
                    ns = r.choice(self.namespaces)
                    claim = "%s-%s-%d" % (r.choice(TEMPLATES), r.choice(APPS)[0] + "-old", r.randrange(9))
                    app = None
                pv["claim"] = dict(ns=ns, name=claim, uid=self.uid(), rv=self.rv(), app=app,
                                   created=created - r.randrange(1, 30))
            if cls == "disk-static":
                pv["name"] = "pv-disk-%s" % self.hex(8)
                pv["lac"] = True
                pv["sc"] = "managed-premium" if r.random() < 0.3 else None
                pv["fsType"] = r.choice(["ext4", "ext4", "xfs"])
                pv["disk"] = "disk-%s" % self.hex(8)
            elif cls == "file-static":
                pv["name"] = "pv-share-%s" % self.hex(8)
                pv["lac"] = True
                pv["sc"] = None
                pv["share"] = "share-%s" % self.hex(6)
                pv["secret"] = r.choice(["azure-secret", "azure-storage-account-%s-secret" % r.choice(self.accounts)])
                pv["readOnly"] = r.random() < 0.3
            elif cls == "local":
                pv["name"] = "local-pv-%s" % self.hex(8)
                pv["sc"] = "local-storage"
                pv["path"] = "/mnt/disks/ssd%d" % r.randrange(4)
                pv["provuid"] = self.uid()
            else:
                pv["sc"] = r.choice(STORAGE_CLASSES[cls])
                if pv["claim"] is not None:
                    pv["name"] = "pvc-" + pv["claim"]["uid"]
                else:
                    pv["name"] = "pvc-" + self.uid()
                if cls == "disk":
                    pv["caching"] = "None" if r.random() < 0.1 else "ReadOnly"
                    pv["fsType"] = "" if r.random() < 0.3 else "ext4"
                    pv["dyn_key"] = created < T_2021
                elif cls == "disk-blob":
                    pv["blobkind"] = "Dedicated" if r.random() < 0.7 else "Shared"
                    pv["caching"] = r.choice(["ReadWrite", "None"])
                    pv["account"] = r.choice(self.blob_accounts)
                elif cls == "file":
                    pv["account"] = r.choice(self.accounts)
                    pv["dyn_key"] = created < T_2021
                    pv["rg_annot"] = r.random() < 0.2
                elif cls == "csi-disk":
                    pv["sku"] = "Premium_LRS" if pv["sc"] == "managed-csi-premium" else "StandardSSD_LRS"
                    pv["ident"] = "%d-%d-disk.csi.azure.com" % (created * 1000 - r.randrange(10**8), r.randrange(1000, 9999))
                    if zone_style == "beta":
                        pv["lac"] = True
                elif cls == "csi-file":
                    pv["account"] = r.choice(self.accounts)
                    pv["ident"] = "%d-%d-file.csi.azure.com" % (created * 1000 - r.randrange(10**8), r.randrange(1000, 9999))
            self.pvs.append(pv)
        # the workloads in the dump: two StatefulSets (first apps) and two Deployments
        apps = []
        for pod in self.pods:
            if pod["app"] not in apps:
                apps.append(pod["app"])
            if len(apps) == 2:
                break
        self.workloads = apps
        self.deployments = []
        for name, inline in (("legacy-reports", "disk"), ("shared-content", "file")):
            d = dict(name=name, ns="prod", uid=self.uid(), rv=self.rv(), created=self.when(T_2019, T_2021),
                     inline=inline, rs="%s-%s" % (name, self.hex(10)[:9]), rsuid=self.uid())
            self.deployments.append(d)
            node, zone = self.node()
            self.pods.append(dict(ns="prod", name="%s-%s" % (d["rs"], self.hex(5)), app=None, deploy=d,
                                  ordinal=None, claims=[], node=node, uid=self.uid(),
                                  created=self.when(T_2024, T_2025), rv=self.rv(), inline=inline,
                                  ip="10.244.%d.%d" % (r.randrange(256), r.randrange(2, 255)),
                                  host="10.224.0.%d" % r.randrange(4, 250),
                                  cid=self.hex(64), imgid=self.hex(64), owner="ReplicaSet"))
        self.pvs.sort(key=lambda p: p["name"])
        self.pods.sort(key=lambda p: (p["ns"], p["name"]))

    # ---- rendering -------------------------------------------------------

    def zone_affinity(self, pv):
        style = pv["zone_style"]
        zone = pv["zone"]
        if style == "beta":
            exprs = [dict(key=BETA_REGION, operator="In", values=[REGION]),
                     dict(key=BETA_ZONE, operator="In", values=[zone])]
        elif style == "fd":  # unzoned clusters: fault domain on the old zone key
            exprs = [dict(key=BETA_REGION, operator="In", values=[REGION]),
                     dict(key=BETA_ZONE, operator="In", values=[str(int(pv["rv"]) % 3)])]
        elif style == "ga":
            exprs = [dict(key=GA_REGION, operator="In", values=[REGION]),
                     dict(key=GA_ZONE, operator="In", values=[zone])]
        else:
            return None
        return {"required": {"nodeSelectorTerms": [{"matchExpressions": exprs}]}}

    def zone_labels(self, pv):
        style = pv["zone_style"]
        if style == "beta":
            return {BETA_REGION: REGION, BETA_ZONE: pv["zone"]}
        if style == "fd":
            return {BETA_REGION: REGION, BETA_ZONE: str(int(pv["rv"]) % 3)}
        if style == "ga":
            return {BETA_REGION: REGION, BETA_ZONE: pv["zone"], GA_REGION: REGION, GA_ZONE: pv["zone"]}
        return {}

    def pv_object(self, pv):
        cls = pv["cls"]
        name = pv["name"]
        ann = {}
        labels = {}
        finalizers = ["kubernetes.io/pv-protection"]
        spec = {
            "accessModes": ["ReadWriteMany" if cls in ("file", "file-static", "csi-file") else "ReadWriteOnce"],
            "capacity": {"storage": pv["size"]},
            "persistentVolumeReclaimPolicy": pv["policy"],
            "volumeMode": "Block" if pv["block"] else "Filesystem",
        }
        if pv["sc"]:
            spec["storageClassName"] = pv["sc"]
        claim = pv["claim"]
        if claim is not None:
            spec["claimRef"] = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                                "name": claim["name"], "namespace": claim["ns"],
                                "resourceVersion": claim["rv"], "uid": claim["uid"]}
        bound = pv["phase"] == "Bound"
        if cls == "disk":
            disk = "kubernetes-dynamic-" + name
            ann["pv.kubernetes.io/provisioned-by"] = "kubernetes.io/azure-disk"
            if pv["dyn_key"]:
                ann["volumehelper.VolumeDynamicallyCreatedByKey"] = "azure-disk-dynamic-provisioner"
            if pv["migrated"]:
                ann["pv.kubernetes.io/migrated-to"] = "disk.csi.azure.com"
                if bound:
                    finalizers.append("external-attacher/disk-csi-azure-com")
            labels = self.zone_labels(pv)
            spec["azureDisk"] = {
                "cachingMode": pv["caching"], "diskName": disk,
                "diskURI": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/disks/%s"
                           % (self.sub, NODE_RG, disk),
                "fsType": pv["fsType"], "kind": "Managed", "readOnly": False}
        elif cls == "disk-static":
            disk = pv["disk"]
            src = {"cachingMode": "ReadWrite", "diskName": disk,
                   "diskURI": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/disks/%s"
                              % (self.sub, USER_RG, disk),
                   "fsType": pv["fsType"], "kind": "Managed", "readOnly": False}
            spec["azureDisk"] = src
            if bound:
                ann["pv.kubernetes.io/bound-by-controller"] = "yes"
            applied = {"apiVersion": "v1", "kind": "PersistentVolume",
                       "metadata": {"annotations": {}, "name": name},
                       "spec": {"accessModes": ["ReadWriteOnce"], "azureDisk": {
                           "diskName": disk, "diskURI": src["diskURI"], "fsType": pv["fsType"],
                           "kind": "Managed"},
                           "capacity": {"storage": pv["size"]},
                           "persistentVolumeReclaimPolicy": "Retain"}}
            if pv["sc"]:
                applied["spec"]["storageClassName"] = pv["sc"]
            aff = self.zone_affinity(pv)
            if aff:
                applied["spec"]["nodeAffinity"] = aff
            ann[LAC] = json.dumps(applied, separators=(",", ":"), sort_keys=True) + "\n"
        elif cls == "disk-blob":
            vhd = "kubernetes-dynamic-%s.vhd" % name
            ann["pv.kubernetes.io/provisioned-by"] = "kubernetes.io/azure-disk"
            ann["volumehelper.VolumeDynamicallyCreatedByKey"] = "azure-disk-dynamic-provisioner"
            labels = self.zone_labels(pv)
            spec["azureDisk"] = {
                "cachingMode": pv["caching"], "diskName": vhd,
                "diskURI": "https://%s.blob.core.windows.net/vhds/%s" % (pv["account"], vhd),
                "fsType": "ext4", "kind": pv["blobkind"], "readOnly": False}
        elif cls == "file":
            ann["pv.kubernetes.io/provisioned-by"] = "kubernetes.io/azure-file"
            if pv["dyn_key"]:
                ann["volumehelper.VolumeDynamicallyCreatedByKey"] = "azure-file-dynamic-provisioner"
            if pv["rg_annot"]:
                ann["kubernetes.io/azure-file-resource-group"] = NODE_RG
            if pv["migrated"]:
                ann["pv.kubernetes.io/migrated-to"] = "file.csi.azure.com"
            spec["azureFile"] = {
                "secretName": "azure-storage-account-%s-secret" % pv["account"],
                "secretNamespace": claim["ns"] if claim else "default",
                "shareName": "kubernetes-dynamic-" + name}
            spec["mountOptions"] = ["dir_mode=0777", "file_mode=0777", "uid=0", "gid=0",
                                    "mfsymlinks", "cache=strict", "actimeo=30"]
        elif cls == "file-static":
            src = {"secretName": pv["secret"], "shareName": pv["share"]}
            if pv["readOnly"]:
                src["readOnly"] = True
            spec["azureFile"] = src
            spec["mountOptions"] = ["dir_mode=0755", "file_mode=0644", "uid=1000", "gid=1000", "mfsymlinks"]
            if bound:
                ann["pv.kubernetes.io/bound-by-controller"] = "yes"
            applied = {"apiVersion": "v1", "kind": "PersistentVolume",
                       "metadata": {"annotations": {}, "name": name},
                       "spec": {"accessModes": ["ReadWriteMany"], "azureFile": src,
                                "capacity": {"storage": pv["size"]},
                                "mountOptions": spec["mountOptions"],
                                "persistentVolumeReclaimPolicy": "Retain"}}
            ann[LAC] = json.dumps(applied, separators=(",", ":"), sort_keys=True) + "\n"
        elif cls == "csi-disk":
            ann["pv.kubernetes.io/provisioned-by"] = "disk.csi.azure.com"
            ann["volume.kubernetes.io/provisioner-deletion-secret-name"] = ""
            ann["volume.kubernetes.io/provisioner-deletion-secret-namespace"] = ""
            finalizers = ["external-provisioner.volume.kubernetes.io/finalizer",
                          "kubernetes.io/pv-protection"]
            if bound:
                finalizers.append("external-attacher/disk-csi-azure-com")
            attrs = {"csi.storage.k8s.io/pv/name": name,
                     "requestedsizegib": str(SIZE_GIB[pv["size"]]),
                     "skuname": pv["sku"],
                     "storage.kubernetes.io/csiProvisionerIdentity": pv["ident"]}
            if claim is not None:
                attrs["csi.storage.k8s.io/pvc/name"] = claim["name"]
                attrs["csi.storage.k8s.io/pvc/namespace"] = claim["ns"]
            spec["csi"] = {"driver": "disk.csi.azure.com", "fsType": "ext4",
                           "volumeAttributes": attrs,
                           "volumeHandle": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/disks/%s"
                                           % (self.sub, NODE_RG, name)}
            style = pv["zone_style"]
            if style == "beta":
                # a hand-made CSI PV copying the old in-tree zone key (still a blocker)
                spec["nodeAffinity"] = self.zone_affinity(pv)
                applied = {"apiVersion": "v1", "kind": "PersistentVolume",
                           "metadata": {"annotations": {}, "name": name},
                           "spec": {"csi": {"driver": "disk.csi.azure.com",
                                            "volumeHandle": spec["csi"]["volumeHandle"]},
                                    "nodeAffinity": spec["nodeAffinity"]}}
                ann[LAC] = json.dumps(applied, separators=(",", ":"), sort_keys=True) + "\n"
            else:
                value = pv["zone"] if style == "ga" else ""
                spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                    {"key": CSI_DISK_ZONE, "operator": "In", "values": [value]}]}]}}
        elif cls == "csi-file":
            ann["pv.kubernetes.io/provisioned-by"] = "file.csi.azure.com"
            ann["volume.kubernetes.io/provisioner-deletion-secret-name"] = ""
            ann["volume.kubernetes.io/provisioner-deletion-secret-namespace"] = ""
            finalizers = ["external-provisioner.volume.kubernetes.io/finalizer",
                          "kubernetes.io/pv-protection"]
            ns = claim["ns"] if claim else "default"
            attrs = {"csi.storage.k8s.io/pv/name": name,
                     "secretnamespace": ns, "skuName": "Standard_LRS",
                     "storage.kubernetes.io/csiProvisionerIdentity": pv["ident"]}
            if claim is not None:
                attrs["csi.storage.k8s.io/pvc/name"] = claim["name"]
                attrs["csi.storage.k8s.io/pvc/namespace"] = claim["ns"]
            spec["csi"] = {"driver": "file.csi.azure.com", "volumeAttributes": attrs,
                           "volumeHandle": "%s#%s#%s###%s" % (NODE_RG, pv["account"], name, ns)}
            spec["mountOptions"] = ["mfsymlinks", "actimeo=30", "nosharesock"]
        elif cls == "local":
            ann["pv.kubernetes.io/provisioned-by"] = "local-volume-provisioner-%s-%s" % (pv["node"], pv["provuid"])
            spec["local"] = {"path": pv["path"]}
            spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": [pv["node"]]}]}]}}
        if "nodeAffinity" not in spec:
            aff = self.zone_affinity(pv)
            if aff:
                spec["nodeAffinity"] = aff
        meta = {"creationTimestamp": ts(pv["created"]), "finalizers": finalizers, "name": name,
                "resourceVersion": pv["rv"], "uid": pv["uid"]}
        if ann:
            meta["annotations"] = ann
        if labels:
            meta["labels"] = labels
        status = {"phase": pv["phase"]}
        if pv["phase"] != "Bound" or pv["created"] > T_2024:
            status["lastPhaseTransitionTime"] = ts(max(pv["created"], T_2024) + 3600)
        if pv["phase"] == "Failed":
            status["message"] = ('Error getting deleter volume plugin for volume "%s": '
                                 'no deletable volume plugin matched' % name)
        return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": meta,
                "spec": spec, "status": status}

    def pvc_object(self, pv):
        claim = pv["claim"]
        cls = pv["cls"]
        prov = PROVISIONER[cls]
        ann = {"pv.kubernetes.io/bind-completed": "yes"}
        static = cls in ("disk-static", "file-static")
        if not static:
            ann["pv.kubernetes.io/bound-by-controller"] = "yes"
            if cls != "local":
                ann["volume.beta.kubernetes.io/storage-provisioner"] = prov
                if pv["created"] > T_2021:
                    ann["volume.kubernetes.io/storage-provisioner"] = prov
            if pv["sc"] in ("managed-premium-zoned", "managed-csi", "managed-csi-premium", "local-storage"):
                ann["volume.kubernetes.io/selected-node"] = pv["node"]
            if cls in ("disk", "file") and pv["migrated"]:
                ann["pv.kubernetes.io/migrated-to"] = "disk.csi.azure.com" if cls == "disk" else "file.csi.azure.com"
        app = claim["app"]
        labels = {"app.kubernetes.io/instance": app["name"], "app.kubernetes.io/name": app["name"].rsplit("-", 1)[0]}
        rwx = cls in ("file", "file-static", "csi-file")
        modes = ["ReadWriteMany" if rwx else "ReadWriteOnce"]
        spec = {"accessModes": modes, "resources": {"requests": {"storage": pv["size"]}},
                "storageClassName": pv["sc"] or "", "volumeMode": "Block" if pv["block"] else "Filesystem",
                "volumeName": pv["name"]}
        meta = {"annotations": ann, "creationTimestamp": ts(claim["created"]),
                "finalizers": ["kubernetes.io/pvc-protection"], "labels": labels,
                "name": claim["name"], "namespace": claim["ns"], "resourceVersion": claim["rv"],
                "uid": claim["uid"]}
        return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta, "spec": spec,
                "status": {"accessModes": modes, "capacity": {"storage": pv["size"]}, "phase": "Bound"}}

    def storage_classes(self):
        addon = {"addonmanager.kubernetes.io/mode": "EnsureExists", "kubernetes.io/cluster-service": "true"}

        def sc(name, prov, params, created, default=False, wffc=False, mount=None, lac=None, reclaim="Delete"):
            meta = {"creationTimestamp": ts(created), "labels": dict(addon), "name": name,
                    "resourceVersion": str(300 + len(name) * 7), "uid": self.uid()}
            ann = {}
            if default:
                ann["storageclass.kubernetes.io/is-default-class"] = "true"
            if lac:
                del meta["labels"]
                applied = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                           "metadata": {"annotations": {}, "name": name}, "parameters": params,
                           "provisioner": prov, "reclaimPolicy": reclaim}
                ann[LAC] = json.dumps(applied, separators=(",", ":"), sort_keys=True) + "\n"
            if ann:
                meta["annotations"] = ann
            o = {"allowVolumeExpansion": True, "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                 "metadata": meta, "parameters": params, "provisioner": prov, "reclaimPolicy": reclaim,
                 "volumeBindingMode": "WaitForFirstConsumer" if wffc else "Immediate"}
            if mount:
                o["mountOptions"] = mount
            if not params:
                del o["parameters"]
            return o

        t = T_2019 + 86400
        return [
            sc("azurefile", "kubernetes.io/azure-file", {"skuName": "Standard_LRS"}, t,
               mount=["mfsymlinks", "actimeo=30"]),
            sc("azurefile-csi", "file.csi.azure.com", {"skuName": "Standard_LRS"}, T_2021 + 86400,
               mount=["mfsymlinks", "actimeo=30", "nosharesock"]),
            sc("azurefile-premium", "kubernetes.io/azure-file", {"skuName": "Premium_LRS"}, t,
               mount=["mfsymlinks", "actimeo=30"]),
            sc("default", "kubernetes.io/azure-disk",
               {"cachingmode": "ReadOnly", "kind": "Managed", "storageaccounttype": "StandardSSD_LRS"}, t),
            sc("local-storage", "kubernetes.io/no-provisioner", {}, T_2021 + 5 * 86400, wffc=True,
               lac=True, reclaim="Retain"),
            sc("managed-csi", "disk.csi.azure.com", {"skuname": "StandardSSD_LRS"}, T_2021 + 86400,
               default=True, wffc=True),
            sc("managed-csi-premium", "disk.csi.azure.com", {"skuname": "Premium_LRS"}, T_2021 + 86400,
               wffc=True),
            sc("managed-premium", "kubernetes.io/azure-disk",
               {"cachingmode": "ReadOnly", "kind": "Managed", "storageaccounttype": "Premium_LRS"}, t),
            sc("managed-premium-zoned", "kubernetes.io/azure-disk",
               {"cachingmode": "ReadOnly", "kind": "Managed", "skuName": "Premium_LRS",
                "zoned": "true", "zones": ",".join(ZONES)}, t + 30 * 86400, wffc=True, lac=True),
            sc("standard-unmanaged", "kubernetes.io/azure-disk",
               {"kind": "Dedicated", "skuName": "Standard_LRS", "storageAccount": self.blob_accounts[0]},
               t, lac=True),
        ]

    def container(self, name, image, port, mounts, token):
        mounts = list(mounts)
        mounts.append({"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                       "name": token, "readOnly": True})
        return {"env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                                        "fieldPath": "metadata.name"}}}],
                "image": image, "imagePullPolicy": "IfNotPresent", "name": name,
                "ports": [{"containerPort": port, "name": "tcp", "protocol": "TCP"}],
                "resources": {"limits": {"cpu": "2", "memory": "4Gi"},
                              "requests": {"cpu": "500m", "memory": "1Gi"}},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File", "volumeMounts": mounts}

    def inline_volume(self, kind, name):
        if kind == "disk":
            disk = "legacy-%s" % name
            return {"azureDisk": {"cachingMode": "ReadWrite", "diskName": disk,
                                  "diskURI": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/disks/%s"
                                             % (self.sub, USER_RG, disk),
                                  "fsType": "ext4", "kind": "Managed", "readOnly": False},
                    "name": "legacy-disk"}
        return {"azureFile": {"secretName": "azure-secret", "shareName": "shared-content"},
                "name": "shared-content"}

    def pod_object(self, pod):
        token = "kube-api-access-%s" % pod["cid"][:5]
        app = pod["app"]
        mounts = []
        volumes = []
        for tmpl, claim in pod["claims"]:
            mounts.append({"mountPath": "/%s" % tmpl, "name": tmpl})
            volumes.append({"name": tmpl, "persistentVolumeClaim": {"claimName": claim}})
        if pod["inline"]:
            v = self.inline_volume(pod["inline"], pod["name"])
            volumes.append(v)
            mounts.append({"mountPath": "/mnt/" + v["name"], "name": v["name"]})
        volumes.append({"name": token, "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
            {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                        "path": "namespace"}]}}]}})
        if app is not None:
            base = app["name"].rsplit("-", 1)[0]
            image, port = app["image"], app["port"]
            labels = {"app.kubernetes.io/instance": app["name"], "app.kubernetes.io/name": base,
                      "apps.kubernetes.io/pod-index": str(pod["ordinal"]),
                      "controller-revision-hash": app["revision"],
                      "statefulset.kubernetes.io/pod-name": pod["name"]}
            owner = {"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
                     "kind": "StatefulSet", "name": app["name"], "uid": app["uid"]}
            generate = app["name"] + "-"
        else:
            d = pod["deploy"]
            base = d["name"]
            image, port = "mcr.microsoft.com/azurelinux/base/nginx:1.25", 8080
            labels = {"app": d["name"], "pod-template-hash": d["rs"].rsplit("-", 1)[1]}
            owner = {"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
                     "kind": "ReplicaSet", "name": d["rs"], "uid": d["rsuid"]}
            generate = d["rs"] + "-"
        started = ts(pod["created"] + 2)
        spec = {"containers": [self.container(base, image, port, mounts, token)],
                "dnsPolicy": "ClusterFirst", "enableServiceLinks": True,
                "nodeName": pod["node"], "preemptionPolicy": "PreemptLowerPriority", "priority": 0,
                "restartPolicy": "Always", "schedulerName": "default-scheduler",
                "securityContext": {"fsGroup": 1001, "runAsUser": 1001} if app is not None else {},
                "serviceAccount": "default", "serviceAccountName": "default",
                "terminationGracePeriodSeconds": 30,
                "tolerations": [
                    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
                     "tolerationSeconds": 300},
                    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists",
                     "tolerationSeconds": 300}],
                "volumes": volumes}
        if app is not None:
            spec["hostname"] = pod["name"]
            spec["subdomain"] = app["name"] + "-headless"
        conds = []
        for i, typ in enumerate(("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                                 "PodScheduled")):
            conds.append({"lastProbeTime": None,
                          "lastTransitionTime": ts(pod["created"] + (0 if typ == "PodScheduled" else 3 + i)),
                          "status": "True", "type": typ})
        status = {"conditions": conds,
                  "containerStatuses": [{"containerID": "containerd://" + pod["cid"], "image": image,
                                         "imageID": image.split(":")[0] + "@sha256:" + pod["imgid"],
                                         "lastState": {}, "name": base, "ready": True, "restartCount": 0,
                                         "started": True, "state": {"running": {"startedAt": started}}}],
                  "hostIP": pod["host"], "hostIPs": [{"ip": pod["host"]}], "phase": "Running",
                  "podIP": pod["ip"], "podIPs": [{"ip": pod["ip"]}], "qosClass": "Burstable",
                  "startTime": ts(pod["created"])}
        meta = {"creationTimestamp": ts(pod["created"]), "generateName": generate, "labels": labels,
                "name": pod["name"], "namespace": pod["ns"], "ownerReferences": [owner],
                "resourceVersion": pod["rv"], "uid": pod["uid"]}
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}

    def deployment_object(self, d):
        name = d["name"]
        vol = self.inline_volume(d["inline"], name)
        template_spec = {
            "containers": [{"image": "mcr.microsoft.com/azurelinux/base/nginx:1.25",
                            "imagePullPolicy": "IfNotPresent", "name": name,
                            "ports": [{"containerPort": 8080, "protocol": "TCP"}], "resources": {},
                            "terminationMessagePath": "/dev/termination-log",
                            "terminationMessagePolicy": "File",
                            "volumeMounts": [{"mountPath": "/mnt/" + vol["name"], "name": vol["name"]}]}],
            "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
            "securityContext": {}, "terminationGracePeriodSeconds": 30, "volumes": [vol]}
        strategy = {"type": "Recreate"} if d["inline"] == "disk" else \
            {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"}
        applied = {"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"annotations": {}, "name": name, "namespace": d["ns"]},
                   "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                            "template": {"metadata": {"labels": {"app": name}},
                                         "spec": {"containers": [{"image": template_spec["containers"][0]["image"],
                                                                  "name": name}],
                                                  "volumes": [vol]}}}}
        meta = {"annotations": {"deployment.kubernetes.io/revision": "1",
                                LAC: json.dumps(applied, separators=(",", ":"), sort_keys=True) + "\n"},
                "creationTimestamp": ts(d["created"]), "generation": 1, "labels": {"app": name},
                "name": name, "namespace": d["ns"], "resourceVersion": d["rv"], "uid": d["uid"]}
        t = ts(d["created"] + 60)
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
                "spec": {"progressDeadlineSeconds": 600, "replicas": 1, "revisionHistoryLimit": 10,
                         "selector": {"matchLabels": {"app": name}}, "strategy": strategy,
                         "template": {"metadata": {"creationTimestamp": None, "labels": {"app": name}},
                                      "spec": template_spec}},
                "status": {"availableReplicas": 1,
                           "conditions": [
                               {"lastTransitionTime": t, "lastUpdateTime": t,
                                "message": "Deployment has minimum availability.",
                                "reason": "MinimumReplicasAvailable", "status": "True", "type": "Available"},
                               {"lastTransitionTime": t, "lastUpdateTime": t,
                                "message": 'ReplicaSet "%s" has successfully progressed.' % d["rs"],
                                "reason": "NewReplicaSetAvailable", "status": "True", "type": "Progressing"}],
                           "observedGeneration": 1, "readyReplicas": 1, "replicas": 1, "updatedReplicas": 1}}

    def statefulset_object(self, app):
        name = app["name"]
        base = name.rsplit("-", 1)[0]
        sel = {"app.kubernetes.io/instance": name, "app.kubernetes.io/name": base}
        templates = []
        for tmpl in app["templates"]:
            templates.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                              "metadata": {"creationTimestamp": None, "name": tmpl},
                              "spec": {"accessModes": ["ReadWriteOnce"],
                                       "resources": {"requests": {"storage": "32Gi"}},
                                       "storageClassName": "managed-premium", "volumeMode": "Filesystem"},
                              "status": {"phase": "Pending"}})
        c = self.container(base, app["image"], app["port"],
                           [{"mountPath": "/" + t, "name": t} for t in app["templates"]], "x")
        c["volumeMounts"].pop()
        n = app["replicas"]
        return {"apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": {"creationTimestamp": ts(T_2021 - 86400 * 40), "generation": 3, "labels": sel,
                             "name": name, "namespace": app["ns"], "resourceVersion": self.rv(),
                             "uid": app["uid"]},
                "spec": {"persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
                         "podManagementPolicy": "OrderedReady", "replicas": n, "revisionHistoryLimit": 10,
                         "selector": {"matchLabels": sel}, "serviceName": name + "-headless",
                         "template": {"metadata": {"creationTimestamp": None, "labels": sel},
                                      "spec": {"containers": [c], "dnsPolicy": "ClusterFirst",
                                               "restartPolicy": "Always", "schedulerName": "default-scheduler",
                                               "securityContext": {"fsGroup": 1001, "runAsUser": 1001},
                                               "terminationGracePeriodSeconds": 30}},
                         "updateStrategy": {"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"},
                         "volumeClaimTemplates": templates},
                "status": {"availableReplicas": n, "collisionCount": 0, "currentReplicas": n,
                           "currentRevision": app["revision"], "observedGeneration": 3, "readyReplicas": n,
                           "replicas": n, "updateRevision": app["revision"], "updatedReplicas": n}}

    def objects(self):
        """All items in `kubectl get pv,pvc,sc,pods,deploy,sts -A` order."""
        for pv in self.pvs:
            yield self.pv_object(pv)
        bound = [pv for pv in self.pvs if pv["phase"] == "Bound"]
        bound.sort(key=lambda pv: (pv["claim"]["ns"], pv["claim"]["name"]))
        for pv in bound:
            yield self.pvc_object(pv)
        for sc in self.storage_classes():
            yield sc
        for pod in self.pods:
            yield self.pod_object(pod)
        for d in sorted(self.deployments, key=lambda d: (d["ns"], d["name"])):
            yield self.deployment_object(d)
        for app in sorted(self.workloads, key=lambda a: (a["ns"], a["name"])):
            yield self.statefulset_object(app)


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

def write_yaml(objects, out):
    out.write('apiVersion: v1\nitems:\n')
    lines = []
    count = 0
    for obj in objects:
        start = len(lines)
        emit_map(obj, 2, lines)
        lines[start] = "- " + lines[start][2:]
        count += 1
        if len(lines) > 50000:
            out.write("\n".join(lines))
            out.write("\n")
            lines = []
    if lines:
        out.write("\n".join(lines))
        out.write("\n")
    if count == 0:
        raise SystemExit("gen-dump: no objects")
    out.write('kind: List\nmetadata:\n  resourceVersion: ""\n')


def write_json(objects, out):
    out.write('{\n    "apiVersion": "v1",\n    "items": [')
    first = True
    buf = []
    for obj in objects:
        text = json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=False)
        buf.append(("\n        " if first else ",\n        ") + text.replace("\n", "\n        "))
        first = False
        if len(buf) >= 500:
            out.write("".join(buf))
            buf = []
    out.write("".join(buf))
    out.write('\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pvs", type=int, required=True, help="number of PersistentVolumes")
    ap.add_argument("--format", choices=["yaml", "json"], default="yaml")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", help="write here instead of stdout")
    args = ap.parse_args()
    if args.pvs < 1:
        ap.error("--pvs must be at least 1")
    cluster = Cluster(args.pvs, args.seed)
    out = open(args.output, "w", encoding="utf-8", newline="\n") if args.output else sys.stdout
    try:
        (write_yaml if args.format == "yaml" else write_json)(cluster.objects(), out)
    finally:
        if args.output:
            out.close()
        else:
            out.flush()


if __name__ == "__main__":
    main()
