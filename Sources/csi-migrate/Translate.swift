import ArgumentParser
import MigrationCore
import YAMLStream

struct Translate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print, as YAML, the CSI objects Kubernetes makes in memory from in-tree Azure volumes.",
    discussion: """
      Since CSI migration, Kubernetes translates every in-tree azureDisk / azureFile volume to disk.csi.azure.com / file.csi.azure.com in memory (csi-translation-lib) and never shows the result. This command prints it, rule for rule, as a multi-document YAML stream in input order:

      - each PersistentVolume with spec.azureDisk or spec.azureFile, with spec.csi in its place and everything else carried over;
      - each StorageClass of kubernetes.io/azure-disk or kubernetes.io/azure-file, printed as a new object: its provisioner is set to the CSI driver's name (Kubernetes itself keeps the in-tree provisioner, since it only translates in memory);
      - for each inline azureDisk / azureFile volume of a Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or CronJob, the PersistentVolume Kubernetes builds for it in memory (named, as upstream names it, by the disk URI or the share's volume handle: a view, not an object to apply).

      Objects that need no translation are not printed; Secrets are never read. Output is printed as `kubectl get -o yaml` prints (key order, quoting), so every input shape gives the same bytes.

      An object Kubernetes cannot translate (an unmanaged disk, a file PV without a secret namespace, a disk class with both zone(s) and allowedTopologies) gets one line on standard error with its position and upstream's error text; the others are still printed.

      Exit codes: 0 success (also when nothing needs translation), 2 bad or missing input (then nothing is printed but the error), 4 at least one object cannot be translated.

      Example:
        kubectl get pv,sc,pods,deploy,sts,ds,job,cronjob -A -o yaml | csi-migrate translate
      """)

  @OptionGroup var input: InputOptions

  func run() throws {
    let stream = try YAMLDocumentStream()
    var printed = 0
    var failed = 0
    // Held back until the whole input has been read: bad input prints its one error and nothing else.
    var diagnostics: [String] = []
    try Pipeline.read(input.expanded()) { _, _, tree, object, _ in
      for outcome in Translator.translate(tree, object) {
        if let warning = outcome.warning {
          diagnostics.append("\(outcome.location): warning: \(outcome.subject): \(warning)")
        }
        switch outcome.result {
        case .success(let document):
          Output.shared.write(bytes: try stream.append(document))
          printed += 1
        case .failure(let error):
          diagnostics.append("\(outcome.location): error: \(outcome.subject): \(error.message)")
          failed += 1
        }
      }
    }
    Output.shared.write(bytes: try stream.finish())
    for line in diagnostics { Output.shared.error(line) }
    if printed == 0 && failed == 0 { Output.shared.error("no in-tree objects to translate") }
    if failed > 0 { throw ExitCode(ExitStatus.blockers) }
  }
}
