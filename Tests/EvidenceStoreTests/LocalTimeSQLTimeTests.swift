@testable import EvidenceStore
import ExhibitKit
import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Issue 15, item 8: the exports' local time, computed by SQLite from the zone's offset changes,
/// equals the CLI's (`CaseTimeText.local`) on both sides of DST changes, before 1970 and with a
/// fraction of a second — whatever the machine's zone ("Time": run under several TZ values).
@Suite(.tags(.timeZone)) struct LocalTimeSQLTimeTests {
    @Test(arguments: ["America/New_York", "Europe/London", "Asia/Seoul", "Australia/Lord_Howe"])
    func sqlAgreesWithTheCLIAcrossOffsetChanges(zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        let clock = CaseTimeText(zone: zone)
        // Around New York's 2024 changes (10 March 07:00Z, 3 November 06:00Z), London's, a
        // fraction, a second before 1970, and a summer and winter of 1969.
        let instants: [Int64] = [
            1_710_053_999_000_000, 1_710_054_000_000_000, 1_730_613_599_999_999, 1_730_613_600_000_000,
            1_711_846_799_000_000, 1_711_846_800_000_000, 1_724_825_523_120_000, -1_000_000, -1, -15_000_000_000_000, -2_000_000_000_000,
        ]
        let expression = LocalTimeSQL.expression("v", clock: clock, range: (instants.min() ?? 0, instants.max() ?? 0))
        let queue = try DatabaseQueue()
        let fromSQL = try queue.read { db in
            try instants.map { try String.fetchOne(db, sql: "SELECT \(expression) FROM (SELECT ? AS v)", arguments: [$0]) }
        }
        #expect(fromSQL == instants.map { CaseTimeText.local(micros: $0, zone: zone) }, "\(zoneName)")
        #expect(try queue.read { try String.fetchOne($0, sql: "SELECT \(expression) FROM (SELECT NULL AS v)") } == nil)
        #expect(LocalTimeSQL.expression("v", clock: CaseTimeText(zone: nil), range: (0, 1)) == "NULL")
    }
}
