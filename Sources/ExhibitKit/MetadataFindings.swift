import Foundation

// Metadata findings: the typed values the metadata analyzer reports (EXIF, GPS, XMP, QuickTime,
// document properties) and the AI-generation / clock indicators derived from them. The store
// persists them into `metadata` and `indicators`.

/// The family a metadata value belongs to. Stored in `metadata.namespace`.
public enum MetadataNamespace: String, Sendable, Hashable, Codable, CaseIterable {
    /// TIFF/EXIF IFD0, ExifIFD, InteropIFD and IFD1 tags.
    case exif
    /// The EXIF GPS IFD, QuickTime ISO 6709 locations, and derived signed coordinates.
    case gps
    /// XMP properties, tag written as `prefix:Property` (`xmpMM:History`).
    case xmp
    /// IPTC-IIM (Photoshop APP13) datasets.
    case iptc
    /// QuickTime/MP4 movie, track and media headers, user data and Apple `mdta` keys.
    case quicktime
    /// PDF Info dictionary.
    case pdf
    /// Office Open XML `docProps/core.xml` and `app.xml`.
    case ooxml
    /// OpenDocument `meta.xml`.
    case odf
    /// PNG chunks and text keywords (`parameters`, `prompt`, `workflow`).
    case png
    /// FLIR thermal-camera records (JPEG APP1 `FLIR` segments, FFF `CameraInfo`).
    case flir
    /// AI-generation signals found in any of the above (one entry per ``Indicator``).
    case ai
    /// Facts about the container itself (image size, brand, comment).
    case file
}

/// One metadata value read from a file. Stored in `metadata`.
///
/// ``tag`` is ExifTool's tag name where one exists (`DateTimeOriginal`, `GPSLatitude`), so the
/// value can be checked against `exiftool -n -G1`; ``value`` is printed as `exiftool -n` prints it
/// (rationals as decimals, lists separated by spaces). `GPSLatitude`/`GPSLongitude` in namespace
/// `gps` are signed decimal degrees, like ExifTool's Composite tags; the `…Ref` tags are kept too.
public struct MetadataEntry: Sendable, Hashable, Codable {
    public var namespace: MetadataNamespace
    public var tag: String
    /// The value as text (numbers as `exiftool -n`; binary data as `(Binary data N bytes)`).
    public var value: String
    /// The bytes as stored, when ``value`` is not a faithful ASCII copy of them (non-ASCII
    /// strings, binary blobs such as MakerNotes, capped at ``MetadataEntry/rawByteLimit``).
    public var rawBytes: Data?
    /// How ``value`` was decoded from ``rawBytes`` (`utf-8`, `latin-1 (guessed)`, `utf-16be`).
    public var encoding: String?
    /// The instant when the value is a date, with its basis (`offset`, `utc`, `assumed-zone`).
    public var time: TimeValue?
    /// Byte offset of the value in the file, and its structural path (`APP1/IFD0/0x010f`, `moov/mvhd`).
    public var location: SourceLocation

    /// Most bytes kept in ``rawBytes`` for one entry.
    public static let rawByteLimit = 1 << 20

    /// Creates an entry; ``rawBytes`` and ``encoding`` only when the value is not plain ASCII.
    public init(namespace: MetadataNamespace, tag: String, value: String, rawBytes: Data? = nil,
                encoding: String? = nil, time: TimeValue? = nil, location: SourceLocation) {
        self.namespace = namespace; self.tag = tag; self.value = value; self.rawBytes = rawBytes
        self.encoding = encoding; self.time = time; self.location = location
    }
}

/// What an ``Indicator`` says. Stored in `indicators.kind`.
public enum IndicatorKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A C2PA manifest store (JUMBF `c2pa`: JPEG APP11, PNG `caBX`, BMFF `uuid`).
    case c2paManifest = "c2pa-manifest"
    /// IPTC DigitalSourceType `trainedAlgorithmicMedia` or `compositeWithTrainedAlgorithmicMedia`.
    case iptcTrainedAlgorithmicMedia = "iptc-trained-algorithmic-media"
    /// A PNG text chunk `parameters` as written by Stable Diffusion WebUI.
    case sdParameters = "sd-parameters"
    /// PNG text chunks `prompt`/`workflow` holding ComfyUI JSON.
    case comfyUIWorkflow = "comfyui-workflow"
    /// Software, CreatorTool, Creator or a claim generator naming an image generator.
    case generatorSoftware = "generator-software"
    /// The camera clock and the GPS clock disagree by more than ``Indicator/clockTolerance`` seconds.
    case clockDiscrepancy = "clock-discrepancy"
}

/// A derived signal about a file (AI generation, a wrong camera clock), with the evidence for it.
/// Stored in `indicators`; the metadata entry it rests on is named by ``evidenceTag``.
public struct Indicator: Sendable, Hashable, Codable {
    public var kind: IndicatorKind
    /// One sentence for the examiner.
    public var summary: String
    /// The tag, chunk or box the signal rests on (`png:parameters`, `APP11 JUMBF c2pa`,
    /// `Iptc4xmpExt:DigitalSourceType`, `DateTimeOriginal vs GPSDateTime`).
    public var evidenceTag: String
    /// Where that evidence sits in the file.
    public var location: SourceLocation
    /// Kind-specific details (the matched generator name, the claim generator, both times).
    public var details: JSONValue
    /// Named times the indicator compares (`camera`, `gps`), so the timeline can show both.
    public var times: [String: TimeValue]

    /// Camera-vs-GPS differences up to this many seconds are ordinary (fix latency, rounding).
    public static let clockTolerance: Int64 = 300

    /// Creates an indicator with the evidence it rests on.
    public init(kind: IndicatorKind, summary: String, evidenceTag: String, location: SourceLocation,
                details: JSONValue = .object([:]), times: [String: TimeValue] = [:]) {
        self.kind = kind; self.summary = summary; self.evidenceTag = evidenceTag; self.location = location
        self.details = details; self.times = times
    }
}

extension MetadataEntry: WireSendable {
    public static let wireForm = WireForm(
        "metadata", mirror: "Metadata", summary: "one metadata value. Stored in `metadata`.",
        fields: [
            WireField("namespace", .string, required: true, example: #""exif""#,
                      "one of " + MetadataNamespace.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")),
            WireField("tag", .string, required: true, example: #""Model""#),
            WireField("value", .string, example: #""X""#, helper: HelperParameter(positional: true), "text"),
            WireField("time", .time, "when the value is a date"),
            WireField("location", .location),
        ])

    public static func finding(wire d: WireRecord, state: inout WireReplyState) throws -> Finding {
        let ns = try d.requiredString("namespace")
        guard let namespace = MetadataNamespace(rawValue: ns) else {
            throw WireInvalid("metadata.namespace \"\(ns)\" is not one of \(MetadataNamespace.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return .metadata(MetadataEntry(namespace: namespace, tag: try d.requiredString("tag"), value: try d.string("value") ?? "",
                                       time: try d.time("time", zone: state.zone), location: try d.location() ?? SourceLocation()))
    }
}

extension Indicator: WireSendable {
    public static let wireForm = WireForm(
        "indicator", mirror: "Indicator", summary: "a derived signal. Stored in `indicators`.",
        fields: [
            WireField("kind", .string, required: true, example: #""generator-software""#,
                      "one of " + IndicatorKind.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")),
            WireField("summary", .string, required: true, example: #""s""#),
            WireField("evidenceTag", .string, required: true, example: #""Software""#),
            WireField("details", .object), WireField("times", .times, "named times"), WireField("location", .location),
        ])

    public static func finding(wire d: WireRecord, state: inout WireReplyState) throws -> Finding {
        let k = try d.requiredString("kind")
        guard let ik = IndicatorKind(rawValue: k) else {
            throw WireInvalid("indicator.kind \"\(k)\" is not one of \(IndicatorKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return .indicator(Indicator(kind: ik, summary: try d.requiredString("summary"), evidenceTag: try d.requiredString("evidence_tag"),
                                    location: try d.location() ?? SourceLocation(), details: try d.json("details") ?? .object([:]),
                                    times: try d.times("times", zone: state.zone)))
    }
}
