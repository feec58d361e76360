import AppDatabaseKit
import ExhibitKit
import Foundation
import GRDB
import SQLiteForensics

extension KakaoTalkSession {
    /// The identity of a decoded row as it will be reported (its room's chat key set), the same
    /// for the live walk and the recovered rows.
    static func identity(_ d: KakaoTalkMessageMapper.Decoded) -> MessageIdentity {
        var probe = d.record
        probe.chatKey = d.chatID.map { "room:\($0)" } ?? "room:none"
        return MessageIdentity(probe)
    }

    /// Reports the recovered rows of `chat_logs` (carved by ``RecoveredTable/carve(_:tables:temporaryDirectory:)``)
    /// as messages marked recovered, after the live ones: each row goes through the live query
    /// (a common table expression named `chat_logs` stands in for the table), the live decryption
    /// — the same key from the row's `user_id` and the enc type of its `v` — and the live mapping.
    /// Not reported: a row equal to a message already reported (``MessageIdentity``), and a row
    /// with neither a log id nor any text (it stays in `recovered_records`). When recovery found
    /// rows of the table, one `kakaotalk.recovered-messages` artifact gives the counts.
    func readRecovered(_ table: RecoveredTable, _ db: Database) throws {
        let plan = ColumnPlan(table: "chat_logs", wanted: KakaoTalkMessageMapper.columns,
                              available: Set(table.columns.map { $0.lowercased() }))
        let mapper = KakaoTalkMessageMapper(plan: plan, owner: owner.id)
        let statement = try db.makeStatement(sql: "WITH \(table.cte(named: "chat_logs")) " + plan.select())
        for r in table.rows {
            guard let row = try Row.fetchOne(statement, arguments: table.arguments(r)) else { continue }
            var d = mapper.decode(row, cipher: cipher, problems: problems)
            guard !RecoveredTable.tooDamaged(d.record) else { recoveredCounts.damaged += 1; continue }
            guard seen.insert(Self.identity(d)).inserted else { recoveredCounts.copies += 1; continue }
            table.mark(&d.record, from: r, label: "recovered chat_logs")
            report(d)
            recoveredCounts.reported += 1
        }
        let c = recoveredCounts
        if c.reported + c.copies + c.damaged > 0 {
            emit(.artifact(Artifact(type: "kakaotalk.recovered-messages", properties: .object([
                "messages_recovered": .number(Double(c.reported)), "recovered_copies_of_live": .number(Double(c.copies)),
                "recovered_too_damaged": .number(Double(c.damaged)),
            ]), location: SourceLocation(record: "chat_logs"))))
        }
    }
}
