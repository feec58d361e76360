import EvidenceStore
import ExhibitKit
import Foundation

extension EvidenceDatabase {
    /// Applications (one per platform), accounts (one per platform + identity: native id, else
    /// the NFC display name) and messages, each attachment a `Attached_To` relationship from the
    /// linked file to its message.
    func writeCASEMessages(_ q: CaseOutputReader, _ g: GraphWriter, _ ids: NodeIDs, _ options: ExportOptions) throws -> Int {
        guard try q.hasRelation("messages") else { return 0 }
        for p in try q.chatPlatforms() {
            try g.node([("@id", .string(ids.id("Application", p))), ("@type", .string("uco-observable:Application")),
                        ("uco-core:name", .string(p))])
        }
        let accounts = try q.chatAccounts()
        while let a = try accounts.next() {
            let platform = a.platform ?? ""
            let ident = a.identifier ?? ""
            let key = "\(platform)|\(ident)"
            var desc = "\(platform) account seen in chat exports"
            if (a.isDeviceOwner ?? 0) == 1 { desc += "; the device owner (the exporting user)" }
            try g.node([("@id", .string(ids.id("ApplicationAccount", key))), ("@type", .string("uco-observable:ApplicationAccount")),
                        ("uco-core:description", .string(desc)),
                        ("uco-core:hasFacet", .array([
                            .object([("@id", .string(ids.id("AccountFacet", key))), ("@type", .string("uco-observable:AccountFacet")),
                                     ("uco-observable:accountIdentifier", .string(ident))]),
                            .object([("@id", .string(ids.id("ApplicationAccountFacet", key))),
                                     ("@type", .string("uco-observable:ApplicationAccountFacet")),
                                     ("uco-observable:application", .ref(ids.id("Application", platform)))]),
                            .object([("@id", .string(ids.id("DigitalAccountFacet", key))), ("@type", .string("uco-observable:DigitalAccountFacet")),
                                     ("uco-observable:displayName", .string(a.displayName ?? ident))]),
                        ]))])
        }
        let messages = try q.messageRecords(window: options.window)
        var count = 0
        while let m = try messages.next() {
            let key = "\(m.evidenceLabel ?? "")|\(m.entryKey ?? "")|\(m.sequence ?? 0)"
            let node = ids.id("Message", key)
            let platform = m.platform ?? ""
            var facet: [(String, JSONLD)] = [("@id", .string(ids.id("MessageFacet", key))), ("@type", .string("uco-observable:MessageFacet")),
                                             ("uco-observable:application", .ref(ids.id("Application", platform)))]
            if let sender = m.senderIdentifier { facet.append(("uco-observable:from", .ref(ids.id("ApplicationAccount", "\(platform)|\(sender)")))) }
            if let native = m.nativeID { facet.append(("uco-observable:messageID", .string(native))) }
            facet.append(("uco-observable:messageText", .string(m.text ?? "")))
            if let us = m.sentMicros { facet.append(("uco-observable:sentTime", .dateTime(us))) }
            var desc = "\(m.kind ?? "message") #\(m.sequence ?? 0) of \(platform) chat '\(m.chatTitle ?? "")' in \(m.exportPath ?? "")"
            desc += "; sent raw '\(m.sentRaw ?? "")' basis \(m.sentBasis ?? "unknown")"
            if let note = m.sentNote { desc += " (\(note))" }
            if let action = m.serviceAction { desc += "; action \(action)" }
            if (m.recovered ?? 0) == 1 {
                // Said in the description only for recovered messages: live exports are unchanged.
                desc += "; recovered deleted record (not a live row): \(m.recoverySource ?? "unknown source"), page \(m.recoveryPage ?? 0), "
                    + "cell offset \(m.recoveryCellOffset ?? 0)\(m.recoveryWALFrame.map { ", WAL frame \($0)" } ?? "")"
            }
            try g.node([("@id", .string(node)), ("@type", .string("uco-observable:Message")),
                        ("uco-core:description", .string(desc)), ("uco-core:hasFacet", .array([.object(facet)]))])
            for a in try q.linkedAttachments(messageID: m.id) {
                let fileNode = CASEVocabulary.fileNode(ids, a.evidenceLabel ?? "", a.entryKey ?? "")
                try g.node(CASEVocabulary.relationship(ids.id("Relationship", "attached|\(key)|\(a.ordinal ?? 0)"), "Attached_To",
                                                       source: fileNode, target: node))
            }
            count += 1
        }
        return count
    }
}
