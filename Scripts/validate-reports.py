#!/usr/bin/env python3
"""Validate csi-migrate check reports against their schemas.

  python3 Scripts/validate-reports.py                  # build nothing; run .build/debug/csi-migrate
                                                       # over the fixtures, validate every report
  python3 Scripts/validate-reports.py --binary PATH    # the same with another binary
  python3 Scripts/validate-reports.py a.sarif b.xml    # validate given files (.sarif/.json: SARIF,
                                                       # .xml: JUnit)

SARIF is checked with jsonschema against Tests/Schemas/sarif-2.1.0-subset.schema.json, JUnit with
lxml against Tests/Schemas/junit.xsd; both also get semantic checks (counts add up, rule indexes
point at their rules, every result has a file, line and column). Needs `pip install jsonschema lxml`.
Exit status 0 when every report is valid, 1 otherwise.
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMAS = os.path.join(ROOT, "Tests", "Schemas")

try:
    import jsonschema
    from lxml import etree
except ImportError as error:  # fail loudly: a gate whose reports are not validated is no gate
    sys.exit(f"validate-reports: {error}; install with: pip install jsonschema lxml")


def load_sarif_validator():
    with open(os.path.join(SCHEMAS, "sarif-2.1.0-subset.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def load_junit_schema():
    return etree.XMLSchema(etree.parse(os.path.join(SCHEMAS, "junit.xsd")))


def check_sarif(path, validator):
    problems = []
    with open(path, encoding="utf-8") as f:
        log = json.load(f)
    for error in validator.iter_errors(log):
        problems.append(f"schema: {'/'.join(str(p) for p in error.absolute_path)}: {error.message}")
    for run in log.get("runs", []):
        driver = run["tool"]["driver"]
        if driver.get("name") != "csi-migrate":
            problems.append(f"tool.driver.name is {driver.get('name')!r}")
        rules = driver.get("rules", [])
        ids = [r["id"] for r in rules]
        if len(ids) != len(set(ids)):
            problems.append("rule ids are not unique")
        for n, result in enumerate(run.get("results", [])):
            index = result.get("ruleIndex")
            if index is not None and (index < 0 or index >= len(rules) or rules[index]["id"] != result.get("ruleId")):
                problems.append(f"results[{n}]: ruleIndex {index} does not name rule {result.get('ruleId')}")
            if result.get("ruleId") not in ids:
                problems.append(f"results[{n}]: unknown ruleId {result.get('ruleId')}")
            locations = result.get("locations") or []
            if not locations:
                problems.append(f"results[{n}]: no location")
            for location in locations:
                physical = location.get("physicalLocation", {})
                uri = physical.get("artifactLocation", {}).get("uri", "")
                region = physical.get("region", {})
                if not uri or " " in uri:
                    problems.append(f"results[{n}]: bad artifact uri {uri!r}")
                if "startLine" not in region or "startColumn" not in region:
                    problems.append(f"results[{n}]: region without startLine/startColumn")
    return problems


def check_junit(path, schema):
    problems = []
    document = etree.parse(path)
    if not schema.validate(document):
        problems += [f"schema: line {e.line}: {e.message}" for e in schema.error_log]
    root = document.getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total_tests = total_failures = 0
    for suite in suites:
        cases = suite.findall("testcase")
        failures = sum(1 for c in cases if c.find("failure") is not None)
        skipped = sum(1 for c in cases if c.find("skipped") is not None)
        name = suite.get("name")
        if int(suite.get("tests", -1)) != len(cases):
            problems.append(f"suite {name}: tests={suite.get('tests')} but {len(cases)} testcases")
        if int(suite.get("failures", -1)) != failures:
            problems.append(f"suite {name}: failures={suite.get('failures')} but {failures} failures")
        if suite.get("skipped") is not None and int(suite.get("skipped")) != skipped:
            problems.append(f"suite {name}: skipped={suite.get('skipped')} but {skipped} skipped")
        if not cases:
            problems.append(f"suite {name}: no testcase (CI would show nothing)")
        for case in cases:
            failure = case.find("failure")
            if failure is not None and ":" not in (failure.get("message") or ""):
                problems.append(f"suite {name}: failure without file:line:column in its message")
        total_tests += len(cases)
        total_failures += failures
    if root.tag == "testsuites":
        if root.get("tests") is not None and int(root.get("tests")) != total_tests:
            problems.append(f"testsuites: tests={root.get('tests')} but {total_tests}")
        if root.get("failures") is not None and int(root.get("failures")) != total_failures:
            problems.append(f"testsuites: failures={root.get('failures')} but {total_failures}")
    return problems


# Inputs and versions the self-generated run covers: every verdict, a fleet, an empty cluster,
# stdin, a baseline.
EMPTY = "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n"


def generate(binary, directory):
    """Runs the binary over the fixtures; returns (report path, format) pairs."""
    demo = os.path.join("Fixtures", "demo", "cluster.yaml")
    empty = os.path.join(directory, "empty.yaml")
    with open(empty, "w", encoding="utf-8") as f:
        f.write(EMPTY)
    runs = []
    inputs = [[empty]]
    if os.path.exists(os.path.join(ROOT, demo)):
        inputs += [[demo], [demo, empty], [os.path.join("Fixtures", "demo", "cluster.json")]]
    baseline = os.path.join(directory, "baseline.json")
    n = 0
    for paths in inputs:
        for version in ["1.20", "1.25", "1.26", "1.27", "1.28", "1.30"]:
            for fmt, ext in [("sarif", "sarif"), ("junit", "xml")]:
                n += 1
                out = os.path.join(directory, f"report-{n}.{ext}")
                with open(out, "wb") as f:
                    code = subprocess.run([binary, "check", *paths, "--target-version", version, "-o", fmt],
                                          cwd=ROOT, stdout=f, stderr=subprocess.PIPE).returncode
                if code not in (0, 3, 4):
                    sys.exit(f"validate-reports: {' '.join(paths)} {version} -o {fmt} exited {code}")
                runs.append((out, fmt))
    if len(inputs) > 1:
        subprocess.run([binary, "check", demo, "--target-version", "1.27", "--write-baseline", baseline, "-o", "json"],
                       cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        for fmt, ext in [("sarif", "sarif"), ("junit", "xml")]:
            out = os.path.join(directory, f"baselined.{ext}")
            with open(out, "wb") as f:
                subprocess.run([binary, "check", demo, "--target-version", "1.28", "--baseline", baseline, "-o", fmt],
                               cwd=ROOT, stdout=f)
            runs.append((out, fmt))
    with open(demo if os.path.exists(os.path.join(ROOT, demo)) else empty, "rb") as stdin:
        for fmt, ext in [("sarif", "sarif"), ("junit", "xml")]:
            out = os.path.join(directory, f"stdin.{ext}")
            stdin.seek(0)
            with open(out, "wb") as f:
                subprocess.run([binary, "check", "--target-version", "1.27", "-o", fmt], cwd=ROOT, stdin=stdin, stdout=f)
            runs.append((out, fmt))
    return runs


def main(argv):
    binary = os.path.join(ROOT, ".build", "debug", "csi-migrate")
    files = []
    args = iter(argv)
    for arg in args:
        if arg == "--binary":
            binary = os.path.abspath(next(args))
        elif arg in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            files.append(arg)
    sarif, junit = load_sarif_validator(), load_junit_schema()
    with tempfile.TemporaryDirectory() as directory:
        if files:
            reports = [(f, "junit" if f.endswith(".xml") else "sarif") for f in files]
        else:
            if not os.access(binary, os.X_OK):
                sys.exit(f"validate-reports: {binary} not found; run swift build first")
            reports = generate(binary, directory)
        failed = 0
        for path, fmt in reports:
            problems = check_sarif(path, sarif) if fmt == "sarif" else check_junit(path, junit)
            if problems:
                failed += 1
                print(f"{path}: INVALID {fmt}", file=sys.stderr)
                for p in problems[:20]:
                    print(f"  {p}", file=sys.stderr)
        print(f"validate-reports: {len(reports) - failed} valid, {failed} invalid ({len(reports)} reports)")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
