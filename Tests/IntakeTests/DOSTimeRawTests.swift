import ExhibitKit
import ExhibitTesting
import Foundation
import Intake
import Testing

@Suite("Zip DOS times: raw text", .tags(.timeZone))
struct DOSTimeRawTests {
    /// A DOS time that names a real date keeps its wall clock as raw text; one that does not
    /// (date word 0: month 0, day 0) keeps the header words, with no instant.
    @Test func rawTextOfValidAndInvalidDOSTimes() throws {
        let s = try Scratch()
        try s.python("""
        import zipfile, struct
        zf = zipfile.ZipFile('d.zip', 'w')
        zf.writestr(zipfile.ZipInfo('ok.txt', (2024, 8, 28, 15, 12, 2)), b'ok')
        zf.writestr(zipfile.ZipInfo('zero.txt', (2024, 8, 28, 15, 12, 2)), b'zero')
        zf.close()
        d = bytearray(open('d.zip', 'rb').read())
        # zero.txt: clear the date word in its local header and its central-directory record.
        local = d.find(b'PK\\x03\\x04', 1)
        d[local + 12:local + 14] = b'\\x00\\x00'
        central = d.rfind(b'PK\\x01\\x02')
        d[central + 14:central + 16] = b'\\x00\\x00'
        open('d.zip', 'wb').write(bytes(d))
        """)
        let r = try walk(s.path("d.zip"), options: s.options(zone: TimeZone(identifier: "Asia/Seoul")))
        let ok = try #require(r.entries.first { $0.name == "ok.txt" }?.times.modified)
        #expect(ok.raw == "2024-08-28 15:12:02" && ok.utcString == "2024-08-28T06:12:02Z")
        let zero = try #require(r.entries.first { $0.name == "zero.txt" }?.times.modified)
        #expect(zero.raw.hasPrefix("DOS date 0x0000 time 0x"))
        #expect(zero.utcMicros == nil && zero.basis == .unknown && zero.localWallClock == nil)
    }
}
