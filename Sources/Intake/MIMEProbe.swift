import Foundation

/// Content-type detection outside a walk (the plugin conformance tester types its fixtures the
/// way intake types evidence entries). Loading libmagic's database is the costly part: make one
/// probe and ask it about every file. Not thread-safe (libmagic handles are not).
public final class MIMEProbe {
    private let detector: MagicDetector

    /// Loads libmagic's database once.
    public init() throws { detector = try MagicDetector() }

    /// The MIME type libmagic gives the first MiB of `data`, as intake would report it.
    public func mime(of data: Data) -> String {
        let head = data.prefix(MagicDetector.sniffBytes)
        return head.withUnsafeBytes { detector.mime(of: $0, complete: head.count == data.count) } ?? "application/octet-stream"
    }
}
