import ExhibitKit
import Foundation
import Intake
import MediaHash

/// Settings of the built-in analyzers an examiner may change on the command line. The engine,
/// not the CLI, knows which analyzer each one configures (the CLI never names an analyzer type).
public struct BuiltinSettings: Sendable, Equatable {
    /// The media hasher's default video sampling rate (frames hashed per second, vPDQ).
    public static let defaultVideoFramesPerSecond = MediaHashAnalyzer.defaultFramesPerSecond

    /// Video frames hashed per second by the `media-hash` analyzer (its version records the rate).
    public var videoFramesPerSecond: Double

    /// Settings; every value defaults to the built-in analyzers' own default.
    public init(videoFramesPerSecond: Double = BuiltinSettings.defaultVideoFramesPerSecond) {
        self.videoFramesPerSecond = videoFramesPerSecond
    }
}

extension AnalyzerCatalog {
    /// This catalog with its built-in analyzers configured by `settings`: a built-in whose
    /// setting differs from its default is replaced by one made with that setting, in the same
    /// place; every other analyzer (external plugins, test analyzers) is kept as it is.
    public func configured(_ settings: BuiltinSettings) -> AnalyzerCatalog {
        guard settings != BuiltinSettings() else { return self }
        var out = self
        out.fileAnalyzers = fileAnalyzers.map { a in
            a is MediaHashAnalyzer ? MediaHashAnalyzer(framesPerSecond: settings.videoFramesPerSecond) : a
        }
        return out
    }
}

/// The hashes a picture file is looked up by, computed as ingest computes them: used by
/// `exhibit lab spread` to find a picture given as a file.
public enum PictureFingerprint {
    /// The file's SHA-256 and, for a still picture the media hasher can read with quality ≥ 50,
    /// its PDQ hash followed by its variants (turned/flipped, by variant name); `[]` otherwise.
    public static func of(path: String) throws -> (sha256: String, pdq: [String]) {
        let sha = try IntakeWalker.hashFile(atPath: path).hashes.sha256
        guard let data = FileManager.default.contents(atPath: path), data.count <= MediaHashAnalyzer.readLimit,
              let format = MediaFormat.detect([UInt8](data.prefix(32))), !format.isVideo else { return (sha, []) }
        let findings = data.withUnsafeBytes { MediaHashAnalyzer.image($0, format: format, limits: MediaHashAnalyzer.defaultLimits).findings }
        for case .mediaHash(let m) in findings where m.quality >= 50 {
            return (sha, [m.hash] + m.variants.keys.sorted().compactMap { m.variants[$0] })
        }
        return (sha, [])
    }
}
