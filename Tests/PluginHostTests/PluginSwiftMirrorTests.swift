import ExhibitKit
import ExhibitTesting
import Foundation
@testable import PluginHost
import Testing

/// The Swift helper's `Codable` mirrors against the host's own decoder: a real Swift plugin
/// (built with plain `swiftc` from the scaffold's protocol part) sends one finding of every kind
/// through the mirrors, streamed with `emit`, and echoes the file's time back; the host must
/// decode exactly the expected records. A mirror whose `CodingKeys` disagreed with the wire would
/// show up here as a missing field or an invalid line.
@Suite(.serialized)
struct PluginSwiftMirrorTests {
    static let plugin = #"""
        import Foundation

        func analyze(_ request: AnalyzeRequest, emit: (Finding) -> Void) throws {
            let hash = String(repeating: "0f", count: 32)
            emit(.chat(Chat(chatKey: "c1", platform: "signal", title: "Kim", nativeID: "t-1", chatType: "direct",
                            exportedAt: WireTime(instant: "2024-08-28T15:00:00+09:00"))))
            emit(.participant(Participant(chatKey: "c1", displayName: "Kim", nativeID: "u-1", isDeviceOwner: true)))
            emit(.message(Message(chatKey: "c1", text: "안녕", senderName: "Kim", senderNativeID: "u-1", fromDeviceOwner: true,
                                  sent: WireTime(local: "2024-08-28T15:12:03"), touched: WireTime(unixMs: 1_724_825_600_000),
                                  nativeID: "m-1", replyToNativeID: "m-0", deleted: false,
                                  attachments: [Attachment(reference: "a.jpg", kind: "photo", size: 10)], extra: ["stars": 2])))
            emit(.metadata(Metadata(namespace: "exif", tag: "Model", value: "SM-G991N")))
            emit(.indicator(Indicator(kind: "generator-software", summary: "made by X", evidenceTag: "Software", details: ["name": "X"])))
            emit(.mediaHash(MediaHash(algorithm: "pdq-frame", hash: hash, quality: 90, frameIndex: 3, frameTimeMicros: 120_000)))
            emit(.event(Event(kind: "login", description: "App login", time: WireTime(unixS: 1_724_825_523), location: Location(record: "row 1"))))
            emit(.warning(Warning(code: "partial", message: "one row unreadable", location: Location(offset: 7))))
            var echoed = Artifact(type: "file.times", properties: ["name": .string(request.file.name), "null": .null, "pi": 3.5])
            echoed.times = request.file.times
            emit(.artifact(echoed))
        }

        exhibitPluginMain(pluginID: "mirror", version: "1", analyze: analyze)


        """# + PluginScaffold.swiftHelper + "\n"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/swiftc") || FileManager.default.isExecutableFile(atPath: "/opt/swift/usr/bin/swiftc"),
                   "needs swiftc"))
    func everyMirrorDecodesIntoTheHostsRecord() throws {
        let dir = try TestDirectory("plugin-swift-mirror"); defer { dir.remove() }
        let pluginDir = dir.path("mirror"), scratch = dir.path("scratch")
        for d in [pluginDir, scratch] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        try Self.plugin.write(toFile: pluginDir + "/main.swift", atomically: true, encoding: .utf8)
        let build = try Run.shell("swiftc -O main.swift -o mirror 2>&1", currentDirectory: pluginDir)
        try #require(build.exitCode == 0, "\(build.stdout)")
        try #"{"protocol": 1, "id": "mirror", "version": "1", "summary": "s", "command": ["./mirror"], "accepts": {"path_globs": ["*"]}}"#
            .write(toFile: pluginDir + "/plugin.json", atomically: true, encoding: .utf8)
        let seoul = TimeZone(identifier: "Asia/Seoul")
        let modified = NaiveDateTime(year: 2024, month: 8, day: 29, hour: 10).resolve(in: seoul, raw: "2024-08-29 10:00:00", precision: .twoSeconds)
        let file = EvidenceFile(key: "m#1", virtualPath: "phone.zip!/chats/db.bin", size: 1,
                                hashes: FileHashes(md5: "", sha1: "", sha256: String(repeating: "1", count: 64)), mime: "application/octet-stream",
                                times: EntryTimes(modified: modified), content: .memory(Data("x".utf8)))
        let session = try PluginSession(manifest: try PluginManifest.load(directory: pluginDir),
                                        launch: PluginLaunch(executable: PluginFixture.exhibit, protect: [], scratchRoot: scratch, log: { _ in }),
                                        exchangeDirectory: scratch + "/exchange")
        defer { session.process.shutdown() }
        let reply = try session.analyzeCollecting(file, context: AnalysisContext(assumedZone: seoul, temporaryDirectory: dir.url),
                                                  exchangeDirectory: scratch + "/exchange")
        #expect(reply.outcome == .completed(invalidLines: []))
        #expect(reply.warnings == [AnalysisWarning(code: "partial", message: "one row unreadable", location: SourceLocation(offset: 7))])
        let sent = NaiveDateTime(year: 2024, month: 8, day: 28, hour: 15, minute: 12, second: 3).resolve(in: seoul, raw: "2024-08-28T15:12:03")
        let expected: [Finding] = [
            .chat(ChatInfo(chatKey: "c1", platform: .other, format: .plugin, nativeID: "t-1", title: "Kim", chatType: "direct",
                           exportedAt: TimeValue(raw: "2024-08-28T15:00:00+09:00", utcMicros: 1_724_824_800_000_000, basis: .offset, precision: .second),
                           notes: ["platform as reported by the plugin: signal"])),
            .participant(ParticipantInfo(chatKey: "c1", displayName: "Kim", nativeID: "u-1", isDeviceOwner: true)),
            .message(MessageRecord(chatKey: "c1", sequence: 0, nativeID: "m-1", kind: .message, senderName: "Kim", senderNativeID: "u-1",
                                   fromDeviceOwner: true, sent: sent,
                                   touched: TimeValue(raw: "1724825600000", utcMicros: 1_724_825_600_000_000, basis: .utc, precision: .millisecond),
                                   text: "안녕", replyToNativeID: "m-0",
                                   attachments: [AttachmentRef(reference: "a.jpg", resolvedPath: "phone.zip!/chats/a.jpg", kind: .photo, size: 10)],
                                   extra: .object(["stars": .number(2)]))),
            .metadata(MetadataEntry(namespace: .exif, tag: "Model", value: "SM-G991N", time: nil, location: SourceLocation())),
            .indicator(Indicator(kind: .generatorSoftware, summary: "made by X", evidenceTag: "Software", location: SourceLocation(),
                                 details: .object(["name": .string("X")]), times: [:])),
            .mediaHash(MediaHash(algorithm: .pdqFrame, hash: String(repeating: "0f", count: 32), quality: 90, frameIndex: 3, frameTimeMicros: 120_000)),
            .artifact(Artifact(type: "event", properties: .object(["kind": .string("login"), "description": .string("App login")]),
                               times: ["login": TimeValue(raw: "1724825523", utcMicros: 1_724_825_523_000_000, basis: .utc, precision: .second)],
                               location: SourceLocation(record: "row 1"))),
            .artifact(Artifact(type: "file.times", properties: .object(["name": .string("db.bin"), "null": .null, "pi": .number(3.5)]),
                               times: ["modified": modified])),
        ]
        #expect(reply.findings.count == expected.count)
        for (got, want) in zip(reply.findings, expected) { #expect(got == want) }
    }
}
