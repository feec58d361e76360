import Foundation

/// Content-type detection outside a walk (the plugin conformance tester types its fixtures the
/// way intake types evidence entries).
public enum MIMEProbe {
    /// The MIME type libmagic gives the first MiB of `data`, as intake would report it.
    public static func mime(of data: Data) throws -> String {
        let detector = try MagicDetector()
        let head = data.prefix(MagicDetector.sniffBytes)
        return head.withUnsafeBytes { detector.mime(of: $0, complete: head.count == data.count) } ?? "application/octet-stream"
    }
}
