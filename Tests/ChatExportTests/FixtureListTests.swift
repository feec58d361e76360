import ExhibitTesting
import Foundation
import Testing

/// The parameterised chat suites take their cases from `ChatFixtures.all()`; a broken corpus path
/// would give them zero cases and a silent pass. This suite fails instead (issue 18, part 5).
@Suite struct ChatFixtureListTests {
    @Test func theGoldenListIsNotEmpty() throws {
        var isDir: ObjCBool = false
        try #require(FileManager.default.fileExists(atPath: ChatFixtures.root.path, isDirectory: &isDir) && isDir.boolValue,
                     "corpus folder missing: \(ChatFixtures.root.path)")
        let all = ChatFixtures.all()
        try #require(all.count >= 20, "only \(all.count) chat goldens under \(ChatFixtures.root.path)")
        // Every platform the parsers cover has goldens.
        for prefix in ["telegram", "whatsapp", "kakaotalk", "discord", "line"] {
            #expect(all.contains { $0.lowercased().contains(prefix) }, "no golden for \(prefix)")
        }
    }
}
