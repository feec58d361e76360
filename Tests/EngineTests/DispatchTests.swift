@testable import Engine
import EvidenceStore
import ExhibitKit
import ExhibitTesting
import Foundation
import Testing

/// The analyzer contract through the engine's real dispatch, in process: the built-in catalog's
/// acceptance rules choose the analyzers, ``Dispatcher`` runs them into a ``FileSink``, and the
/// ``OutcomeWriter`` commits into a real case database — once with every finding kept in memory,
/// and with the file's transaction opened after 0 and after 7 findings (the streaming mode). Both
/// modes must store the same rows (same findings digest).
@Suite struct DispatchTests {
    /// Real fixtures of several analyzers (chat export, metadata, media hash).
    static let fixtures: [(path: String, inner: String, mime: String)] = [
        ("chat/telegram/full/result.json", "full/result.json", "application/json"),
        ("metadata/jpeg/camera-le.jpg", "DCIM/camera-le.jpg", "image/jpeg"),
        ("metadata/png/sd-parameters.png", "Pictures/sd-parameters.png", "image/png"),
    ]

    static func database(_ dir: TestDirectory, _ name: String) throws -> (db: EvidenceDatabase, evidence: Int64) {
        let db = try EvidenceDatabase(path: dir.path(name))
        try db.ensureCase(name: "DISPATCH", examiner: nil, assumedZone: "Asia/Seoul", toolVersion: "test")
        let id = try db.registerEvidence(EvidenceInput(label: "seized.zip", path: "/evidence/seized.zip", kind: .file, size: 1,
                                                       hashes: FileHashes(md5: "m", sha1: "s", sha256: "0")))
        return (db, id)
    }

    static func record(_ key: EntryKey, _ inner: String, size: Int64, mime: String) -> InventoryRecord {
        let name = String(inner.split(separator: "/").last ?? "")
        return InventoryRecord(
            key: key, virtualPath: "seized.zip!/" + inner, name: name, rawName: Array(name.utf8),
            nameEncoding: "utf-8", kind: .file, mode: 0o644, declaredSize: size, size: size,
            hashes: FileHashes(md5: "", sha1: "", sha256: key.text), mime: mime, status: .ok, flags: [],
            times: EntryTimes(modified: .unixSeconds(1_724_825_524)), isContainer: false, containerFormat: nil, expandedBytes: nil)
    }

    /// Ingests the fixtures in process with `streamAfter`; returns the digest, the number of
    /// findings stored and whether any file streamed.
    static func ingest(streamAfter: Int, in dir: TestDirectory) throws -> (digest: String, rows: Int, streamed: Bool) {
        let (db, evidence) = try database(dir, "case-\(streamAfter).sqlite")
        let context = AnalysisContext(assumedZone: TimeZone(identifier: "Asia/Seoul"), temporaryDirectory: dir.url)
        let dispatcher = Dispatcher(analyzers: AnalyzerCatalog.builtin.fileAnalyzers, context: context, crashed: [], isolate: [],
                                    channel: nil, fileTimeout: 60, jobs: 2, streamAfter: streamAfter)
        let writer = OutcomeWriter(db: db, batchSize: 2)
        var streamed = false
        for (n, f) in fixtures.enumerated() {
            let data = try Data(contentsOf: Corpus.url(f.path))
            let key = EntryKey([n])
            let file = EvidenceFile(key: "seized.zip#\(key.text)", virtualPath: "seized.zip!/" + f.inner, size: Int64(data.count),
                                    hashes: FileHashes(md5: "", sha1: "", sha256: key.text), mime: f.mime, content: .memory(data))
            let selected = dispatcher.select(for: file)
            #expect(!selected.isEmpty, "no analyzer accepts \(f.path)")
            let sink = FileSink(outcome: FileOutcome(evidenceID: evidence, record: record(key, f.inner, size: Int64(data.count), mime: f.mime),
                                                     findings: [], errors: []),
                                writer: writer, streamAfter: streamAfter)
            try dispatcher.lanes.runAndWait {
                try dispatcher.run(selected, on: file, evidenceID: evidence, entryKey: key, into: sink)
                streamed = streamed || sink.isStreaming
                try sink.finish()
            }
        }
        try writer.flush()
        let rows = try Fixture.open(dir.path("case-\(streamAfter).sqlite")).read {
            try Int.fetchOne($0, sql: "SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM metadata) + (SELECT count(*) FROM media_hashes)") ?? 0
        }
        return (try db.digest(), rows, streamed)
    }

    @Test func bothSinkModesStoreTheSameRows() throws {
        let dir = try TestDirectory("dispatch-modes")
        defer { dir.remove() }
        let memory = try Self.ingest(streamAfter: .max, in: dir)
        #expect(!memory.streamed)
        #expect(memory.rows > 20)
        for after in [0, 7] {
            let streaming = try Self.ingest(streamAfter: after, in: dir)
            #expect(streaming.streamed, "streamAfter \(after) opened no transaction")
            #expect(streaming.rows == memory.rows)
            #expect(streaming.digest == memory.digest, "streamAfter \(after)")
        }
    }

    /// Every built-in analyzer that accepts a fixture emits only the kinds it declares, and the
    /// same output twice.
    @Test(arguments: fixtures.map(\.path))
    func everyEmittedKindIsDeclared(_ path: String) throws {
        let f = try #require(Self.fixtures.first { $0.path == path })
        let data = try Data(contentsOf: Corpus.url(f.path))
        let file = EvidenceFile(key: "k", virtualPath: "seized.zip!/" + f.inner, size: Int64(data.count),
                                hashes: FileHashes(md5: "", sha1: "", sha256: "k"), mime: f.mime, content: .memory(data))
        let context = AnalysisContext(assumedZone: nil, temporaryDirectory: FileManager.default.temporaryDirectory)
        var ran = 0
        for analyzer in AnalyzerCatalog.builtin.fileAnalyzers where AnalyzerHarness.accepts(analyzer, file) {
            let out = try AnalyzerHarness.run(analyzer, on: file, context: context, twice: true)
            #expect(!out.findings.isEmpty, "\(analyzer.descriptor.id) found nothing in \(path)")
            ran += 1
        }
        #expect(ran > 0)
    }

    /// An analyzer that emits, warns, then throws: what it emitted and its warning are kept, its
    /// error is one row — in memory and streaming alike.
    @Test(arguments: [Int.max, 0, 2])
    func anAnalyzerErrorKeepsWhatWasEmitted(_ streamAfter: Int) throws {
        let dir = try TestDirectory("dispatch-throw")
        defer { dir.remove() }
        let (db, evidence) = try Self.database(dir, "case.sqlite")
        let context = AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url)
        let dispatcher = Dispatcher(analyzers: [EmitsThenThrows()], context: context, crashed: [], isolate: [],
                                    channel: nil, fileTimeout: 60, jobs: 1, streamAfter: streamAfter)
        let writer = OutcomeWriter(db: db, batchSize: 1)
        let data = Data("x".utf8)
        let file = EvidenceFile(key: "k", virtualPath: "seized.zip!/a.txt", size: 1, hashes: FileHashes(md5: "", sha1: "", sha256: "0"),
                                mime: "text/plain", content: .memory(data))
        let sink = FileSink(outcome: FileOutcome(evidenceID: evidence, record: Self.record(EntryKey([0]), "a.txt", size: 1, mime: "text/plain"),
                                                 findings: [], errors: []), writer: writer, streamAfter: streamAfter)
        try dispatcher.lanes.runAndWait {
            try dispatcher.run(dispatcher.select(for: file), on: file, evidenceID: evidence, entryKey: EntryKey([0]), into: sink)
            try sink.finish()
        }
        try writer.flush()
        let (artifacts, errors) = try Fixture.open(dir.path("case.sqlite")).read { db in
            (try String.fetchAll(db, sql: "SELECT type FROM artifacts ORDER BY id"),
             try String.fetchAll(db, sql: "SELECT status || ' ' || code FROM analysis_errors ORDER BY id"))
        }
        #expect(artifacts == ["t.one", "t.two", "t.three"])
        #expect(errors == ["warning half-read", "error gave-up"])
    }

    /// The writer holds a container's row until both its own analysis and its walk are done.
    @Test func aContainerCommitsOnlyWhenAnalysedAndClosed() throws {
        let dir = try TestDirectory("dispatch-container")
        defer { dir.remove() }
        let (db, evidence) = try Self.database(dir, "case.sqlite")
        let writer = OutcomeWriter(db: db, batchSize: 1)
        var rec = Self.record(EntryKey([0]), "inner.zip", size: 10, mime: "application/zip")
        rec.isContainer = true
        let container = FileOutcome(evidenceID: evidence, record: rec, findings: [], errors: [])
        writer.openContainer(container)
        try writer.deliver(container)
        let child = Self.record(EntryKey([0, 0]), "inner.zip!/a.txt", size: 1, mime: "text/plain")
        try writer.deliver(FileOutcome(evidenceID: evidence, record: child, findings: [], errors: []))
        try writer.flush()
        let keys = { try Fixture.open(dir.path("case.sqlite")).read { try String.fetchAll($0, sql: "SELECT entry_key FROM files ORDER BY entry_key") } }
        #expect(try keys() == ["0/0"])
        try writer.closeContainer(evidenceID: evidence, entryKey: EntryKey([0]), status: .ok, message: nil, format: "zip", flags: [], expandedBytes: 10)
        try writer.flush()
        #expect(try keys() == ["0", "0/0"])
        #expect(writer.committedCount == 2)
    }
}

/// The pipe tells the producer when it had to wait for the writer: the dispatcher then restarts
/// the supervisor's clock for the pair, so time spent waiting for the store is not "hanging".
@Suite struct FindingPipeWaitTests {
    @Test func aPutThatWaitedForTheWriterSaysSo() throws {
        let pipe = FindingPipe(batchSize: 1, maxBatches: 1)
        let f = ProducedFinding(analyzerID: "a", analyzerVersion: "1", finding: .artifact(Artifact(type: "t", properties: .object([:]))))
        #expect(try pipe.put(f) == false)          // one batch may wait: no waiting yet
        let waited = WaitBox()
        let done = DispatchSemaphore(value: 0)
        let producer = Thread {
            waited.value = (try? pipe.put(f)) ?? false   // the pipe is full: waits for a take
            pipe.close(errors: [])
            done.signal()
        }
        producer.start()
        Thread.sleep(forTimeInterval: 0.2)
        #expect(pipe.take()?.count == 1)
        done.wait()
        #expect(waited.value == true)
        #expect(pipe.take()?.count == 1)
        #expect(pipe.take() == nil)
    }

    private final class WaitBox: @unchecked Sendable {
        // Safe: written by the producer thread before `done` is signalled, read after.
        var value = false
    }
}

/// Emits three artifacts and a warning, then throws.
private struct EmitsThenThrows: Analyzer {
    var descriptor: AnalyzerDescriptor {
        AnalyzerDescriptor(id: "emits-then-throws", version: "1", summary: "test", accepts: Acceptance(mimeTypes: ["text/plain"]),
                           produces: [.artifact])
    }
    func analyze(_ file: EvidenceFile, context: AnalysisContext, into sink: any FindingSink) throws {
        for t in ["t.one", "t.two"] { sink.emit(.artifact(Artifact(type: t, properties: .object([:])))) }
        sink.warn("half-read", "read half")
        sink.emit(.artifact(Artifact(type: "t.three", properties: .object([:]))))
        throw AnalyzerError(code: "gave-up", message: "stopped")
    }
}
