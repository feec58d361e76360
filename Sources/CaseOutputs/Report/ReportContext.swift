import EvidenceStore
import ExhibitKit
import Foundation

/// The reviewer's work product a report can include: the tags and notes of `exhibit serve`'s
/// review database and the state of its hash-chained log.
public struct ReportReview: Sendable {
    /// The review database read.
    public var path: String
    /// Every tag and note.
    public var tags: [ReviewTag], notes: [ReviewNote]
    /// Entries of the review log, the hash of the last one, and the first entry that does not
    /// verify (`nil` when the chain holds).
    public var logEntries: Int, logHead: String?, logBrokenAt: Int64?

    /// A selection given directly (tests, other front ends).
    public init(path: String, tags: [ReviewTag], notes: [ReviewNote], logEntries: Int = 0, logHead: String? = nil, logBrokenAt: Int64? = nil) {
        self.path = path; self.tags = tags; self.notes = notes
        self.logEntries = logEntries; self.logHead = logHead; self.logBrokenAt = logBrokenAt
    }

    /// Reads a review database (never creates one: the caller checks that the file exists).
    public static func read(path: String) throws -> ReportReview {
        let review = try ReviewDatabase(path: path)
        var entries = 0, head: String?, after: Int64 = 0
        while true {
            let page = try review.log(afterSeq: after, limit: 1000)
            guard let last = page.last else { break }
            entries += page.count; head = last.hash; after = last.seq
        }
        return ReportReview(path: path, tags: try review.tags(), notes: try review.notes(), logEntries: entries, logHead: head,
                            logBrokenAt: try review.verifyLog())
    }

    /// Ids of one kind of target that carry at least one tag, as integers (row ids).
    func ids(_ target: ReviewTargetKind) -> Set<Int64> { Set(tags.filter { $0.target == target }.compactMap { Int64($0.targetID) }) }
    /// Tags of one target, sorted.
    func tagList(_ target: ReviewTargetKind, _ id: String) -> [String] {
        tags.filter { $0.target == target && $0.targetID == id }.map(\.tag).sorted()
    }
    /// Notes of one target.
    func noteList(_ target: ReviewTargetKind, _ id: String) -> [ReviewNote] {
        notes.filter { $0.target == target && $0.targetID == id }
    }
    /// Whether anything is tagged.
    var isEmpty: Bool { tags.isEmpty }
}

/// One chat's part of the transcripts: the messages around the ones in focus (tagged by the
/// reviewer, or carrying a known-bad picture).
struct ReportThread: Sendable {
    var chatID: Int64
    var focus: Set<Int64>
    var messages: [ThreadMessage]
}

/// What the report reads through the store's public queries before it opens its one read
/// transaction (those queries open their own, which cannot nest).
struct ReportContext: Sendable {
    var zone: TimeZone?
    var spreads: [MediaSpread]
    var knownBad: Set<String>
    var threads: [ReportThread]
    var digest: String
    var chain: AuditChainReport
    /// Focus messages left out because of `ReportOptions.transcriptLimit`.
    var threadsCut: Int

    /// Reads the zone, the known-bad groups (as `exhibit spread --known`), and the transcript
    /// windows: `window` messages before and after each focus message, windows of a chat merged.
    static func load(_ store: EvidenceDatabase, _ options: ReportOptions) throws -> ReportContext {
        // `--tz` (displayClock) overrides the case's declared zone; `--tz UTC` gives UTC alone.
        let declared = try store.caseInfo()?.assumedZone.flatMap(TimeZone.init(identifier:))
        let zone = options.displayClock.map { $0.zone } ?? declared
        let spreads = try store.knownMediaSpread()
        var focus = options.review?.ids(.message) ?? []
        if !options.taggedOnly { for s in spreads { for m in s.messages { if let id = m.messageID { focus.insert(id) } } } }
        let ordered = focus.sorted()
        var byChat: [Int64: (focus: Set<Int64>, messages: [Int: ThreadMessage])] = [:]
        let w = max(0, options.transcriptWindow)
        for id in ordered.prefix(max(0, options.transcriptLimit)) {
            guard let p = try store.messagePosition(messageID: id) else { continue }
            var entry = byChat[p.chatID] ?? ([], [:])
            entry.focus.insert(id)
            for m in try store.threadPage(chatID: p.chatID, afterSequence: p.sequence - w - 1, limit: 2 * w + 1) {
                entry.messages[m.message.sequence] = m
            }
            byChat[p.chatID] = entry
        }
        let threads = byChat.keys.sorted().compactMap { id -> ReportThread? in
            guard let e = byChat[id] else { return nil }
            return ReportThread(chatID: id, focus: e.focus, messages: e.messages.keys.sorted().compactMap { e.messages[$0] })
        }
        return ReportContext(zone: zone, spreads: spreads, knownBad: Set(spreads.flatMap { $0.members + [$0.sha256] }),
                             threads: threads, digest: try store.digest(), chain: try store.verifyAuditChain(),
                             threadsCut: max(0, ordered.count - max(0, options.transcriptLimit)))
    }
}

extension ReportWriter {
    /// A time as the report prints it: the case zone's wall clock with UTC beside it (UTC alone
    /// when no zone was declared), never broken across lines, and — where the source did not
    /// record UTC — the basis and the raw value as found.
    func when(_ utc: String?, micros: Int64? = nil, basis: String? = nil, raw: String? = nil) -> String {
        let us = micros ?? utc.flatMap { UTCFormat.parseUserInstant($0)?.micros }
        var s = "<span class=\"when\">"
        if let us {
            let u = utc ?? UTCFormat.string(micros: us)
            if let zone = context.zone {
                s += "<span class=\"local\">\(ExportEscape.html(CaseZoneFormat.local(micros: us, zone: zone)))</span>"
                    + " <span class=\"utc\">UTC \(ExportEscape.html(u))</span>"
            } else {
                s += "<span class=\"local\">\(ExportEscape.html(u)) UTC</span>"
            }
        } else {
            s += "<span class=\"local muted\">no instant</span>"
        }
        if let basis, basis != "utc" {
            s += " <span class=\"basis\">\(ExportEscape.html(basis))\(raw.map { " · as found: “\(ExportEscape.html($0))”" } ?? "")</span>"
        }
        return s + "</span>"
    }

    /// The time zone sentence of the header.
    var zoneSentence: String {
        guard let zone = context.zone else {
            return "No time zone was declared for this case: times are shown in UTC."
        }
        return "Times are shown in the case's time zone, \(ExportEscape.html(zone.identifier)), with UTC beside them. "
            + "Where the source did not record a time in UTC, its basis (offset: the value carried its own offset; assumed-zone: "
            + "a local time read in the case's zone; unknown) and the value as found are given."
    }
}
