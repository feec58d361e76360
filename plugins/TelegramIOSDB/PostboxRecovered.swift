import AppDatabaseKit
import ExhibitKit
import ExhibitSupport
import Foundation
import GRDB
import SQLiteForensics

/// A recovered t7 row being reported: the carved table (for marking) and the row.
struct RecoveredMessage {
    let table: RecoveredTable
    let row: RecoveredRow
}

extension PostboxReader {
    /// Reports each recovered t7 row (a deleted message, or an older version of one, carved from
    /// the `WITHOUT ROWID` table's index b-tree pages) through the live decoding and mapping,
    /// after all live messages. A row becomes a message only when its key is a whole 20-byte
    /// MessageIndex and its value decodes to the end as a stored message (entry type 0, no
    /// field cut short): a carved blob is otherwise too easily a misaligned reading. Not when the
    /// message equals one already reported (``MessageIdentity``). Media: embedded media come from
    /// the recovered value itself; referenced media (by id) from the live t6 entry of that id.
    func readRecovered() {
        guard let table = recovered else { return }
        let hasMedia = db.columns(of: "t6") != nil
        do {
            try db.read { database in
                for r in table.rows {
                    guard r.values.count == 2, case .blob(let keyBytes) = r.values[0], let key = MessageKey(keyBytes),
                          case .blob(let value) = r.values[1] else {
                        recoveredCounts.damaged += 1
                        continue
                    }
                    let stored = StoredMessage(value)
                    guard stored.unknownEntryType == nil, stored.problem == nil, stored.objectProblems.isEmpty, stored.text != nil else {
                        recoveredCounts.damaged += 1
                        continue
                    }
                    let record = "recovered t7 key " + Hex.encode(keyBytes)
                    let t6: (Int32, Int64) -> Data? = { ns, id in
                        guard hasMedia else { return nil }
                        let v = try? DatabaseValue.fetchOne(database, sql: "SELECT value FROM t6 WHERE key = ?",
                                                            arguments: [Data(StoredMedia.key(namespace: ns, id: id))])
                        if case .blob(let d)? = v?.storage { return d }
                        return nil
                    }
                    let t7: (MessageKey) -> [UInt8]? = { k in
                        let v = try? DatabaseValue.fetchOne(database, sql: "SELECT value FROM t7 WHERE key = ?", arguments: [Data(k.bytes)])
                        if case .blob(let d)? = v?.storage { return Array(d) }
                        return nil
                    }
                    message(key, stored, record: record, t6: t6, t7: t7, recovered: RecoveredMessage(table: table, row: r))
                }
            }
        } catch {
            problems.add("recovered-read-stopped", "reading recovered t7 rows stopped (\(error)); what was read is kept", at: "t7")
        }
    }

    /// Emits a message: a live one (remembered when a recovered row shares its key), or a
    /// recovered one unless it equals a message already reported; then marked with its record.
    func emitMessage(_ msg: MessageRecord, key: MessageKey, recovered: RecoveredMessage?) {
        var msg = msg
        if let recovered {
            guard seen.insert(MessageIdentity(msg)).inserted else {
                recoveredCounts.copies += 1
                return
            }
            recovered.table.mark(&msg, from: recovered.row, label: "recovered t7 key \(Hex.encode(key.bytes))")
            recoveredCounts.reported += 1
        } else if watch.contains(key.bytes) {
            seen.insert(MessageIdentity(msg))
        }
        msg.sequence = sequence
        sequence += 1
        emit(.message(msg))
    }
}
