import ExhibitKit
import ExhibitTesting
import Foundation
import Intake
import Testing

@Suite("Zip structure: central directory vs libarchive, times, names")
struct ZipStructureTests {
    /// Writes a zip with python's zipfile (entries a, b, c, each with its own 0x5455 mtime), then
    /// rewrites the central directory in the order c, a, b.
    static let reorderScript = """
    import zipfile, struct, sys
    zf = zipfile.ZipFile('r.zip', 'w')
    for i, n in enumerate(['a.txt', 'b.txt', 'c.txt']):
        zi = zipfile.ZipInfo(n, (2024, 8, 28, 15, 12, 2))
        zi.extra = struct.pack('<HHBI', 0x5455, 5, 1, 1700000000 + i * 86400)
        zf.writestr(zi, (n + ' body\\n').encode())
    zf.close()
    d = bytearray(open('r.zip', 'rb').read())
    e = d.rfind(b'PK\\x05\\x06')
    cd_size, cd_off = struct.unpack('<II', d[e+12:e+20])
    recs, p = [], cd_off
    while p < cd_off + cd_size:
        n, x, c = struct.unpack('<HHH', d[p+28:p+34])
        recs.append(bytes(d[p:p+46+n+x+c])); p += 46 + n + x + c
    cd = recs[2] + recs[0] + recs[1]
    open('r.zip', 'wb').write(bytes(d[:cd_off]) + cd + bytes(d[cd_off+cd_size:]))
    """

    @Test("libarchive lists a seekable zip in local-header-offset order, not central-directory order; extras follow their entry")
    func seekableOrder() throws {
        let s = try Scratch()
        try s.python(Self.reorderScript)
        let r = try walk(s.path("r.zip"), options: s.options())
        #expect(r.paths == ["r.zip!/a.txt", "r.zip!/b.txt", "r.zip!/c.txt"])
        for (i, e) in r.entries.enumerated() {
            #expect(e.times.modified?.basis == .utc)
            #expect(e.times.modified?.utcMicros == (1_700_000_000 + Int64(i) * 86_400) * 1_000_000, "\(e.virtualPath)")
        }
        #expect(r.summary?.flags == [])
    }

    @Test("DOS times without a UTC extra field: naive, resolved only in the declared zone", .tags(.timeZone), arguments: [
        ("Asia/Seoul", "2024-08-28T06:12:02Z", TimeBasis.assumedZone),
        ("America/New_York", "2024-08-28T19:12:02Z", TimeBasis.assumedZone),
        ("", nil, TimeBasis.unknown),
    ] as [(String, String?, TimeBasis)])
    func dosTimes(zone: String, utc: String?, basis: TimeBasis) throws {
        let s = try Scratch()
        try s.python("""
        import zipfile
        zf = zipfile.ZipFile('d.zip', 'w')
        zf.writestr(zipfile.ZipInfo('dos.txt', (2024, 8, 28, 15, 12, 2)), b'dos')
        zf.close()
        """)
        let r = try walk(s.path("d.zip"), options: s.options(zone: zone.isEmpty ? nil : TimeZone(identifier: zone)))
        let t = try #require(r.entries.first?.times.modified)
        #expect(t.basis == basis)
        #expect(t.utcString == utc)
        #expect(t.localWallClock == "2024-08-28T15:12:02")
        #expect(t.precision == .twoSeconds)
        #expect(t.note?.contains("DOS date-time") == true)
    }

    @Test("CP949 names written by a Korean Windows zip tool: decoded, raw bytes kept, not mistaken for paths")
    func koreanNames() throws {
        let s = try Scratch()
        // zipfile sets the UTF-8 flag for non-ASCII str names; write raw CP949 bytes by patching the name.
        try s.python("""
        import zipfile
        name = '보고서.txt'.encode('cp949')
        placeholder = 'X' * len(name)
        zf = zipfile.ZipFile('k.zip', 'w')
        zf.writestr(placeholder, b'report')
        zf.close()
        d = open('k.zip', 'rb').read().replace(placeholder.encode(), name)
        open('k.zip', 'wb').write(d)
        """)
        let r = try walk(s.path("k.zip"), options: s.options())
        let e = try #require(r.entries.first)
        #expect(e.rawName == [0xBA, 0xB8, 0xB0, 0xED, 0xBC, 0xAD, 0x2E, 0x74, 0x78, 0x74])
        #expect(e.name == "보고서.txt")
        #expect(e.nameEncoding == "CP949")
        #expect(e.virtualPath == "k.zip!/보고서.txt")
        #expect(e.status == .ok)
        // With no legacy charset configured the name stays undecodable but is still recorded.
        var o = s.options()
        o.nameCharsets = []
        let raw = try walk(s.path("k.zip"), options: o)
        #expect(raw.entries.first?.nameEncoding == "undecodable")
        #expect(raw.entries.first?.rawName == e.rawName)
    }

    @Test("encrypted zip (ZipCrypto and AES) and 7z (data and header) made at test time: encrypted, never empty")
    func encryption() throws {
        let s = try Scratch()
        try s.write("secret.txt", "the plan\n")
        try s.run("/usr/bin/zip", ["-q", "-P", "pw", "zc.zip", "secret.txt"])
        try s.run("/usr/bin/7z", ["a", "-tzip", "-mem=AES256", "-ppw", "aes.zip", "secret.txt"])
        try s.run("/usr/bin/7z", ["a", "-ppw", "data.7z", "secret.txt"])
        try s.run("/usr/bin/7z", ["a", "-ppw", "-mhe=on", "hdr.7z", "secret.txt"])
        for (file, kind) in [("zc.zip", "ZipCrypto"), ("aes.zip", "AES"), ("data.7z", "")] {
            let r = try walk(s.path(file), options: s.options())
            let e = try #require(r.entries.first, "\(file)")
            #expect(e.status == .encrypted, "\(file)")
            #expect(e.hashes == nil, "\(file)")
            #expect(e.declaredSize == 9, "\(file)")
            if !kind.isEmpty { #expect(e.message?.contains(kind) == true, "\(file)") }
            #expect(r.summary?.status == .encrypted, "\(file)")
        }
        let h = try walk(s.path("hdr.7z"), options: s.options())
        #expect(h.entries.isEmpty)
        #expect(h.summary?.status == .encrypted)
        #expect(h.summary?.flags == ["encrypted-header"])
    }

    @Test("a zip inside gzip is opened seekably, so its central directory (and its UTC times) are seen")
    func zipInGzip() throws {
        let s = try Scratch()
        try s.write("in.txt", "inner\n")
        try s.run("/usr/bin/zip", ["-q", "a.zip", "in.txt"])
        try s.run("/usr/bin/gzip", ["-k", "a.zip"])
        let r = try walk(s.path("a.zip.gz"), options: s.options())
        #expect(r.paths == ["a.zip.gz!/a.zip", "a.zip.gz!/a.zip!/in.txt"])
        #expect(r.entry("a.zip.gz!/a.zip!/in.txt")?.times.modified?.basis == .utc)
        #expect(r.summary?.format == "raw + gzip")
        #expect(r.ends.first?.format?.hasPrefix("ZIP") == true)
    }

    @Test("central directories with random damage never crash the walk", arguments: 0..<8)
    func damagedDirectories(seed: Int) throws {
        let s = try Scratch()
        var names: [String] = []
        for i in 0..<6 {
            try s.write("src/f\(i).txt", String(repeating: "line \(i)\n", count: 50))
            names.append("f\(i).txt")
        }
        try s.run("/usr/bin/zip", ["-q", "../base.zip"] + names, in: s.work.appendingPathComponent("src"))
        let base = try Data(contentsOf: URL(fileURLWithPath: s.path("base.zip")))
        var bytes = [UInt8](base)
        // Damage 25 bytes in the last 40 % (central directory and end record), deterministically.
        var x = UInt64(seed + 1) &* 0x9E37_79B9_7F4A_7C15
        for _ in 0..<25 {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            let at = bytes.count * 6 / 10 + Int(x % UInt64(bytes.count * 4 / 10))
            bytes[at] = UInt8(truncatingIfNeeded: x >> 32)
        }
        try s.write("damaged.zip", Data(bytes))
        let r = try walk(s.path("damaged.zip"), options: s.options(IntakeBudgets(maxEntriesPerArchive: 1000)))
        #expect(r.summary != nil)
        #expect(r.order.last == "end ")
        for e in r.entries where e.status == .ok && e.kind == .file {
            // Whatever was read cleanly is one of the real files.
            let idx = names.firstIndex(of: e.name)
            if let idx { #expect(e.hashes?.sha256 == (try referenceSHA256(s.path("src/f\(idx).txt")))) }
        }
    }
}
