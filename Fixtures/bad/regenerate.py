#!/usr/bin/env python3
"""Rebuilds the bad-input corpus in this directory, deterministically (no randomness
without a fixed seed, no clock). truncated.yaml / truncated.json are cut from
../demo/cluster.yaml / ../demo/cluster.json, so run ../demo/regenerate.sh first if those
change. Each file carries exactly one problem; README.md says where it must be reported.
Needs only python3 (and PyYAML, to print where libyaml itself stops: `--check`).
"""
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "demo")


def write(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def demo(name):
    with open(os.path.join(DEMO, name), "rb") as f:
        return f.read()


def multidoc_objects():
    """The demo objects as kubectl printed them one by one (text of each document)."""
    return demo("cluster-multidoc.yaml").decode("utf-8").split("---\n")


def find_object(kind, name):
    for text in multidoc_objects():
        if ("\nkind: %s\n" % kind) in text and ("\n  name: %s\n" % name) in text:
            return text
    raise KeyError((kind, name))


# A small in-tree PV in kubectl's print style (the same bytes `kubectl get pv -o yaml` gives
# for it, checked with kubectl when this corpus was made), used as the body of several files.
PV_LINES = [
    "apiVersion: v1",
    "kind: PersistentVolume",
    "metadata:",
    "  annotations:",
    "    billing.shop.example/cost-center: \"4711\"",
    "    billing.shop.example/owner: finance",
    "    kubernetes.io/description: Données de facturation",
    "    pv.kubernetes.io/bound-by-controller: \"yes\"",
    "  creationTimestamp: \"2021-02-11T09:41:27Z\"",
    "  finalizers:",
    "  - kubernetes.io/pv-protection",
    "  labels:",
    "    app: billing",
    "  name: pv-billing-exports",
    "  resourceVersion: \"7712044\"",
    "  uid: 37848b77-2ac9-44c3-b173-f9f7b59ecf10",
    "spec:",
    "  accessModes:",
    "  - ReadWriteOnce",
    "  azureDisk:",
    "    cachingMode: ReadWrite",
    "    diskName: billing-exports",
    "    diskURI: /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/shop-rg/providers/Microsoft.Compute/disks/billing-exports",
    "    fsType: ext4",
    "    kind: Managed",
    "    readOnly: false",
    "  capacity:",
    "    storage: 16Gi",
    "  claimRef:",
    "    apiVersion: v1",
    "    kind: PersistentVolumeClaim",
    "    name: exports",
    "    namespace: billing",
    "    resourceVersion: \"7712040\"",
    "    uid: bea75def-e8cb-419d-855c-d6e0683d063f",
    "  persistentVolumeReclaimPolicy: Retain",
    "  volumeMode: Filesystem",
    "status:",
    "  phase: Bound",
]


def pv_text(lines=PV_LINES):
    return "\n".join(lines) + "\n"


def main():
    # empty.yaml: zero bytes.
    write("empty.yaml", b"")

    # whitespace-only.yaml: spaces and line breaks (LF and one CRLF) only. No tabs: libyaml
    # rejects a tab where a block token could start, so tabs would be a different problem.
    write("whitespace-only.yaml", b"\n   \n\n        \r\n  \n\n")

    # comments-only.yaml: comments and blank lines, no document.
    write("comments-only.yaml",
          "# kubectl get pv -A -o yaml\n"
          "# (the cluster was unreachable; only this header was saved)\n"
          "\n"
          "   # an indented comment\n"
          "#\n")

    # truncated.yaml: cluster.yaml cut inside a double-quoted scalar, half way through the file.
    text = demo("cluster.yaml").decode("utf-8")
    lines = text.split("\n")
    start = len(lines) // 2
    offset = sum(len(l) + 1 for l in lines[:start])
    i = text.index('creationTimestamp: "', offset) + len('creationTimestamp: "2024-05-')
    write("truncated.yaml", text[:i])

    # truncated.json: cluster.json cut inside a string value, half way through the file.
    text = demo("cluster.json").decode("utf-8")
    i = text.index('"name": "', len(text) // 2) + len('"name": "') + 4
    write("truncated.json", text[:i])

    # binary.bin: 4 KiB of random-looking bytes (fixed seed) with NULs sprinkled in; the first
    # byte is not a BOM, so libyaml reads it as UTF-8 and stops at the first invalid octet.
    rng = random.Random(0x6373692D)  # "csi-"
    data = bytearray(rng.getrandbits(8) for _ in range(4096))
    for k in range(0, 4096, 97):
        data[k] = 0
    data[0:4] = b"\x7fELF"  # looks like an executable someone piped in
    write("binary.bin", bytes(data))

    # invalid-utf8.yaml: a valid-looking PV whose line 7 was saved as Latin-1 ("é" = 0xE9).
    body = pv_text().encode("utf-8")
    assert body.count("é".encode("utf-8")) == 1
    write("invalid-utf8.yaml", body.replace("é".encode("utf-8"), b"\xe9"))

    # tab-indented.yaml: the same PV, but every indentation step is a tab.
    tabbed = []
    for l in PV_LINES:
        if l.startswith("  ") and "é" not in l:
            n = len(l) - len(l.lstrip(" "))
            tabbed.append("\t" * (n // 2) + l[n:])
        elif "é" in l:
            tabbed.append("\t\tkubernetes.io/description: billing exports")
        else:
            tabbed.append(l)
    write("tab-indented.yaml", "\n".join(tabbed) + "\n")

    # not-kubernetes.yaml: a docker-compose file (valid YAML, no apiVersion/kind).
    write("not-kubernetes.yaml",
          "version: \"3.8\"\n"
          "services:\n"
          "  db:\n"
          "    image: postgres:14.9\n"
          "    environment:\n"
          "      POSTGRES_DB: shop\n"
          "    volumes:\n"
          "    - db-data:/var/lib/postgresql/data\n"
          "  web:\n"
          "    image: shopacr.azurecr.io/web:2.14.3\n"
          "    ports:\n"
          "    - \"8080:8080\"\n"
          "    depends_on:\n"
          "    - db\n"
          "volumes:\n"
          "  db-data:\n"
          "    driver: local\n")

    # scalar-document.yaml: a single plain scalar.
    write("scalar-document.yaml", "hello\n")

    # alias-bomb.yaml: billion laughs inside a PV's annotations (9 levels x 9 = 9^9 "lol"s).
    bomb = ["    lol0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
    for level in range(1, 10):
        refs = ",".join(["*a%d" % (level - 1)] * 9)
        bomb.append("    lol%d: &a%d [%s]" % (level, level, refs))
    write("alias-bomb.yaml",
          "apiVersion: v1\n"
          "kind: PersistentVolume\n"
          "metadata:\n"
          "  annotations:\n" + "\n".join(bomb) + "\n"
          "  name: pv-laughs\n"
          "spec:\n"
          "  accessModes:\n"
          "  - ReadWriteOnce\n"
          "  azureDisk:\n"
          "    diskName: laughs\n"
          "    diskURI: /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/shop-rg/providers/Microsoft.Compute/disks/laughs\n"
          "    kind: Managed\n"
          "  capacity:\n"
          "    storage: 1Gi\n")

    # deep-nesting.yaml: 10,000 nested flow sequences as an annotation value of a PV.
    depth = 10000
    write("deep-nesting.yaml",
          "apiVersion: v1\n"
          "kind: PersistentVolume\n"
          "metadata:\n"
          "  annotations:\n"
          "    deep: " + "[" * depth + "]" * depth + "\n"
          "  name: pv-deep\n"
          "spec:\n"
          "  azureDisk:\n"
          "    diskName: deep\n"
          "    diskURI: /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/shop-rg/providers/Microsoft.Compute/disks/deep\n"
          "    kind: Managed\n"
          "  capacity:\n"
          "    storage: 1Gi\n")

    # list-scalar-item.yaml: kubectl's List shape whose second item is a scalar.
    pv = find_object("PersistentVolume", "legacy-data")
    item = "".join(("- " if n == 0 else "  ") + l + "\n" for n, l in enumerate(pv.rstrip("\n").split("\n")))
    write("list-scalar-item.yaml",
          "apiVersion: v1\n"
          "items:\n" + item +
          "- pv-archive-share\n"
          "kind: List\n"
          "metadata:\n"
          "  resourceVersion: \"\"\n")

    # duplicate-key.yaml: two PVs as kubectl prints them, pasted together without ---.
    write("duplicate-key.yaml",
          find_object("PersistentVolume", "legacy-data") + find_object("PersistentVolume", "pv-archive-share"))

    # missing-kind.yaml: a PV as kubectl prints it, with its kind line removed.
    pv = find_object("PersistentVolume", "pv-archive-share")
    assert pv.count("\nkind: PersistentVolume\n") == 1
    write("missing-kind.yaml", pv.replace("\nkind: PersistentVolume\n", "\n"))

    if "--check" in sys.argv:
        check()


def check():
    """Prints where libyaml (PyYAML's C loader) stops on each file, 1-based."""
    import yaml
    for name in sorted(os.listdir(HERE)):
        if name.endswith((".md", ".py")):
            continue
        with open(os.path.join(HERE, name), "rb") as f:
            data = f.read()
        try:
            docs = list(yaml.load_all(data, Loader=yaml.CSafeLoader))
            print("%-22s parses: %d document(s), types %s" % (name, len(docs), [type(d).__name__ for d in docs]))
        except yaml.MarkedYAMLError as e:
            m = e.problem_mark
            c = e.context_mark
            print("%-22s %s at %d:%d%s" % (name, e.problem, m.line + 1, m.column + 1,
                  "" if c is None else " (%s at %d:%d)" % (e.context, c.line + 1, c.column + 1)))
        except yaml.reader.ReaderError as e:
            print("%-22s reader error: %s" % (name, e))
        except RecursionError:
            print("%-22s RecursionError in PyYAML's constructor" % name)
        except Exception as e:  # noqa: BLE001 - a report, not a test
            print("%-22s %s: %s" % (name, type(e).__name__, str(e)[:200]))


if __name__ == "__main__":
    main()
