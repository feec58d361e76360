import ExhibitKit

/// Counts problems by kind while a database is read: one warning per kind with its count and the
/// first place it was met, never one per row.
struct Problems {
    private var entries: [String: (count: Int, first: String, message: String)] = [:]
    private var order: [String] = []

    /// Records one occurrence of `code` at `record`; the message is kept from the first one.
    mutating func add(_ code: String, _ message: @autoclosure () -> String, at record: String) {
        if entries[code] != nil { entries[code]?.count += 1; return }
        entries[code] = (1, record, message())
        order.append(code)
    }

    /// One warning per kind, in first-seen order.
    var warnings: [AnalysisWarning] {
        order.compactMap { code in
            guard let e = entries[code] else { return nil }
            let times = e.count == 1 ? "once" : "\(e.count) times"
            return AnalysisWarning(code: code, message: "\(e.message) (\(times), first at \(e.first))",
                                   location: SourceLocation(record: e.first))
        }
    }
}
