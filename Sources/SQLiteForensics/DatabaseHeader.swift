import Foundation

/// The 100-byte database header (fileformat2 §1.3): the fields page-level reading depends on.
public struct DatabaseHeader: Sendable, Hashable {
    /// Bytes per page, 512…65536 (the stored value 1 means 65536).
    public var pageSize: Int
    /// Bytes reserved at the end of every page (encryption, checksums); usable size = pageSize − reserved.
    public var reservedBytes: Int
    /// Incremented on every change; with ``versionValidFor`` it tells whether ``declaredPageCount`` holds.
    public var changeCounter: Int
    /// "In-header database size" in pages; trusted only when valid and not past the real file.
    public var declaredPageCount: Int
    /// First freelist trunk page (0 = none).
    public var firstFreelistTrunk: Int
    /// Total freelist pages the header claims.
    public var freelistCount: Int
    /// Schema cookie.
    public var schemaCookie: Int
    /// 1 UTF-8, 2 UTF-16le, 3 UTF-16be.
    public var textEncoding: Int
    /// Largest root b-tree page when auto-vacuum or incremental-vacuum is on, else 0.
    public var largestRootPage: Int
    /// Non-zero when incremental vacuum is on.
    public var incrementalVacuum: Int
    /// Change counter the in-header size was last valid for.
    public var versionValidFor: Int
    /// The usable bytes of a page.
    public var usableSize: Int { pageSize - reservedBytes }
    /// Whether pointer-map pages exist (auto-vacuum or incremental vacuum).
    public var hasPointerMap: Bool { largestRootPage != 0 }

    /// The 16-byte magic string at the start of every database.
    public static let magic: [UInt8] = Array("SQLite format 3\u{0}".utf8)

    /// Parses the header, or says why it cannot: the problems that make page-level reading impossible.
    static func parse(_ b: ByteView) -> Result<DatabaseHeader, RecoveryProblem> {
        guard b.count >= 100 else { return .failure(.init(code: "sqlite-too-short", message: "the file has \(b.count) bytes, fewer than the 100-byte header")) }
        guard b.slice(0, 16) == magic else { return .failure(.init(code: "sqlite-bad-magic", message: "the file does not start with \"SQLite format 3\"")) }
        let raw = b.u16(16) ?? 0
        let pageSize = raw == 1 ? 65536 : raw
        guard pageSize >= 512, pageSize <= 65536, pageSize & (pageSize - 1) == 0 else {
            return .failure(.init(code: "sqlite-bad-page-size", message: "the header's page size \(raw) is not a power of two between 512 and 65536"))
        }
        let reserved = b.u8(20) ?? 0
        guard pageSize - reserved >= 480 else {
            return .failure(.init(code: "sqlite-bad-reserved", message: "\(reserved) reserved bytes leave fewer than 480 usable bytes per page"))
        }
        return .success(DatabaseHeader(
            pageSize: pageSize, reservedBytes: reserved, changeCounter: b.u32(24) ?? 0,
            declaredPageCount: b.u32(28) ?? 0, firstFreelistTrunk: b.u32(32) ?? 0, freelistCount: b.u32(36) ?? 0,
            schemaCookie: b.u32(40) ?? 0, textEncoding: b.u32(56) ?? 1, largestRootPage: b.u32(52) ?? 0,
            incrementalVacuum: b.u32(64) ?? 0, versionValidFor: b.u32(92) ?? 0))
    }
}

/// One structural problem met while reading: a stable code and a sentence for the examiner.
public struct RecoveryProblem: Sendable, Hashable, Error {
    /// Short stable code (`sqlite-freelist-loop`).
    public var code: String
    /// What was wrong and what was kept.
    public var message: String
    /// The page it concerns, when one does.
    public var page: Int?
    /// Creates a problem.
    public init(code: String, message: String, page: Int? = nil) {
        self.code = code; self.message = message; self.page = page
    }
}
