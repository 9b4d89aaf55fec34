import ArgumentParser
import MigrationCore
import YAMLStream

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

struct CSIMigrate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "csi-migrate",
    abstract: "Find in-tree Azure volumes in kubectl output and plan their migration to the Azure CSI drivers.",
    discussion: """
      Reads what `kubectl get ... -o yaml|json` prints, from files, directories or standard input.
      Several inputs are several clusters.

      Exit codes: 0 success (check: passes), 1 internal error, 2 usage error or bad/missing input, 3 check: in-tree volumes must migrate first, 4 check: blockers, translate: an object cannot be translated.
      """,
    version: "0.1.0",
    subcommands: [Scan.self, Translate.self, PlanCommand.self, Check.self]
  )
}

/// Entry point: maps argument errors to exit code 2 (DESIGN: usage error) instead of 64.
@main
enum Main {
  static func main() {
    do {
      var command = try CSIMigrate.parseAsRoot()
      try command.run()
      Output.shared.flush()
    } catch let error as InputError {
      // Bad input: no partial results on stdout, one located error on stderr.
      Output.shared.discard()
      Output.shared.error(error.description)
      exit(ExitStatus.badInput)
    } catch {
      let code = CSIMigrate.exitCode(for: error)
      if code == .success {
        Output.shared.flush()
        CSIMigrate.exit(withError: error)
      }
      if error is ExitCode {
        // A verdict (check: 3 or 4, translate: 4): the results stand.
        Output.shared.flush()
        exit(code.rawValue)
      }
      Output.shared.discard()
      let message = CSIMigrate.fullMessage(for: error)
      if !message.isEmpty { Output.shared.error(message) }
      exit(code == .validationFailure ? ExitStatus.badInput : code.rawValue)
    }
  }
}

/// The exit codes of DESIGN.md.
enum ExitStatus {
  static let ok: Int32 = 0
  static let internalError: Int32 = 1
  static let badInput: Int32 = 2
  static let mustMigrate: Int32 = 3
  static let blockers: Int32 = 4
}
