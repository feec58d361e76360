import Foundation
import Testing
@testable import ExhibitKit

@Suite struct VirtualPathTests {
    /// `split` searches ASCII paths byte by byte; it must cut where Foundation's backwards search
    /// cuts, for every shape of path (none, one, several separators, separators at the ends, `!`
    /// and `/` apart, and non-ASCII paths, which still take Foundation's search).
    @Test func splitCutsWhereFoundationCuts() {
        let paths = ["seized.zip", "seized.zip!/", "seized.zip!/a/b.txt", "a.zip!/b.zip!/c/d.txt", "!/x", "x!", "x!!//y",
                     "a.zip!/weird!name/!/z", "a.zip!/e!x/", "", "/", "!", "a.zip!/사진/p!/q.jpg", "é.zip!/e\u{301}!/x",
                     "a.zip!/\u{0}!/x"]
        for p in paths {
            let r = p.range(of: VirtualPath.containerSeparator, options: .backwards)
            let expected = r.map { (String(p[..<$0.upperBound]), String(p[$0.upperBound...])) } ?? (p + "!/", "")
            let got = VirtualPath.split(p)
            #expect(got.container == expected.0 && got.inner == expected.1, "\(p)")
        }
    }

    @Test(arguments: [
        ("../../etc/passwd", "etc/passwd", true),
        ("/abs/path.txt", "abs/path.txt", true),
        ("C:\\win\\evil.txt", "win/evil.txt", true),
        ("a/./b/../c.txt", "a/b/c.txt", true),
        ("photos/a.jpg", "photos/a.jpg", false),
        ("dir/", "dir", false),
    ])
    func sanitizesEntryNames(name: String, expected: String, changed: Bool) {
        let r = VirtualPath.sanitize(entryName: name)
        #expect(r.path == expected)
        #expect(r.changed == changed)
    }

    @Test func siblingsStayInsideTheContainer() {
        let f = EvidenceFile(key: "k", virtualPath: "seized.zip!/Chat/result.json", size: 0,
                             hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/json", content: .none)
        #expect(f.name == "result.json")
        #expect(f.directoryPath == "seized.zip!/Chat")
        #expect(f.siblingPath("photos/p.jpg") == "seized.zip!/Chat/photos/p.jpg")
        #expect(f.siblingPath("../../../x") == "seized.zip!/x")
        let top = EvidenceFile(key: "k", virtualPath: "seized.zip!/a.txt", size: 0,
                               hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "text/plain", content: .none)
        #expect(top.siblingPath("b.txt") == "seized.zip!/b.txt")
        // A file at the root of a nested archive: siblings are inside that archive.
        let nested = EvidenceFile(key: "k", virtualPath: "case.zip!/WhatsApp Chat - X.zip!/_chat.txt", size: 0,
                                  hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "text/plain", content: .none)
        #expect(nested.siblingPath("IMG.jpg") == "case.zip!/WhatsApp Chat - X.zip!/IMG.jpg")
        #expect(nested.siblingPath("../up.jpg") == "case.zip!/WhatsApp Chat - X.zip!/up.jpg")
    }
}

@Suite struct AcceptanceTests {
    @Test func globs() {
        #expect(Glob.matches("*.txt", "a/b/c.txt"))
        #expect(Glob.matches("*/result.json", "x/ChatExport/result.json"))
        #expect(!Glob.matches("*/result.json", "result.json.bak"))
        #expect(Glob.matches("IMG_[0-9]???.jpg", "IMG_1234.jpg"))
        #expect(!Glob.matches("IMG_[!0-9]*", "IMG_1"))
        #expect(Glob.matches("*", ""))
    }

    @Test func mimeFamilies() {
        let a = Acceptance(mimeTypes: ["image/*", "application/json"], pathGlobs: ["*.txt"])
        #expect(a.matches(mime: "image/jpeg", virtualPath: "e!/x.bin"))
        #expect(a.matches(mime: "application/json", virtualPath: "e!/x"))
        #expect(a.matches(mime: "application/octet-stream", virtualPath: "e!/chat.txt"))
        #expect(!a.matches(mime: "video/mp4", virtualPath: "e!/v.mp4"))
    }

    @Test func canonicalJSONIsKeyOrderIndependent() throws {
        let a = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"b":1,"a":[true,null,"x"]}"#.utf8))
        let b = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"a":[true,null,"x"],"b":1}"#.utf8))
        #expect(a.canonicalText == b.canonicalText)
        #expect(a.canonicalText == #"{"a":[true,null,"x"],"b":1}"#)
    }
}
