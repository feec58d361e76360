import ExhibitKit

/// Counts problems by kind while an app database is read, so a million bad rows give one warning
/// per kind ("wrong-column-type: 1,000,000 values, first at message rowid 3"), never a million.
/// Shared by every app-database analyzer.
public struct ProblemTally: Sendable {
    private struct Entry: Sendable {
        var count: Int
        var first: String
        var message: String
    }
    private var entries: [String: Entry] = [:]
    private var order: [String] = []

    /// An empty tally.
    public init() {}

    /// Records one occurrence of `code` at `record`; `message` is kept from the first occurrence.
    public mutating func add(_ code: String, _ message: @autoclosure () -> String, at record: String) {
        if entries[code] != nil {
            entries[code]?.count += 1
            return
        }
        entries[code] = Entry(count: 1, first: record, message: message())
        order.append(code)
    }

    /// One warning per kind, in the order the kinds were first seen.
    public var warnings: [AnalysisWarning] {
        order.compactMap { code in
            guard let e = entries[code] else { return nil }
            let times = e.count == 1 ? "once" : "\(e.count) times"
            return AnalysisWarning(code: code, message: "\(e.message) (\(times), first at \(e.first))",
                                   location: SourceLocation(record: e.first))
        }
    }

    /// How often `code` was recorded (tests, artifacts).
    public func count(_ code: String) -> Int { entries[code]?.count ?? 0 }
}
