import ExhibitTesting
import Foundation
import Testing

/// `exhibit report --thumbnails` reads pictures again from the evidence: only bytes that hash to
/// the recorded SHA-256 are shown, a nested archive's pictures are found, and an item that
/// changed or moved after the ingest gives a note instead of a wrong picture.
@Suite("ReportThumbnails", .serialized)
struct ReportThumbnailTests {
    /// Three PNGs made by ImageMagick (`red`, `blue`, `green`) and a zip (Python's zipfile):
    /// `a.png`, `b.png`, `inner.zip` holding `c.png`, and a text file. `swap` puts the blue
    /// picture's bytes under the name `a.png`.
    static func evidence(_ dir: TestDirectory, swap: Bool) throws -> String {
        // Made once: ImageMagick writes the creation time into a PNG, so a second `convert`
        // would change every picture, not only the swapped one.
        for (name, colour) in [("red.png", "red"), ("blue.png", "blue"), ("green.png", "green")]
        where !FileManager.default.fileExists(atPath: dir.path(name)) {
            let r = try Run.command("/usr/bin/env", ["convert", "-size", "12x12", "xc:\(colour)", dir.path(name)])
            #expect(r.exitCode == 0, "convert: \(r.stderr)")
        }
        let path = dir.path("pics.zip")
        let script = """
            import io, sys, zipfile
            d, out, swap = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
            read = lambda n: open(d + "/" + n, "rb").read()
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, "w") as z:
                z.writestr("c.png", read("green.png"))
            with zipfile.ZipFile(out, "w") as z:
                z.writestr("a.png", read("blue.png" if swap else "red.png"))
                z.writestr("b.png", read("blue.png"))
                z.writestr("notes.txt", b"not a picture " * 1000)
                z.writestr("inner.zip", inner.getvalue())
            """
        let r = try Run.command("/usr/bin/env", ["python3", "-c", script, dir.path(""), path, swap ? "1" : "0"])
        #expect(r.exitCode == 0, "zip: \(r.stderr)")
        return path
    }

    static func report(_ db: String, _ out: String) throws -> String {
        let r = try Run.command(Fixture.exhibit, ["report", "--db", db, "--out", out, "--thumbnails", "--force"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        return try ExportFixture.read(out)
    }

    static func imageCount(_ html: String) -> Int { html.components(separatedBy: "src=\"data:image/png;base64,").count - 1 }

    @Test func onlyVerifiedPicturesAreShown() throws {
        let dir = try TestDirectory("report-thumb-verify")
        defer { dir.remove() }
        let zip = try Self.evidence(dir, swap: false)
        let db = dir.path("case.sqlite")
        #expect(try Fixture.ingest([zip], db: db).exitCode == 0)
        let html = dir.path("r.html")

        let all = try Self.report(db, html)
        #expect(Self.imageCount(all) == 3, "a.png, b.png and inner.zip's c.png")
        #expect(!all.contains("Not every picture could be read"))

        // The item changed after the ingest: a.png now holds other bytes. It is left out, said so.
        _ = try Self.evidence(dir, swap: true)
        let changed = try Self.report(db, html)
        #expect(Self.imageCount(changed) == 2)
        #expect(changed.contains("1 picture(s) of pics.zip no longer match their recorded SHA-256"), "\(changed)")

        // The item is gone from its recorded path: no picture, and the report says where it looked.
        try FileManager.default.removeItem(atPath: zip)
        let gone = try Self.report(db, html)
        #expect(Self.imageCount(gone) == 0)
        #expect(gone.contains("pics.zip is not at"))
    }
}
