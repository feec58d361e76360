/// The tool's version, recorded on every run and audit entry and sent to plugins in the
/// handshake. In ExhibitKit so the engine and the plugin host name one version.
public enum ExhibitVersion {
    /// The version of this build.
    public static let current = "0.1.0"
}
