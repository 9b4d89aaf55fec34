import YAMLStream

/// A translation csi-translation-lib refuses; `message` is upstream's error text, verbatim.
public struct TranslationError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// The in-memory translation Kubernetes applies to in-tree Azure volumes when CSI migration is on
/// (csi-translation-lib, plugins/azure_disk.go and azure_file.go), made visible. Every function
/// works on the whole object as read, so that everything it does not rewrite is carried over.
public enum Translator {
  /// `TranslateInTreePVToCSI` for a PV with `spec.azureDisk` or `spec.azureFile`.
  public static func translatePersistentVolume(_ object: YAMLValue) -> Result<YAMLValue, TranslationError> {
    .failure(TranslationError("not implemented"))
  }

  /// `TranslateInTreeInlineVolumeToCSI`: the PV Kubernetes builds in memory for an inline
  /// `azureDisk` / `azureFile` pod volume. `volume` is the pod volume (with `name`).
  public static func translateInlineVolume(_ volume: YAMLValue, podNamespace: String) -> Result<YAMLValue, TranslationError> {
    .failure(TranslationError("not implemented"))
  }

  /// `TranslateInTreeStorageClassToCSI`. When `asNewObject` is true the result is meant to be
  /// created as a new class, so its provisioner becomes the CSI driver's name (upstream leaves
  /// the provisioner alone because it only translates in memory).
  public static func translateStorageClass(_ object: YAMLValue, asNewObject: Bool) -> Result<YAMLValue, TranslationError> {
    .failure(TranslationError("not implemented"))
  }
}
