import ExhibitKit
import Foundation

/// The case timeline builder: one `events` row per time-bearing finding of the case — archive
/// times, messages sent and edited, service actions, EXIF/QuickTime/PDF/Office dates, GPS fixes,
/// clock discrepancies, external plugins' named artifact times, hash-set matches — each with the
/// time exactly as its source gave it (raw, basis, precision, note) and provenance.
///
/// It copies times, it never re-derives them: the instant and its basis are the finding's. A
/// change of the case zone recomputes the findings first and then rebuilds the events
/// (`exhibit case set-tz`). Streams the reader and emits as it goes, holding only the small
/// sets needed to avoid duplicate hash-set events. Event kinds: docs/timeline.md.
public struct TimelineAnalyzer: CaseAnalyzer {
    /// Creates the builder.
    public init() {}

    /// `timeline`, version 1.1 (1.1: zero archive times are not events).
    public var descriptor: AnalyzerDescriptor {
        AnalyzerDescriptor(
            id: "timeline", version: "1.1",
            summary: "Case timeline: archive times, messages, service actions, photo/document dates, GPS, clock checks, plugin times, known media",
            // A case analyzer emits ``CaseFinding``s (events, media clusters), no per-file findings.
            accepts: Acceptance(needsContent: false), produces: [])
    }

    /// Streams the case's findings and emits one event per time (see the type's comment).
    public func analyze(case reader: any CaseReader, context: AnalysisContext, emit: (CaseFinding) throws -> Void) throws {
        try build(reader, send: { try emit(.event($0)) }, emitCluster: { try emit(.mediaCluster($0)) })
    }

    /// The builder proper, over a plain event sink.
    private func build(_ reader: any CaseReader, send: (TimelineEvent) throws -> Void,
                       emitCluster: (MediaCluster) throws -> Void) throws {
        // A zero archive time (1970-01-01T00:00:00Z: libarchive's value for a field the archive
        // does not hold, e.g. a zip read without its central directory) is kept in file_times as
        // found, but it is not an event: it would head the timeline, the report and every export.
        try reader.forEachFileTime { t in
            guard t.time.utcMicros != 0 else { return }
            try send(EventMapping.fileEvent(t))
        }
        var parts = EventMapping.MessageParts()
        try reader.forEachMessage { message in try EventMapping.messageEvents(message, parts: &parts, send) }
        var correlation = MediaCorrelation()
        try reader.forEachMetadataTime { m in
            let event = EventMapping.metadataEvent(m)
            if event.kind == "photo.taken" { correlation.add(takenTime: m) }
            try send(event)
        }
        try reader.forEachIndicator { indicator in
            if let event = EventMapping.indicatorEvent(indicator) { try send(event) }
        }
        try reader.forEachArtifactTime { try send(EventMapping.artifactEvent($0)) }
        try emitKnownMedia(reader, send)
        try reader.forEachAttachment { correlation.add($0) }
        try reader.forEachImageHash { correlation.add($0) }
        let clusters = correlation.clusters()
        for sha in clusters.keys.sorted() {
            try emitCluster(MediaCluster(sha256: sha, cluster: clusters[sha] ?? sha, method: "pdq",
                                         threshold: MediaCorrelation.pdqThreshold))
        }
        for event in correlation.takenAfterSentEvents(clusters: clusters) { try send(event) }
    }

    /// One `media.known` event per carrying message and hash-set entry, else per matched file.
    /// A content carried by one message but stored as three file copies is one event, not three.
    private func emitKnownMedia(_ reader: any CaseReader, _ send: (TimelineEvent) throws -> Void) throws {
        var seen = Set<String>()
        try reader.forEachHashSetMatch { match in
            let what = "\(match.hashset)|\(match.category ?? "")|\(match.label ?? "")|\(match.algorithm)"
            let key = match.messageID.map { "m\($0)|\(what)" } ?? "f\(match.file.id)|\(what)"
            guard seen.insert(key).inserted else { return }
            try send(EventMapping.knownMediaEvent(match))
        }
    }
}
