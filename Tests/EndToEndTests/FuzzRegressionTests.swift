import Foundation
import Testing
import TestSupport

/// Replays past fuzzer findings and the bad-input corpus through the fuzz target's code path.
@Suite struct FuzzRegressionTests {
  @Test func pastFindingsAndBadInputsRunCleanly() throws {
    let replay = URL(fileURLWithPath: binaryPath).deletingLastPathComponent().appendingPathComponent("csi-migrate-fuzz")
    var inputs: [String] = []
    for folder in ["fuzz", "bad", "demo", "secrets"] {
      let dir = fixture(folder)
      for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
      where !name.hasSuffix(".md") && !name.hasSuffix(".py") && !name.hasSuffix(".sh") {
        var isDirectory: ObjCBool = false
        let path = dir.appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
          inputs.append(path)
        }
      }
    }
    let process = Process()
    process.executableURL = replay
    process.arguments = inputs
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    #expect(text == "replayed \(inputs.count) input(s)\n")
  }
}
