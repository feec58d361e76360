import ExhibitKit
import Foundation
import Intake
import Testing

@Suite("Scale")
struct ScaleTests {
    @Test("a zip of 200,000 tiny stored entries walks completely (no per-entry O(n) work)")
    func twoHundredThousand() throws {
        let s = try Scratch()
        try s.python("""
        import zipfile
        with zipfile.ZipFile('many.zip', 'w', zipfile.ZIP_STORED) as z:
            for i in range(200000):
                z.writestr('d%03d/f%06d.txt' % (i // 1000, i), b'%d\\n' % i)
        """)
        var count = 0
        var last: IntakeEntry?
        var okCount = 0
        let walker = try IntakeWalker(options: s.options())
        let summary = try walker.walk(EvidenceSource(path: s.path("many.zip"), label: "many.zip"), accountedBytes: { _ in nil }) { ev in
            if case .entry(let e) = ev {
                count += 1
                if e.status == .ok { okCount += 1 }
                last = e
            }
        }
        #expect(count == 200_000)
        #expect(okCount == 200_000)
        #expect(summary.entryCount == 200_000)
        #expect(summary.status == .ok)
        #expect(summary.flags.isEmpty)
        #expect(last?.virtualPath == "many.zip!/d199/f199999.txt")
        #expect(last?.position == [199_999])
        #expect(last?.size == 7)
    }
}
