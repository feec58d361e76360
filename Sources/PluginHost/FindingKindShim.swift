import ExhibitKit

// TEMPORARY: the shape of ExhibitKit's `FindingKind` and `Finding.kind` (issue 18 part 1, being
// added in main). Deleted when main's version is merged.
enum FindingKind: String, Sendable, Hashable, Codable, CaseIterable {
    case artifact, chat, participant, message, metadata, indicator
    case mediaHash = "media_hash"
    case recoveredRecord = "recovered_record"
}

extension Finding {
    var kind: FindingKind? {
        switch self {
        case .warning: return nil
        case .artifact: return .artifact
        case .chat: return .chat
        case .participant: return .participant
        case .message: return .message
        case .metadata: return .metadata
        case .indicator: return .indicator
        case .mediaHash: return .mediaHash
        case .recoveredRecord: return .recoveredRecord
        }
    }
}
