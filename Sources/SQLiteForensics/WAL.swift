import Foundation

/// One frame of a write-ahead log (fileformat2 §4.1), with what the reader concluded about it.
public struct WALFrame: Sendable, Hashable {
    /// 1-based frame number in the file.
    public var number: Int
    /// The database page this frame holds a version of.
    public var pageNumber: Int
    /// Database size in pages after a commit frame; 0 for other frames.
    public var commitSize: Int
    /// Salts copied from the WAL header when the frame was written.
    public var salt1: UInt32, salt2: UInt32
    /// How the frame relates to the WAL header.
    public var state: State
    /// Byte offset of the page image in the WAL file.
    var dataOffset: Int

    /// Where a frame stands.
    public enum State: String, Sendable {
        /// Current generation, checksum chain intact, at or before the last commit frame.
        case committed
        /// Current generation, checksum chain intact, after the last commit frame (never committed).
        case uncommitted
        /// Salts of an earlier checkpoint generation (left over after a WAL restart), checksum consistent.
        case earlierGeneration = "earlier-generation"
        /// Checksum or salt does not fit: not used.
        case rejected
    }
}

/// A parsed WAL file.
struct WALFile {
    var pageSize: Int
    var salt1: UInt32, salt2: UInt32
    var checkpointSequence: Int
    var frames: [WALFrame]
    var problems: [RecoveryProblem]
    let bytes: [UInt8]

    func pageData(_ f: WALFrame) -> [UInt8] { Array(bytes[f.dataOffset..<(f.dataOffset + pageSize)]) }

    /// SQLite's WAL checksum over `count` bytes at `at`, continuing from `s`.
    static func checksum(_ b: [UInt8], _ at: Int, _ count: Int, bigEndian: Bool, _ s: (UInt32, UInt32)) -> (UInt32, UInt32) {
        var s0 = s.0, s1 = s.1
        var i = at
        func word(_ p: Int) -> UInt32 {
            bigEndian ? UInt32(b[p]) << 24 | UInt32(b[p + 1]) << 16 | UInt32(b[p + 2]) << 8 | UInt32(b[p + 3])
                : UInt32(b[p + 3]) << 24 | UInt32(b[p + 2]) << 16 | UInt32(b[p + 1]) << 8 | UInt32(b[p])
        }
        while i + 8 <= at + count {
            s0 = s0 &+ word(i) &+ s1
            s1 = s1 &+ word(i + 4) &+ s0
            i += 8
        }
        return (s0, s1)
    }

    /// Parses a WAL for a database of `dbPageSize`; `nil` (with a problem) when the header is unusable.
    static func parse(_ bytes: [UInt8], dbPageSize: Int, problems: inout [RecoveryProblem]) -> WALFile? {
        let v = ByteView(bytes)
        guard bytes.count >= 32, let magic = v.u32(0), magic == 0x377F_0682 || magic == 0x377F_0683 else {
            problems.append(.init(code: "wal-bad-header", message: "the -wal file has no WAL header; it is not used")); return nil
        }
        let be = magic == 0x377F_0683
        let ps = v.u32(8) ?? 0
        let pageSize = ps == 1 ? 65536 : ps
        guard pageSize == dbPageSize else {
            problems.append(.init(code: "wal-foreign", message: "the -wal file's page size \(ps) differs from the database's \(dbPageSize); it belongs to another database and is not used")); return nil
        }
        let hs = checksum(bytes, 0, 24, bigEndian: be, (0, 0))
        let s1 = UInt32(v.u32(16) ?? 0), s2 = UInt32(v.u32(20) ?? 0)
        var wal = WALFile(pageSize: pageSize, salt1: s1, salt2: s2, checkpointSequence: v.u32(12) ?? 0, frames: [], problems: [], bytes: bytes)
        guard hs.0 == UInt32(v.u32(24) ?? 0), hs.1 == UInt32(v.u32(28) ?? 0) else {
            problems.append(.init(code: "wal-header-checksum", message: "the -wal header checksum is wrong; no frame can be trusted and none is used")); return nil
        }
        let frameSize = 24 + pageSize
        let count = (bytes.count - 32) / frameSize
        if (bytes.count - 32) % frameSize != 0 {
            problems.append(.init(code: "wal-truncated", message: "the -wal file ends inside frame \(count + 1); the whole frames before it are read"))
        }
        var chain: (UInt32, UInt32)? = hs
        var previousStored: (UInt32, UInt32)?
        var previousSalts: (UInt32, UInt32)?
        var lastCommit = 0
        var badChecksum = 0, foreign = 0
        for i in 0..<count {
            let at = 32 + i * frameSize
            let pg = v.u32(at) ?? 0, commit = v.u32(at + 4) ?? 0
            let fs1 = UInt32(v.u32(at + 8) ?? 0), fs2 = UInt32(v.u32(at + 12) ?? 0)
            let stored = (UInt32(v.u32(at + 16) ?? 0), UInt32(v.u32(at + 20) ?? 0))
            var state = WALFrame.State.rejected
            if let c = chain, fs1 == s1, fs2 == s2 {
                let x = checksum(bytes, at + 24, pageSize, bigEndian: be, checksum(bytes, at, 8, bigEndian: be, c))
                if x == stored { state = .uncommitted; chain = stored; if commit != 0 { lastCommit = i + 1 } }
                else { chain = nil; badChecksum += 1 }
            } else if fs1 == s1, fs2 == s2 {
                badChecksum += 1
            } else {
                chain = nil
                // An earlier generation: salt-1 is incremented at each WAL restart. Its checksum
                // continues the previous frame's stored checksum when that frame is of the same run.
                let behind = s1 &- fs1
                if behind >= 1, behind <= 1024 {
                    if let ps = previousSalts, ps == (fs1, fs2), let prev = previousStored {
                        let x = checksum(bytes, at + 24, pageSize, bigEndian: be, checksum(bytes, at, 8, bigEndian: be, prev))
                        if x == stored { state = .earlierGeneration } else { badChecksum += 1 }
                    } else { state = .earlierGeneration }
                } else { foreign += 1 }
            }
            if pg < 1 { state = .rejected }
            previousStored = stored; previousSalts = (fs1, fs2)
            wal.frames.append(WALFrame(number: i + 1, pageNumber: pg, commitSize: commit, salt1: fs1, salt2: fs2, state: state, dataOffset: at + 24))
        }
        for i in wal.frames.indices where wal.frames[i].state == .uncommitted && wal.frames[i].number <= lastCommit {
            wal.frames[i].state = .committed
        }
        if badChecksum > 0 {
            problems.append(.init(code: "wal-bad-checksum", message: "\(badChecksum) -wal frame(s) fail their checksum; they are not used"))
        }
        if foreign > 0 {
            problems.append(.init(code: "wal-foreign-salt", message: "\(foreign) -wal frame(s) carry salts of neither this WAL nor an earlier generation of it; they are not used"))
        }
        return wal
    }
}
