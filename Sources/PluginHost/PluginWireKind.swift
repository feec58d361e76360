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

    /// Stored kinds a plugin may not send: those without a ``FindingKind/wirePayload`` (their
    /// findings come only from built-in analyzers).
    static let notFromPlugins: Set<FindingKind> = Set(FindingKind.allCases.filter { $0.wirePayload == nil })

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

    /// The form `data` of this kind is decoded by: the payload's, declared beside it in
    /// ExhibitKit, or the wire-only kinds' below.
    var form: WireForm {
        switch self {
        // `all` holds only the kinds with a payload type; the artifact's form stands in otherwise.
        case .stored(let k): return k.wirePayload?.wireForm ?? Artifact.wireForm
        case .event: return Self.eventForm
        case .warning: return Self.warningForm
        }
    }

    /// `event`: stored as an artifact of type `event` with one named time (`PluginWire.item`).
    static let eventForm = WireForm(
        "event", mirror: "Event",
        summary: "something that happened at a time. Stored as an artifact of type `event` with properties `kind`, "
            + "`description` (+ your `properties`) and one named time called after `kind`.",
        fields: [
            WireField("kind", .string, required: true, example: #""login""#, "what happened; also the name of its time"),
            WireField("description", .string, required: true, example: #""App login from a new device""#),
            WireField("time", .time, required: true, example: #"{"instant": "2024-08-28T06:12:03Z"}"#),
            WireField("properties", .object), WireField("location", .location),
        ])

    /// `warning`: a recorded warning of the file, not a finding.
    static let warningForm = WireForm(
        "warning", mirror: "Warning", summary: "a problem with the file that did not stop you. Stored in `analysis_errors` with status `warning`.",
        fields: [
            WireField("code", .string, required: true, example: #""bad-date""#, "short and stable"),
            WireField("message", .string, required: true, example: #""one row has no date""#, "a sentence for the examiner"),
            WireField("location", .location),
        ])

    /// The forms of every kind a plugin may send (``all``'s order), for the helpers and the docs.
    static var forms: [WireForm] { all.map(\.form) }

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
