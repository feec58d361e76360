import EvidenceStore
import ExhibitKit
import Foundation

/// Thresholds for perceptual matching.
public struct MatchOptions: Sendable, Hashable {
    /// Largest Hamming distance that counts as a match (PDQ's recommended 31).
    public var maxDistance: Int
    /// Hashes (ours or the list's) below this quality are never matched.
    public var minQuality: Int
    /// Share of a known video's frames that must find a matching frame.
    public var videoFraction: Double
    /// The defaults are PDQ's recommended thresholds and vPDQ's 80 %.
    public init(maxDistance: Int = 31, minQuality: Int = 50, videoFraction: Double = 0.8) {
        self.maxDistance = maxDistance; self.minQuality = minQuality; self.videoFraction = videoFraction
    }
}

/// Recomputes every hash-set match from what the store holds (file digests, stored perceptual
/// hashes, imported entries): exact digests in SQL, PDQ through a ``PDQIndex``. Evidence is never
/// read again, so a list imported after ingest is matched by running this alone.
public enum PDQMatcher {
    /// Replaces all matches in `db`; with `auditAction`, the audit entry (options and counts) is
    /// written in the same transaction as the matches.
    public static func run(_ db: EvidenceDatabase, options: MatchOptions = MatchOptions(), auditAction: String? = nil) throws -> MatchCounts {
        // The list's entries, indexed once.
        var bits: [PDQBits] = [], entries: [PDQEntryRow] = []
        var framesPerVideo: [VideoKey: Int] = [:]
        try db.forEachPDQEntry { e in
            guard let b = PDQBits(hex: e.hash), (e.quality ?? 100) >= options.minQuality else { return }
            bits.append(b); entries.append(e)
            if e.algorithm == "pdq-frame" { framesPerVideo[VideoKey(set: e.hashSetID, media: e.mediaID ?? ""), default: 0] += 1 }
        }
        let index = PDQIndex(bits)
        var out: [PerceptualMatchInput] = []
        var video = VideoState()
        try db.forEachMediaHash { h in
            if h.fileID != video.fileID {
                out += video.finish(entries: entries, framesPerVideo: framesPerVideo, options: options)
                video = VideoState(fileID: h.fileID)
            }
            guard h.quality >= options.minQuality, let q = PDQBits(hex: h.hash) else { return }
            if h.algorithm == "pdq" {
                out += still(h, q, index: index, entries: entries, options: options)
            } else {
                video.add(h, hits: index.search(q, maxDistance: options.maxDistance), entries: entries)
            }
        }
        out += video.finish(entries: entries, framesPerVideo: framesPerVideo, options: options)
        let audit = auditAction.map { action in
            (action: action, options: JSONValue.object([
                "max_distance": .number(Double(options.maxDistance)), "min_quality": .number(Double(options.minQuality)),
                "video_fraction": .number(options.videoFraction),
            ]))
        }
        return try db.replaceMatches(perceptual: out, audit: audit)
    }

    /// A still against still entries, through its 8 variants; per entry the smallest distance
    /// (identity preferred on ties).
    static func still(_ h: MediaHashRow, _ q: PDQBits, index: PDQIndex, entries: [PDQEntryRow], options: MatchOptions) -> [PerceptualMatchInput] {
        var best: [Int: (distance: Int, variant: String)] = [:]
        var probes: [(String, PDQBits)] = [("identity", q)]
        for name in h.variants.keys.sorted() { if let b = h.variants[name].flatMap(PDQBits.init(hex:)) { probes.append((name, b)) } }
        for (name, b) in probes {
            for hit in index.search(b, maxDistance: options.maxDistance) where entries[hit.slot].algorithm == "pdq" {
                if let old = best[hit.slot], old.distance <= hit.distance { continue }
                best[hit.slot] = (hit.distance, name)
            }
        }
        return best.keys.sorted().compactMap { slot in
            guard let m = best[slot] else { return nil }
            let e = entries[slot]
            return PerceptualMatchInput(fileID: h.fileID, hashSetID: e.hashSetID, entryID: e.id, algorithm: "pdq", distance: m.distance,
                                        variant: m.variant, mediaHashID: h.id)
        }
    }

    struct VideoKey: Hashable { var set: Int64; var media: String }

    /// The frames of one evidence video, accumulated until its last frame.
    struct VideoState {
        var fileID: Int64 = -1
        /// Known-video frame slot → best distance from any of our frames.
        var frameHits: [Int: Int] = [:]
        /// Still entries seen in some frame: slot → (distance, our frame's media_hashes id).
        var stillHits: [Int: (Int, Int64)] = [:]

        init(fileID: Int64 = -1) { self.fileID = fileID }

        mutating func add(_ h: MediaHashRow, hits: [(slot: Int, distance: Int)], entries: [PDQEntryRow]) {
            for hit in hits {
                if entries[hit.slot].algorithm == "pdq-frame" {
                    frameHits[hit.slot] = min(frameHits[hit.slot] ?? Int.max, hit.distance)
                } else if (stillHits[hit.slot]?.0 ?? Int.max) > hit.distance {
                    stillHits[hit.slot] = (hit.distance, h.id)
                }
            }
        }

        /// A known video matches when at least `videoFraction` of its frames were found; a known
        /// still matches when some frame shows it.
        func finish(entries: [PDQEntryRow], framesPerVideo: [VideoKey: Int], options: MatchOptions) -> [PerceptualMatchInput] {
            guard fileID >= 0 else { return [] }
            var out: [PerceptualMatchInput] = []
            var perVideo: [VideoKey: (matched: Int, worst: Int, first: Int)] = [:]
            for (slot, d) in frameHits {
                let e = entries[slot]
                let key = VideoKey(set: e.hashSetID, media: e.mediaID ?? "")
                let old = perVideo[key] ?? (0, 0, slot)
                perVideo[key] = (old.matched + 1, max(old.worst, d), min(old.first, slot))
            }
            for key in perVideo.keys.sorted(by: { ($0.set, $0.media) < ($1.set, $1.media) }) {
                guard let v = perVideo[key], let known = framesPerVideo[key], known > 0,
                      Double(v.matched) >= options.videoFraction * Double(known) else { continue }
                let e = entries[v.first]
                out.append(PerceptualMatchInput(fileID: fileID, hashSetID: e.hashSetID, entryID: e.id, algorithm: "pdq-frame",
                                                distance: v.worst, variant: nil, mediaHashID: nil, framesMatched: v.matched,
                                                framesKnown: known))
            }
            for slot in stillHits.keys.sorted() {
                guard let (d, frame) = stillHits[slot] else { continue }
                let e = entries[slot]
                out.append(PerceptualMatchInput(fileID: fileID, hashSetID: e.hashSetID, entryID: e.id, algorithm: "pdq-frame",
                                                distance: d, variant: "identity", mediaHashID: frame))
            }
            return out
        }
    }
}
