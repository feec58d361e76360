import ExhibitKit

/// The `kind` of a reply's `finding` line. The stored kinds are ExhibitKit's ``FindingKind`` —
/// the one list of finding-kind names, whose raw values are the wire names — plus two wire-only
/// kinds: `event` (stored as an artifact of type `event`) and `warning` (a recorded warning of
/// the file, not a finding).
enum PluginWireKind: Hashable, Sendable {
    /// A finding stored as this kind.
    case stored(FindingKind)
    /// An artifact of type `event` with one named time.
    case event
    /// A warning about the file.
    case warning

    /// Stored kinds a plugin may not send: those without a ``FindingKind/pluginSample`` (their
    /// findings come only from built-in analyzers).
    static let notFromPlugins: Set<FindingKind> = Set(FindingKind.allCases.filter { $0.pluginSample == nil })

    /// Every kind a plugin may send, in ``FindingKind`` order, then `event` and `warning`.
    static let all: [PluginWireKind] = FindingKind.allCases.filter { !notFromPlugins.contains($0) }.map { .stored($0) } + [.event, .warning]

    /// The wire names of ``all`` (the handshake's `finding_kinds`, the error messages).
    static let names: [String] = all.map(\.wireName)

    /// The kind a wire name stands for; nil for names a plugin may not send.
    init?(wireName: String) {
        guard let k = Self.all.first(where: { $0.wireName == wireName }) else { return nil }
        self = k
    }

    /// The name on the wire (`media_hash`, `event`).
    var wireName: String {
        switch self {
        case .stored(let k): return k.rawValue
        case .event: return "event"
        case .warning: return "warning"
        }
    }

    /// The stored kinds a manifest's `produces` names stand for, in order, without repeats
    /// (`event` is stored as `artifact`; `warning` is no finding kind).
    static func storedKinds(_ names: [String]) -> [FindingKind] {
        var out: [FindingKind] = []
        for n in names {
            let k: FindingKind?
            switch PluginWireKind(wireName: n) {
            case .stored(let s): k = s
            case .event: k = .artifact
            case .warning, nil: k = nil
            }
            if let k, !out.contains(k) { out.append(k) }
        }
        return out
    }
}
