import Foundation
@testable import LabIndex
import Testing

/// The worker's children (`exhibit ingest`, `verify`) run under `setpriv --pdeathsig KILL`, and
/// Linux sends that signal when the parent THREAD ends. Spawned from a concurrency-pool thread,
/// a child was killed ~5 s later when the pool retired the idle thread (measured: `sleep 25` died
/// of SIGKILL after 5 s) — an ingest killed mid-item at random, the cause of the three-worker
/// test's rare digest difference. A child must live as long as it runs.
@Suite("Lab index: worker children")
struct LabChildTests {
    @Test func aChildOutlivesTheIdleTimeOfThePoolThreads() async throws {
        let t0 = Date()
        let r = await Child.run("/bin/sleep", ["12"])
        let seconds = Date().timeIntervalSince(t0)
        #expect(r.code == 0, "the child ended with \(r.code) after \(Int(seconds)) s (137: killed by the parent-death signal)")
        #expect(seconds >= 11.5)
    }

    @Test func aMissingProgramIsReportedNotHung() async {
        let r = await Child.run("/nonexistent/exhibit", ["ingest"])
        #expect(r.code != 0)
    }
}
