import Foundation
import Testing
import ExhibitKit
import ExhibitTesting
@testable import ChatExport

/// Cut, unterminated and out-of-order inputs for every chat format: what is read is kept, the
/// rest is a warning, nothing crashes.
@Suite("Chat bad input")
struct ChatBadInputTests {
    static func run(_ text: String, path: String) async throws -> Split {
        try await ChatHostileTests.run(Data(text.utf8), path: path)
    }

    /// Every fixture cut at ~30 points: no crash, never more messages than the whole file, and
    /// every message names a chat reported before it.
    @Test(arguments: ChatFixtures.all())
    func everyFormatCutAnywhere(_ fixture: String) async throws {
        guard case .string(let vp)? = try ChatFixtures.expected(fixture)["virtualPath"] else {
            Issue.record("no virtualPath in golden"); return
        }
        let data = try Data(contentsOf: ChatFixtures.root.appendingPathComponent(fixture))
        let whole = try await ChatHostileTests.run(data, path: vp).messages.count
        let step = max(1, data.count / 30)
        for cut in stride(from: 0, to: data.count, by: step) {
            let findings = try await ChatHostileTests.run(data.prefix(cut), path: vp)
            #expect(findings.messages.count <= whole, "cut at \(cut)")
            let keys = Set(findings.chats.map(\.chatKey))
            #expect(findings.messages.allSatisfy { keys.contains($0.chatKey) }, "cut at \(cut)")
        }
    }

    /// Time-only lines (KakaoTalk PC, LINE) before any day line have no date: basis unknown, no
    /// instant, and a note saying why; after the day line they are dated by it.
    @Test(arguments: [
        ("KakaoTalkChats.txt", "Minji KakaoTalk Chats\nDate Saved : 2024-08-30 22:15:41\n\n[Minji] [3:00 PM] early\n"
            + "--------------- Wednesday, August 28, 2024 ---------------\n[Jun-ho] [3:01 PM] dated\n", "3:00 PM"),
        ("[LINE] Chat with Minji.txt", "[LINE] Chat history with Minji\nSaved on: 8/30/2024, 22:15\n\n15:00\tMinji\tearly\n"
            + "Wed, 8/28/2024\n15:01\tJun-ho\tdated\n", "15:00"),
    ])
    func timeBeforeAnyDayLine(_ name: String, _ text: String, _ raw: String) async throws {
        let r = try await Self.run(text, path: "e.zip!/\(name)")
        try #require(r.messages.count == 2)
        let early = try #require(r.messages[0].sent)
        #expect(early.raw == raw && early.basis == .unknown && early.utcMicros == nil)
        #expect(early.note == "no day line before this time")
        let dated = try #require(r.messages[1].sent)
        #expect(dated.utcString == "2024-08-28T15:01:00Z" && dated.basis == .assumedZone)
        #expect(dated.note?.contains("date from the day line above") == true)
        #expect(r.messages.map(\.text) == ["early", "dated"])
    }

    /// A quote that never closes: the CSV keeps the records before it, LINE keeps the text read.
    @Test func unterminatedQuotes() async throws {
        let csv = try await Self.run("Date,User,Message\n2024-08-28 15:00:00,Minji,first\n2024-08-28 15:01:00,Minji,\"never\nclosed\n",
                                     path: "e.zip!/KakaoTalk_Chat_Minji.csv")
        #expect(csv.messages.map(\.text) == ["first"])
        #expect(csv.warnings.map(\.code).contains("truncated-csv"))
        let line = try await Self.run("[LINE] Chat history with Minji\n\nWed, 8/28/2024\n15:01\tMinji\t\"never\nclosed\n",
                                      path: "e.zip!/[LINE] Chat with Minji.txt")
        #expect(line.messages.map(\.text) == ["never\nclosed"])
        #expect(line.warnings.map(\.code).contains("truncated-text"))
    }

    /// Discord JSON cut inside the messages array keeps the messages before the cut.
    @Test func discordCutInsideMessages() async throws {
        let json = """
            {"guild":{"id":"1","name":"G"},"channel":{"id":"2","name":"general","type":"GuildTextChat"},"messages":[
            {"id":"10","type":"Default","timestamp":"2024-08-28T15:00:00+09:00","content":"one","author":{"id":"5","name":"a"}},
            {"id":"11","type":"Default","timestamp":"2024-08-28T15:01:00+09:00","content":"tw
            """
        let r = try await Self.run(json, path: "e.zip!/general.json")
        #expect(r.messages.map(\.text) == ["one"])
        #expect(r.messages.first?.sent?.utcString == "2024-08-28T06:00:00Z")
        #expect(r.warnings.map(\.code).contains("truncated-json"))
    }
}

/// Telegram HTML titles with odd offsets: a bare `UTC` is +00:00, an offset no zone has is not
/// trusted (the time is read as naive local time instead).
@Suite("Telegram HTML offsets Time")
struct TelegramHTMLOffsetTests {
    @Test func oddOffsets() {
        let seoul = TimeZone(identifier: "Asia/Seoul")
        let bare = TelegramHTMLMessage.time("28.08.2024 15:12:03 UTC", zone: seoul)
        #expect(bare.basis == .offset && bare.utcString == "2024-08-28T15:12:03Z")
        let wild = TelegramHTMLMessage.time("28.08.2024 15:12:03 UTC+25:00", zone: seoul)
        #expect(wild.basis == .assumedZone && wild.utcString == "2024-08-28T06:12:03Z")
        let cut = TelegramHTMLMessage.time("28.08.2024 15:1", zone: seoul)
        #expect(cut.basis == .unknown && cut.utcMicros == nil)
    }
}

/// LINE and KakaoTalk PC times go through the per-parse offset cache; across DST changes they
/// must equal a plain `NaiveDateTime.resolve` (gap and fold flagged, never cached).
@Suite("Day-line times across DST Time")
struct DayLineDSTTests {
    @Test func lineTimesEqualPlainResolve() async throws {
        let ny = try #require(TimeZone(identifier: "America/New_York"))
        var text = "[LINE] Chat history with Minji\n\n"
        let days = [(3, 9), (3, 10), (11, 2), (11, 3)]
        let clocks = ["00:10", "01:30", "01:59", "02:00", "02:30", "03:00", "12:00"]
        for (m, d) in days {
            text += "Sun, \(m)/\(d)/2024\n"
            for c in clocks { text += "\(c)\tMinji\tt\n" }
        }
        let data = Data(text.utf8)
        let file = EvidenceFile(key: "d", virtualPath: "e.zip!/[LINE] Chat with Minji.txt", size: Int64(data.count),
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "text/plain", content: .memory(data))
        let ctx = AnalysisContext(assumedZone: ny, temporaryDirectory: FileManager.default.temporaryDirectory)
        let got = Split(try AnalyzerHarness.run(ChatExportAnalyzer(), on: file, context: ctx)).messages.map(\.sent)
        var want: [TimeValue?] = []
        for (m, d) in days {
            for c in clocks {
                let hm = c.split(separator: ":").compactMap { Int($0) }
                want.append(NaiveDateTime(year: 2024, month: m, day: d, hour: hm[0], minute: hm[1])
                    .resolve(in: ny, raw: c, precision: .minute, note: LocalTime.phoneNote + "; date from the day line above"))
            }
        }
        #expect(got == want)
        #expect(got.contains { $0?.note?.contains("DST gap") == true } && got.contains { $0?.alternateUTCMicros != nil })
    }
}
