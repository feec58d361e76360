import Foundation
import Testing
import ExhibitKit
import ExhibitTesting
@testable import ChatExport

/// Every fixture in corpora/chat against its golden, field by field. Times are compared as UTC
/// strings derived under the golden's declared zone (Asia/Seoul), so the suite must pass whatever
/// the machine's TZ is (`make test` re-runs suites named "…Time" under UTC and Asia/Seoul).
@Suite("Chat golden Time")
struct ChatGoldenTimeTests {
    @Test(arguments: ChatFixtures.all())
    func fixtureMatchesGolden(_ fixture: String) async throws {
        let (found, exp) = try await ChatFixtures.run(fixture)
        let split = Split(found)
        Projection.compare(.array(split.chats.map(Projection.chat)), exp["chats"] ?? .null, "\(fixture) chats")
        Projection.compare(.array(split.participants.map(Projection.participant)), exp["participants"] ?? .null, "\(fixture) participants")
        // Goldens that record each time's note (calendar conversions) are compared on it too.
        let expectedMessages = exp["messages"]?.items ?? []
        let projected = split.messages.enumerated().map { i, m in
            Projection.message(m, withNote: i < expectedMessages.count && expectedMessages[i]["sentNote"] != nil)
        }
        Projection.compare(.array(projected), exp["messages"] ?? .null, "\(fixture) messages")
        let codes = split.warnings.map(\.code).sorted()
        let expectedCodes = (exp["warnings"]?.items ?? []).compactMap { v -> String? in if case .string(let s) = v { return s }; return nil }.sorted()
        #expect(codes == expectedCodes, "\(fixture) warnings: \(split.warnings.map { "\($0.code): \($0.message)" })")
        // Sequence numbers are the order in the file.
        #expect(split.messages.map(\.sequence) == Array(0..<split.messages.count))
    }

    /// Chats come before their participants and messages; a participant before its first message.
    @Test(arguments: ChatFixtures.all())
    func streamOrderLinksRows(_ fixture: String) async throws {
        let (found, _) = try await ChatFixtures.run(fixture)
        var chats = Set<String>(), people = Set<String>()
        for f in found.findings {
            switch f {
            case .chat(let c): chats.insert(c.chatKey)
            case .participant(let p):
                #expect(chats.contains(p.chatKey), "\(fixture): participant before its chat")
                people.insert(p.chatKey + "|" + (p.nativeID ?? p.displayName ?? ""))
            case .message(let m):
                #expect(chats.contains(m.chatKey), "\(fixture): message before its chat")
                if m.kind != .system, let who = m.senderNativeID ?? m.senderName {
                    #expect(people.contains(m.chatKey + "|" + who), "\(fixture): message \(m.sequence) before its sender")
                }
            default: break
            }
        }
    }
}
