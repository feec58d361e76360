import Foundation

/// One page record of a rollback journal: the page's content before a transaction changed it.
struct JournalRecord {
    var index: Int
    var pageNumber: Int
    var data: [UInt8]
}

/// Rollback-journal reading (fileformat2 §3): a header padded to the sector size, then records of
/// page number, page image and checksum. A PERSIST journal has its first 28 header bytes zeroed
/// after commit, so the sector size and nonce are found from the records themselves.
enum JournalReader {
    static let magic: [UInt8] = [0xD9, 0xD5, 0x05, 0xF9, 0x20, 0xA1, 0x63, 0xD7]

    static func checksum(_ data: [UInt8], nonce: UInt32) -> UInt32 {
        var c = nonce
        var i = data.count - 200
        while i > 0 { c = c &+ UInt32(data[i]); i -= 200 }
        return c
    }

    /// Records of the first journal segment whose checksums agree on one nonce.
    static func parse(_ bytes: [UInt8], pageSize: Int, maxPage: Int, problems: inout [RecoveryProblem]) -> [JournalRecord] {
        let v = ByteView(bytes)
        guard bytes.count >= 28 else { return [] }
        let headerIntact = v.slice(0, 8) == magic
        var sectors: [Int] = []
        if headerIntact {
            if let jps = v.u32(24), jps != pageSize {
                problems.append(.init(code: "journal-foreign", message: "the -journal's page size \(jps) differs from the database's \(pageSize); it is not used"))
                return []
            }
            if let s = v.u32(20), s >= 32, s <= 65536 { sectors = [s] }
        } else if v.slice(0, 28) != [UInt8](repeating: 0, count: 28) {
            problems.append(.init(code: "journal-bad-header", message: "the -journal has neither a journal header nor a zeroed (PERSIST) one; it is not used"))
            return []
        }
        if sectors.isEmpty { sectors = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536] }
        var best: [JournalRecord] = []
        let recordSize = pageSize + 8
        for sector in sectors {
            var recs: [JournalRecord] = []
            var nonce: UInt32? = headerIntact ? v.u32(12).map(UInt32.init) : nil
            var at = sector
            while at + recordSize <= bytes.count {
                guard let pg = v.u32(at), pg >= 1, pg <= maxPage * 2 + 16, let stored = v.u32(at + 4 + pageSize) else { break }
                let data = Array(bytes[(at + 4)..<(at + 4 + pageSize)])
                let zeroSum = checksum(data, nonce: 0)
                let implied = UInt32(stored) &- zeroSum
                if let n = nonce, n != implied { break }
                nonce = implied
                recs.append(JournalRecord(index: recs.count + 1, pageNumber: pg, data: data))
                at += recordSize
            }
            // One record agrees with any nonce: demand that it parse as a page of the database.
            if recs.count == 1, BTreePage.parse(recs[0].data, number: recs[0].pageNumber, usable: pageSize) == nil { recs = [] }
            if recs.count > best.count { best = recs }
        }
        if best.isEmpty {
            problems.append(.init(code: "journal-no-records", message: "the -journal holds no page record with a consistent checksum"))
        }
        return best
    }
}
