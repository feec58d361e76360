import ExhibitKit
import Foundation

/// Correlations across findings: contents grouped by perceptual hash (re-encoded copies of one
/// picture are one content), and the clock check "taken after it was first sent".
///
/// Memory grows with the number of distinct pictures, never with messages or events: one PDQ
/// hash per SHA-256, one earliest sent time per SHA-256, one taken time per SHA-256.
struct MediaCorrelation {
    /// PDQ's usual match threshold (out of 256 bits).
    static let pdqThreshold = 31
    /// Hashes below this quality (flat images) are near to everything: left out of grouping.
    static let minimumQuality = 50

    private var hashes: [String: [UInt64]] = [:]
    private var taken: [String: (time: TimeValue, fileID: Int64, path: String)] = [:]
    private var firstSent: [String: Int64] = [:]
    /// SHA-256 → the picture's turned/flipped hashes: a rotated copy of B has a variant near B.
    private var variants: [String: [[UInt64]]] = [:]

    mutating func add(_ h: CaseImageHash) {
        guard let sha = h.file.sha256, h.quality >= Self.minimumQuality, hashes[sha] == nil,
              let bits = Self.bits(h.hash) else { return }
        hashes[sha] = bits
        variants[sha] = h.variants.compactMap(Self.bits)
    }

    mutating func add(takenTime m: CaseMetadataTime) {
        guard let sha = m.file.sha256, let us = m.time.utcMicros else { return }
        if let old = taken[sha], let o = old.time.utcMicros, (o, old.path) <= (us, m.file.path) { return }
        taken[sha] = (m.time, m.file.id, m.file.path)
    }

    mutating func add(_ a: CaseAttachment) {
        guard let us = a.sent?.utcMicros else { return }
        firstSent[a.sha256] = min(firstSent[a.sha256] ?? .max, us)
    }

    /// SHA-256 → cluster key for contents whose component holds at least two SHA-256s. The
    /// components of the "distance ≤ threshold" graph do not depend on reading order, and the
    /// key (`pdq:` + smallest SHA-256 in the component) does not either.
    func clusters() -> [String: String] {
        let shas = hashes.keys.sorted()
        let bits = shas.map { hashes[$0] ?? [] }
        let turned = shas.map { variants[$0] ?? [] }
        // An edge when the two hashes are near, or one picture turned or flipped is near the
        // other (both directions, so the graph stays symmetric whatever the reading order).
        func near(_ i: Int, _ j: Int) -> Bool {
            if Self.distance(bits[i], bits[j]) <= Self.pdqThreshold { return true }
            return turned[i].contains { Self.distance($0, bits[j]) <= Self.pdqThreshold }
                || turned[j].contains { Self.distance($0, bits[i]) <= Self.pdqThreshold }
        }
        var parent = Array(shas.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        // All pairs: fine for the tens of thousands of pictures of a phone; a BK-tree or
        // multi-index hashing would be the next step for millions.
        for i in bits.indices {
            for j in (i + 1)..<bits.count where near(i, j) {
                let a = root(i), b = root(j)
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var members: [Int: [Int]] = [:]
        for i in shas.indices { members[root(i), default: []].append(i) }
        var out: [String: String] = [:]
        for group in members.values where group.count > 1 {
            let key = "pdq:" + (group.map { shas[$0] }.min() ?? "")
            for i in group { out[shas[i]] = key }
        }
        return out
    }

    /// `clock.discrepancy` events for pictures taken (by their own clock) more than the
    /// tolerance after the same content (same SHA-256 or PDQ cluster) was first sent in a chat.
    func takenAfterSentEvents(clusters: [String: String]) -> [TimelineEvent] {
        var firstByGroup: [String: Int64] = [:]
        for (sha, us) in firstSent {
            let g = clusters[sha] ?? sha
            firstByGroup[g] = min(firstByGroup[g] ?? .max, us)
        }
        let tolerance = Indicator.clockTolerance * 1_000_000
        var out: [TimelineEvent] = []
        for sha in taken.keys.sorted() {
            guard let t = taken[sha], let us = t.time.utcMicros, let sent = firstByGroup[clusters[sha] ?? sha],
                  us > sent + tolerance else { continue }
            let minutes = (us - sent) / 60_000_000
            out.append(TimelineEvent(
                time: t.time, kind: "clock.discrepancy",
                description: "\(t.path): photo taken \(UTCFormat.string(micros: us)) (\(t.time.basis.rawValue)) but the same picture was first sent \(UTCFormat.string(micros: sent)), \(minutes) min earlier: a clock is wrong",
                source: "timeline", fileID: t.fileID,
                provenance: ["table": .string("correlation"), "check": .string("taken-after-first-sent"),
                             "group": .string(clusters[sha] ?? "sha256"), "first_sent_utc": .string(UTCFormat.string(micros: sent))]))
        }
        return out
    }

    /// 64 hex digits → four 64-bit words, or `nil`.
    static func bits(_ hex: String) -> [UInt64]? {
        let chars = Array(hex.utf8)
        guard chars.count == 64 else { return nil }
        var out: [UInt64] = []
        for w in 0..<4 {
            guard let v = UInt64(String(decoding: chars[(w * 16)..<(w * 16 + 16)], as: UTF8.self), radix: 16) else { return nil }
            out.append(v)
        }
        return out
    }

    static func distance(_ a: [UInt64], _ b: [UInt64]) -> Int {
        var d = 0
        for i in 0..<min(a.count, b.count) { d += (a[i] ^ b[i]).nonzeroBitCount }
        return d
    }
}
