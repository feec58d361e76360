@testable import Engine
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The supervisor's entry page on its own: what the walker publishes is what the supervisor
/// reads (through a second mapping of the same memfd, as across the two processes), the
/// sequence moves with every begin and end, an identity that does not fit is refused (and goes
/// on the pipe), a stalled read is named after its timeout, and a wrong descriptor is refused.
@Suite("EntryPage")
struct EntryPageTests {
    @Test func whatTheWorkerPublishesIsWhatTheSupervisorReads() throws {
        let supervisor = try EntryPage.create()
        let worker = try EntryPage.adopt(dup(supervisor.fd))
        let idle = try #require(supervisor.snapshot())
        #expect(idle.entry == nil && idle.sequence == 0)

        let path = "seized.zip!/nested.zip!/Фото/사진 01.jpg"
        #expect(worker.begin(evidenceID: 7, position: [3, 17, 2], path: path, timeout: 3600))
        let reading = try #require(supervisor.snapshot())
        #expect(reading.sequence == 2)
        #expect(reading.entry == EntryPage.Entry(evidenceID: 7, position: [3, 17, 2], path: path, timeout: 3600))

        worker.end()
        let after = try #require(supervisor.snapshot())
        #expect(after.sequence == 4 && after.entry == nil)

        // The next entry overwrites every field: a shorter path and key leave nothing behind.
        #expect(worker.begin(evidenceID: 8, position: [4], path: "b.zip!/x", timeout: 10))
        #expect(supervisor.snapshot()?.entry == EntryPage.Entry(evidenceID: 8, position: [4], path: "b.zip!/x", timeout: 10))
    }

    @Test func anIdentityThatDoesNotFitIsRefusedAndLeavesThePageAlone() throws {
        let page = try EntryPage.create()
        let long = String(repeating: "d/", count: EntryPage.pathCapacity / 2) + "crash.bin"
        #expect(long.utf8.count > EntryPage.pathCapacity)
        #expect(!page.begin(evidenceID: 1, position: [1], path: long, timeout: 60))
        #expect(!page.begin(evidenceID: 1, position: Array(repeating: 1, count: EntryPage.maxDepth + 1), path: "x", timeout: 60))
        #expect(page.snapshot() == EntryPage.Snapshot(sequence: 0, entry: nil))
        // The longest that fits does fit, byte for byte.
        let fits = String(repeating: "é", count: EntryPage.pathCapacity / 2)
        #expect(page.begin(evidenceID: 1, position: Array(0..<EntryPage.maxDepth), path: fits, timeout: 60))
        #expect(page.snapshot()?.entry?.path == fits)
        #expect(page.snapshot()?.entry?.position == Array(0..<EntryPage.maxDepth))
    }

    @Test func aReadWhoseSequenceDoesNotMoveIsOverdueAfterItsTimeout() throws {
        let page = try EntryPage.create()
        var clock = EntryPage.StallClock()
        #expect(clock.overdue(page.snapshot(), now: 0) == nil)  // nothing being read
        #expect(page.begin(evidenceID: 2, position: [5], path: "a.zip!/slow.bin", timeout: 5))
        #expect(clock.overdue(page.snapshot(), now: 1) == nil)  // first seen at 1
        #expect(clock.overdue(page.snapshot(), now: 5.9) == nil)
        #expect(clock.overdue(page.snapshot(), now: 6.1)?.path == "a.zip!/slow.bin")
        // Many short reads are not one long one: a moved sequence restarts the clock.
        page.end()
        #expect(page.begin(evidenceID: 2, position: [6], path: "a.zip!/next.bin", timeout: 5))
        #expect(clock.overdue(page.snapshot(), now: 7) == nil)
        #expect(clock.overdue(page.snapshot(), now: 11.9) == nil)
        #expect(clock.overdue(page.snapshot(), now: 12.1)?.position == [6])
        page.end()
        #expect(clock.overdue(page.snapshot(), now: 100) == nil)
    }

    @Test func aWrongDescriptorIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-page-\(UUID().uuidString)").path
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0o600)
        try #require(fd >= 0)
        defer { close(fd); unlink(path) }
        #expect(ftruncate(fd, off_t(EntryPage.size)) == 0)
        do {
            _ = try EntryPage.adopt(fd)
            Issue.record("a regular file was adopted as the entry page")
        } catch let e as IngestError {
            #expect(e.exitCode == 2 && e.message == "--worker-page \(fd) is not the supervisor's entry page (it is for the supervisor's own use)")
        }
        // The file was not written to.
        var st = stat()
        #expect(fstat(fd, &st) == 0 && st.st_size == off_t(EntryPage.size))
        let head = FileManager.default.contents(atPath: path)?.prefix(64) ?? Data()
        #expect(head.allSatisfy { $0 == 0 })
    }
}
