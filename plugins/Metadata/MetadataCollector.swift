import Foundation
import ExhibitKit

/// Gathers what the container parsers find in one file: entries, indicators and warnings.
///
/// One instance per file and per call (not shared across tasks). It caps the number of entries
/// so a hostile file with millions of tiny tags cannot exhaust memory; the cap is reported once.
final class MetadataCollector {
    private(set) var entries: [MetadataEntry] = []
    private(set) var indicators: [Indicator] = []
    private(set) var warnings: [AnalysisWarning] = []
    /// The examiner's declared zone for naive camera times (`nil` → basis `unknown`).
    let zone: TimeZone?
    /// Most entries kept per file.
    static let entryLimit = 50_000
    /// Most warnings kept per file (a fuzzed file can be wrong everywhere).
    static let warningLimit = 200
    private var entryLimitReported = false
    /// Added to every offset recorded: set while a parser reads one box loaded on its own from a
    /// large file (its bytes start at this file offset).
    var offsetShift = 0

    init(zone: TimeZone?) { self.zone = zone }

    /// Records one value. `offset` is the absolute byte offset in the file; `path` the structure.
    func add(_ namespace: MetadataNamespace, _ tag: String, _ value: String, offset: Int?, path: String,
             raw: Data? = nil, encoding: String? = nil, time: TimeValue? = nil) {
        guard entries.count < Self.entryLimit else {
            if !entryLimitReported {
                entryLimitReported = true
                warn("too-many-entries", "more than \(Self.entryLimit) metadata values; the rest were not recorded",
                     offset: offset, path: path)
            }
            return
        }
        var kept = raw
        if let r = raw, r.count > MetadataEntry.rawByteLimit { kept = r.prefix(MetadataEntry.rawByteLimit) }
        entries.append(MetadataEntry(namespace: namespace, tag: tag, value: value, rawBytes: kept, encoding: encoding,
                                     time: time, location: SourceLocation(offset: offset.map { Int64($0 + offsetShift) }, record: path)))
    }

    /// Records a text value decoded from bytes, keeping the bytes when they are not ASCII.
    func addText<C: Collection>(_ namespace: MetadataNamespace, _ tag: String, bytes: C, offset: Int?, path: String,
                                time: TimeValue? = nil) where C.Element == UInt8 {
        let d = MetadataText.decode(bytes)
        add(namespace, tag, d.text, offset: offset, path: path, raw: d.raw, encoding: d.encoding, time: time)
    }

    /// Records a problem that did not stop the parse: what was wrong, and what was kept.
    func warn(_ code: String, _ message: String, offset: Int? = nil, path: String? = nil) {
        guard warnings.count < Self.warningLimit else { return }
        warnings.append(AnalysisWarning(code: code, message: message,
                                        location: SourceLocation(offset: offset.map { Int64($0 + offsetShift) }, record: path)))
    }

    /// Records an indicator and its `ai` namespace entry (clock discrepancies have no `ai` entry).
    func indicate(_ indicator: Indicator, aiTag: String? = nil, aiValue: String? = nil) {
        indicators.append(indicator)
        if let aiTag {
            add(.ai, aiTag, aiValue ?? indicator.summary, offset: indicator.location.offset.map { Int($0) },
                path: indicator.location.record ?? indicator.evidenceTag)
        }
    }

    /// The first entry with this namespace and tag.
    func first(_ namespace: MetadataNamespace, _ tag: String) -> MetadataEntry? {
        entries.first { $0.namespace == namespace && $0.tag == tag }
    }

    /// Replaces the time of every entry matching `predicate`.
    func setTime(where predicate: (MetadataEntry) -> Bool, _ time: (MetadataEntry) -> TimeValue?) {
        for i in entries.indices where predicate(entries[i]) { entries[i].time = time(entries[i]) }
    }

    /// Rewrites the value of every entry matching `predicate`.
    func update(where predicate: (MetadataEntry) -> Bool, _ value: (MetadataEntry) -> String) {
        for i in entries.indices where predicate(entries[i]) { entries[i].value = value(entries[i]) }
    }

    /// Hands everything over in the order found: entries, then indicators, then warnings.
    func report(into sink: any FindingSink) {
        entries.forEach { sink.emit(.metadata($0)) }
        indicators.forEach { sink.emit(.indicator($0)) }
        warnings.forEach(sink.warn)
    }
}
