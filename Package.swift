// swift-tools-version: 6.0
import PackageDescription

// The reader and classifier run once per event and per object. Exclusivity is still checked at
// compile time; release builds skip the run-time check, which costs ~5% of a scan (see BENCHMARKS.md).
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
  name: "csi-migrate",
  products: [
    .executable(name: "csi-migrate", targets: ["csi-migrate"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    // Debian's libyaml-dev through pkg-config; never Yams (it carries its own libyaml copy).
    .systemLibrary(
      name: "CLibYAML",
      pkgConfig: "yaml-0.1",
      providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
    ),
    // The only target that touches libyaml: streaming object reader and emitter.
    .target(name: "YAMLStream", dependencies: ["CLibYAML"], swiftSettings: hotPath),
    // Migration logic: model, classification, translation, planning, rendering (and the few
    // threads planning and rendering run on: Concurrency/Parallel.swift).
    .target(name: "MigrationCore", dependencies: ["YAMLStream"], swiftSettings: hotPath),
    .executableTarget(
      name: "csi-migrate",
      dependencies: [
        "MigrationCore", "YAMLStream",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // libFuzzer target over reader, decoder, classifier and translator (Scripts/fuzz). Built
    // normally it replays corpus files, which the tests use to keep every past crash fixed.
    .executableTarget(
      name: "csi-migrate-fuzz", dependencies: ["MigrationCore", "YAMLStream"],
      swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    // Helpers shared by the test targets: fixtures, golden files, running the built binary.
    .target(name: "TestSupport", dependencies: ["MigrationCore", "YAMLStream"], path: "Tests/TestSupport"),
    .testTarget(name: "YAMLStreamTests", dependencies: ["YAMLStream", "TestSupport"]),
    .testTarget(name: "MigrationCoreTests", dependencies: ["MigrationCore", "YAMLStream", "TestSupport"]),
    .testTarget(name: "EndToEndTests", dependencies: ["csi-migrate", "csi-migrate-fuzz", "TestSupport", "MigrationCore", "YAMLStream"]),
  ],
  swiftLanguageModes: [.v6]
)
