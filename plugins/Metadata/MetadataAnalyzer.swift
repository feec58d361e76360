import Foundation
import ExhibitKit

/// Reads photo, video and document metadata — EXIF/GPS/XMP from JPEG, TIFF, PNG, WebP and
/// HEIC/HEIF, QuickTime/MP4 headers and user data, PDF Info/XMP, OOXML and ODF properties — into ``MetadataEntry`` findings with
/// ExifTool's tag names, plus ``Indicator``s for AI generation and camera-vs-GPS clock skew.
///
/// The container is chosen from the content (magic bytes), never from the name. Every parser is
/// bounded by the bytes that exist; damage becomes warnings alongside what was read.
public struct MetadataAnalyzer: Analyzer {
    /// The analyzer id recorded on every finding.
    public static let id = "metadata"
    /// Files larger than this are not read whole (images this large are refused with a warning).
    public static let readLimit = 512 << 20
    /// ISO BMFF files (videos) larger than this are walked box by box from a file handle and only
    /// their metadata boxes are loaded, so memory stays bounded for multi-gigabyte videos.
    public static let wholeFileLimit = 64 << 20

    /// Creates the analyzer (stateless: one instance serves concurrent calls).
    public init() {}

    /// Accepts images, videos, PDFs and office packages by MIME type, and sniffs the rest.
    public var descriptor: AnalyzerDescriptor {
        AnalyzerDescriptor(
            id: Self.id, version: "0.2.0",
            summary: "EXIF, GPS, XMP and QuickTime metadata with ExifTool's tag names; AI-generation and clock indicators",
            accepts: Acceptance(mimeTypes: ["image/*", "video/*", "audio/mp4", "application/pdf", "application/zip",
                                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                                            "application/vnd.oasis.opendocument.text",
                                            "application/vnd.oasis.opendocument.spreadsheet",
                                            "application/vnd.oasis.opendocument.presentation"],
                                sniff: true),
            produces: [.metadata, .indicator],
            timeoutSeconds: 600)
    }

    /// Says yes to files whose first bytes are one of the supported containers.
    public func sniff(prefix: Data, file: EvidenceFile) -> Bool {
        Container.detect([UInt8](prefix.prefix(64))) != nil
    }

    /// Reads the file's metadata; files that are not a supported container give no findings.
    /// Throws only when a large video's bytes cannot be read at all.
    public func analyze(_ file: EvidenceFile, context: AnalysisContext, into sink: any FindingSink) throws {
        let prefix = [UInt8](file.prefix(64))
        guard let container = Container.detect(prefix) else { return }
        if container == .bmff, file.size > Int64(Self.wholeFileLimit) {
            let out = MetadataCollector(zone: context.assumedZone)
            try LargeBMFF.read(file, temporaryDirectory: context.temporaryDirectory, into: out)
            Self.derive(out)
            return out.report(into: sink)
        }
        let data: Data
        do { data = try file.readAll(limit: Self.readLimit) } catch {
            return sink.warn(AnalysisWarning(code: "too-large", message: "\(error); metadata not read"))
        }
        Self.extract([UInt8](data), container: container, zone: context.assumedZone).report(into: sink)
    }

    /// Parses bytes already in memory, for benchmarks and fuzzing. `parser` forces one parser
    /// (`jpeg`, `tiff`, `png`, `webp`, `bmff`, `xmp`) whatever the bytes look like; `nil` detects
    /// the container from the magic bytes and returns nothing for other files.
    public static func findings(in bytes: [UInt8], zone: TimeZone?, parser: String? = nil) -> FindingCollector {
        let sink = FindingCollector()
        if parser == "xmp" {
            let out = MetadataCollector(zone: zone)
            XMPParser.parse(bytes, offset: 0, path: "XMP", into: out)
            derive(out)
            out.report(into: sink)
            return sink
        }
        guard let container = parser.flatMap(Container.init(rawValue:)) ?? Container.detect(Array(bytes.prefix(64))) else { return sink }
        extract(bytes, container: container, zone: zone).report(into: sink)
        return sink
    }

    /// Parses bytes already in memory (tests and benchmarks call this directly).
    static func extract(_ bytes: [UInt8], container: Container, zone: TimeZone?) -> MetadataCollector {
        let out = MetadataCollector(zone: zone)
        let view = ByteView(bytes)
        switch container {
        case .jpeg: JPEGParser(view: view, out: out).parse()
        case .tiff: TIFFParser(view: view, start: 0, end: bytes.count, container: "TIFF", out: out).parse()
        case .png: PNGParser(view: view, out: out).parse()
        case .webp: WebPParser(view: view, out: out).parse()
        case .bmff: BMFFParser(view: view, out: out).parse()
        case .pdf: PDFParser(view: view, out: out).parse()
        case .zip: OfficeParser(bytes: bytes, out: out).parse()
        }
        derive(out)
        return out
    }

    /// The values computed once every tag is known: Composite GPS and times, then indicators.
    static func derive(_ out: MetadataCollector) {
        ExifDerived.apply(to: out)
        AIIndicators.apply(to: out)
        ExifDerived.clockDiscrepancy(out)
    }
}

/// The container formats, told apart by magic bytes.
enum Container: String, Sendable {
    case jpeg, tiff, png, webp, bmff, pdf
    /// A zip: read only when it is an OOXML or ODF package.
    case zip

    static func detect(_ p: [UInt8]) -> Container? {
        let v = ByteView(p)
        if v.matches(0, [0xff, 0xd8, 0xff]) { return .jpeg }
        if v.matches(0, PNGParser.signature) { return .png }
        if v.matches(0, [0x49, 0x49, 0x2a, 0x00]) || v.matches(0, [0x4d, 0x4d, 0x00, 0x2a]) { return .tiff }
        if v.matches(0, Array("RIFF".utf8)), v.matches(8, Array("WEBP".utf8)) { return .webp }
        if v.matches(0, Array("%PDF-".utf8)) { return .pdf }
        if v.matches(0, [0x50, 0x4b, 0x03, 0x04]) { return .zip }
        if let t = v.fourCC(4), ["ftyp", "moov", "mdat", "wide", "free", "skip", "pnot"].contains(t) { return .bmff }
        return nil
    }
}
