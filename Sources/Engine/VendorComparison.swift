import EvidenceStore
import ExhibitKit
import Foundation

extension EvidenceItemRun {
    /// A UFDR's own decoded chats are a second source, never a substitute: after the walk, the
    /// messages the report lists per app (`Source` of its `Chat` models) are compared with the
    /// messages Exhibit decoded from that app's databases in the same item. Both counts are kept
    /// in `device_layouts.facts.vendor_message_counts`; a disagreement is a warning there and on
    /// the terminal (the databases stay the finding).
    func compareVendorMessages(_ map: DeviceMap, evidenceID: Int64, label: String) throws {
        let ours = try db.appDatabaseMessageCounts(evidenceID: evidenceID)
        var counts: [String: JSONValue] = [:]
        var warnings = map.warnings
        for (source, vendor) in map.vendorMessages.sorted(by: { $0.key < $1.key }) {
            let platform = String(source.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) })
            let mine = ours[platform] ?? 0
            counts[source] = .object(["vendor": .number(Double(vendor)), "exhibit": .number(Double(mine)), "platform": .string(platform)])
            if mine != vendor {
                warnings.append("report.xml lists \(vendor) \(source) message(s); Exhibit decoded \(mine) from the \(platform) databases of this item: the databases are the finding, the disagreement is for the examiner to explain")
            }
        }
        var facts = map.facts
        facts["vendor_message_counts"] = .object(counts)
        if !warnings.isEmpty { facts["warnings"] = .array(warnings.map(JSONValue.string)) }
        try db.recordDeviceSource(evidenceID: evidenceID, container: label + VirtualPath.containerSeparator, kind: map.kind,
                                  platform: map.platform, root: map.root, mount: map.mount, facts: .object(facts))
        for w in warnings where !map.warnings.contains(w) {
            FileHandle.standardError.write(Data("exhibit: \(Self.safe(label)): \(w)\n".utf8))
        }
    }
}
