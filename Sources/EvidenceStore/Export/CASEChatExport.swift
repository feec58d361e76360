import ExhibitKit
import Foundation
import GRDB

extension EvidenceDatabase {
    /// Applications (one per platform), accounts (one per platform + identity: native id, else
    /// the NFC display name) and messages, each attachment a `Attached_To` relationship from the
    /// linked file to its message.
    func writeCASEMessages(_ db: Database, _ g: GraphWriter, _ ids: NodeIDs, _ options: ExportOptions) throws -> Int {
        guard try db.tableExists("messages") else { return 0 }
        for p in try String.fetchAll(db, sql: "SELECT DISTINCT platform FROM chats ORDER BY platform") {
            try g.node([("@id", .string(ids.id("Application", p))), ("@type", .string("uco-observable:Application")),
                        ("uco-core:name", .string(p))])
        }
        let accounts = try Row.fetchCursor(db, sql: """
            SELECT c.platform, coalesce(p.native_id, p.display_name_nfc) AS ident, min(p.display_name), max(p.is_device_owner)
            FROM participants p JOIN chats c ON c.id = p.chat_id GROUP BY c.platform, ident ORDER BY c.platform, ident
            """)
        while let a = try accounts.next() {
            let platform: String = a[0] ?? ""
            let ident: String = a[1] ?? ""
            let key = "\(platform)|\(ident)"
            var desc = "\(platform) account seen in chat exports"
            if (a[3] as Int64? ?? 0) == 1 { desc += "; the device owner (the exporting user)" }
            try g.node([("@id", .string(ids.id("ApplicationAccount", key))), ("@type", .string("uco-observable:ApplicationAccount")),
                        ("uco-core:description", .string(desc)),
                        ("uco-core:hasFacet", .array([
                            .object([("@id", .string(ids.id("AccountFacet", key))), ("@type", .string("uco-observable:AccountFacet")),
                                     ("uco-observable:accountIdentifier", .string(ident))]),
                            .object([("@id", .string(ids.id("ApplicationAccountFacet", key))),
                                     ("@type", .string("uco-observable:ApplicationAccountFacet")),
                                     ("uco-observable:application", .ref(ids.id("Application", platform)))]),
                            .object([("@id", .string(ids.id("DigitalAccountFacet", key))), ("@type", .string("uco-observable:DigitalAccountFacet")),
                                     ("uco-observable:displayName", .string(a[2] ?? ident))]),
                        ]))])
        }
        let (win, args) = options.window("m.sent_utc_us")
        let messages = try Row.fetchCursor(db, sql: """
            SELECT m.id, e.label, f.entry_key, m.sequence, m.native_id, c.platform, coalesce(p.native_id, p.display_name_nfc),
                   m.text, m.sent_utc_us, m.sent_raw, m.sent_basis, m.kind, c.title, f.path, m.service_action, m.sent_note,
                   m.recovered, r.source, r.page, r.cell_offset, r.wal_frame
            FROM messages m JOIN chats c ON c.id = m.chat_id JOIN files f ON f.id = m.file_id JOIN evidence e ON e.id = f.evidence_id
            LEFT JOIN participants p ON p.id = m.participant_id LEFT JOIN recovered_records r ON r.id = m.recovered_record_id
            WHERE \(win)
            ORDER BY e.label, f.sort_key, m.sequence
            """, arguments: args)
        let attachments = try db.makeStatement(sql: """
            SELECT a.ordinal, e.label, f.entry_key FROM attachments a JOIN files f ON f.id = a.linked_file_id
            JOIN evidence e ON e.id = f.evidence_id WHERE a.message_id = ? ORDER BY a.ordinal
            """)
        var count = 0
        while let m = try messages.next() {
            let key = "\(m[1] as String? ?? "")|\(m[2] as String? ?? "")|\(m[3] as Int64? ?? 0)"
            let node = ids.id("Message", key)
            let platform: String = m[5] ?? ""
            var facet: [(String, JSONLD)] = [("@id", .string(ids.id("MessageFacet", key))), ("@type", .string("uco-observable:MessageFacet")),
                                             ("uco-observable:application", .ref(ids.id("Application", platform)))]
            if let sender: String = m[6] { facet.append(("uco-observable:from", .ref(ids.id("ApplicationAccount", "\(platform)|\(sender)")))) }
            if let native: String = m[4] { facet.append(("uco-observable:messageID", .string(native))) }
            facet.append(("uco-observable:messageText", .string(m[7] ?? "")))
            if let us: Int64 = m[8] { facet.append(("uco-observable:sentTime", .dateTime(us))) }
            var desc = "\(m[11] as String? ?? "message") #\(m[3] as Int64? ?? 0) of \(platform) chat '\(m[12] as String? ?? "")' in \(m[13] as String? ?? "")"
            desc += "; sent raw '\(m[9] as String? ?? "")' basis \(m[10] as String? ?? "unknown")"
            if let note: String = m[15] { desc += " (\(note))" }
            if let action: String = m[14] { desc += "; action \(action)" }
            if (m[16] as Int64? ?? 0) == 1 {
                // Said in the description only for recovered messages: live exports are unchanged.
                desc += "; recovered deleted record (not a live row): \(m[17] as String? ?? "unknown source"), page \(m[18] as Int64? ?? 0), "
                    + "cell offset \(m[19] as Int64? ?? 0)\((m[20] as Int64?).map { ", WAL frame \($0)" } ?? "")"
            }
            try g.node([("@id", .string(node)), ("@type", .string("uco-observable:Message")),
                        ("uco-core:description", .string(desc)), ("uco-core:hasFacet", .array([.object(facet)]))])
            for a in try Row.fetchAll(attachments, arguments: [m[0] as Int64]) {
                let fileNode = CASEVocabulary.fileNode(ids, a[1] ?? "", a[2] ?? "")
                try g.node(CASEVocabulary.relationship(ids.id("Relationship", "attached|\(key)|\(a[0] as Int64? ?? 0)"), "Attached_To",
                                                       source: fileNode, target: node))
            }
            count += 1
        }
        return count
    }
}
