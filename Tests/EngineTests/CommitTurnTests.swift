@testable import Engine
import EvidenceStore
import ExhibitKit
import ExhibitTesting
import Foundation
import GRDB
import Testing

/// The writer commits files in the turns the walker gave them, whatever order their analyses end
/// in, so row ids follow the walk (docs/architecture.md, "Determinism").
@Suite struct CommitTurnTests {
    static func outcome(_ evidence: Int64, _ n: Int) -> FileOutcome {
        FileOutcome(evidenceID: evidence, record: DispatchTests.record(EntryKey([n]), "f\(n).txt", size: 1, mime: "text/plain"),
                    findings: [], errors: [])
    }

    static func rows(_ dir: TestDirectory) throws -> [String] {
        try Fixture.open(dir.path("case.sqlite")).read {
            try String.fetchAll($0, sql: "SELECT id || ':' || entry_key FROM files ORDER BY id")
                + String.fetchAll($0, sql: "SELECT 'a' || id || ':' || file_id FROM artifacts ORDER BY id")
        }
    }

    @Test func aFileFinishedEarlyWaitsForTheEarlierTurn() throws {
        let dir = try TestDirectory("turns"); defer { dir.remove() }
        let (db, evidence) = try DispatchTests.database(dir, "case.sqlite")
        let writer = OutcomeWriter(db: db, batchSize: 1)
        let turns = (0..<3).map { _ in writer.takeTurn() }
        try writer.deliver(Self.outcome(evidence, 2), turn: turns[2])
        try writer.deliver(Self.outcome(evidence, 1), turn: turns[1])
        try writer.flush()
        #expect(try Self.rows(dir) == [], "turn 0 is still being analysed: nothing may commit")
        try writer.deliver(Self.outcome(evidence, 0), turn: turns[0])
        try writer.flushAll()
        #expect(try Self.rows(dir) == ["1:0", "2:1", "3:2"])
        #expect(writer.committedCount == 3)
    }

    /// Memory is bounded: past `maxEarly` files waiting for an earlier turn, the next later one
    /// waits in `deliver` until that turn comes.
    @Test func pastTheBoundALaterFileWaits() throws {
        let dir = try TestDirectory("turns-bound"); defer { dir.remove() }
        let (db, evidence) = try DispatchTests.database(dir, "case.sqlite")
        let writer = OutcomeWriter(db: db, batchSize: 1, maxEarly: 1)
        let turns = (0..<3).map { _ in writer.takeTurn() }
        try writer.deliver(Self.outcome(evidence, 2), turn: turns[2])
        let done = DispatchSemaphore(value: 0)
        let blocked = Thread {
            _ = try? writer.deliver(Self.outcome(evidence, 1), turn: turns[1])
            done.signal()
        }
        blocked.start()
        #expect(done.wait(timeout: .now() + 0.3) == .timedOut, "one file already waits: the second must wait too")
        try writer.deliver(Self.outcome(evidence, 0), turn: turns[0])
        done.wait()
        try writer.flushAll()
        #expect(try Self.rows(dir) == ["1:0", "2:1", "3:2"])
    }

    /// The bound counts findings too: waiting files that hold more than `maxEarlyFindings`
    /// findings make the next later one wait, however few files wait.
    @Test func pastTheFindingsBoundALaterFileWaits() throws {
        let dir = try TestDirectory("turns-findings"); defer { dir.remove() }
        let (db, evidence) = try DispatchTests.database(dir, "case.sqlite")
        let writer = OutcomeWriter(db: db, batchSize: 1, maxEarlyFindings: 3)
        let turns = (0..<3).map { _ in writer.takeTurn() }
        @Sendable func withFindings(_ n: Int, _ count: Int) -> FileOutcome {
            var o = Self.outcome(evidence, n)
            o.findings = (0..<count).map { i in
                ProducedFinding(analyzerID: "a", analyzerVersion: "1",
                                finding: .artifact(Artifact(type: "t\(i)", properties: .object([:]))))
            }
            return o
        }
        try writer.deliver(withFindings(2, 2), turn: turns[2])
        let done = DispatchSemaphore(value: 0)
        let second = withFindings(1, 2)
        let blocked = Thread {
            _ = try? writer.deliver(second, turn: turns[1])
            done.signal()
        }
        blocked.start()
        #expect(done.wait(timeout: .now() + 0.3) == .timedOut, "two findings wait already: two more pass the bound of three")
        try writer.deliver(Self.outcome(evidence, 0), turn: turns[0])
        done.wait()
        try writer.flushAll()
        #expect(try Self.rows(dir).prefix(3) == ["1:0", "2:1", "3:2"])
    }

    /// A file streaming into its own transaction waits for its turn too, then the later files follow.
    @Test func aStreamingFileWaitsForItsTurn() throws {
        let dir = try TestDirectory("turns-stream"); defer { dir.remove() }
        let (db, evidence) = try DispatchTests.database(dir, "case.sqlite")
        let writer = OutcomeWriter(db: db, batchSize: 1)
        let turns = (0..<3).map { _ in writer.takeTurn() }
        try writer.deliver(Self.outcome(evidence, 2), turn: turns[2])
        let done = DispatchSemaphore(value: 0)
        let failed = ErrorBox()
        let streaming = Thread {
            var batches = [[ProducedFinding(analyzerID: "a", analyzerVersion: "1",
                                            finding: .artifact(Artifact(type: "t", properties: .object([:]))))]]
            do {
                try writer.deliverStreaming(Self.outcome(evidence, 1), turn: turns[1], next: { batches.popLast() }, errors: { [] })
            } catch { failed.error = error }
            done.signal()
        }
        streaming.start()
        #expect(done.wait(timeout: .now() + 0.3) == .timedOut, "the streaming file committed before turn 0")
        try writer.deliver(Self.outcome(evidence, 0), turn: turns[0])
        done.wait()
        #expect(failed.error == nil)
        try writer.flushAll()
        #expect(try Self.rows(dir) == ["1:0", "2:1", "3:2", "a1:2"])
    }

    /// A turn whose file never arrives is an error at the end, never a file silently left out;
    /// and a failure elsewhere wakes a streaming file waiting for that turn.
    @Test func aMissingTurnIsAnErrorAndAFailureWakesTheWaiters() throws {
        let dir = try TestDirectory("turns-missing"); defer { dir.remove() }
        let (db, evidence) = try DispatchTests.database(dir, "case.sqlite")
        let writer = OutcomeWriter(db: db, batchSize: 1)
        let turns = (0..<2).map { _ in writer.takeTurn() }
        let done = DispatchSemaphore(value: 0)
        let failed = ErrorBox()
        let streaming = Thread {
            do {
                try writer.deliverStreaming(Self.outcome(evidence, 1), turn: turns[1], next: { nil }, errors: { [] })
            } catch { failed.error = error }
            done.signal()
        }
        streaming.start()
        writer.fail(IngestError("the analysis of turn 0 failed"))
        done.wait()
        #expect((failed.error as? IngestError)?.message == "the analysis of turn 0 failed")
        #expect(throws: IngestError.self) { try writer.flushAll() }
        #expect(try Self.rows(dir) == [])
    }

    private final class ErrorBox: @unchecked Sendable {
        // Safe: written by the thread before `done` is signalled, read after.
        var error: Error?
    }
}
