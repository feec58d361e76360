import Foundation
import ExhibitKit

/// The one place parsers hand findings to: numbers messages in file order, reports each
/// participant once (before its first message) and bounds what a hostile file can make us
/// remember. Parsers call it as they go, so the analyzer streams.
final class ChatEmitter {
    private let sink: any FindingSink
    private var seen: Set<ParticipantKey> = []
    private struct ParticipantKey: Hashable { var chat: String; var id: String?; var name: String? }
    /// Distinct participants remembered per file; beyond this, participants are not reported
    /// (messages still carry the sender) and one warning says so.
    static let participantLimit = 200_000
    private var participantLimitWarned = false
    private(set) var messageCount = 0
    private(set) var chatCount = 0
    private(set) var warningCodes: [String] = []

    init(_ sink: any FindingSink) { self.sink = sink }

    func chat(_ info: ChatInfo) {
        chatCount += 1
        sink.emit(.chat(info))
    }

    /// Reports a participant the first time its identity (native id, else name) shows up in a chat.
    func participant(chatKey: String, name: String?, nativeID: String?, owner: Bool = false) {
        guard name != nil || nativeID != nil else { return }
        let key = ParticipantKey(chat: chatKey, id: nativeID, name: nativeID == nil ? name : nil)
        if seen.contains(key) { return }
        if seen.count >= Self.participantLimit {
            if !participantLimitWarned {
                participantLimitWarned = true
                warning("participant-limit", "more than \(Self.participantLimit) distinct participants; further ones are not reported separately")
            }
            return
        }
        seen.insert(key)
        sink.emit(.participant(ParticipantInfo(chatKey: chatKey, displayName: name, nativeID: nativeID, isDeviceOwner: owner)))
    }

    /// Reports a message, stamping its sequence number; the sender is reported first if new.
    func message(_ record: consuming MessageRecord) {
        var m = record
        m.sequence = messageCount
        messageCount += 1
        if m.kind != .system {
            participant(chatKey: m.chatKey, name: m.senderName, nativeID: m.senderNativeID, owner: m.fromDeviceOwner)
        }
        sink.emit(.message(m))
    }

    func warning(_ code: String, _ message: String, _ location: SourceLocation? = nil) {
        warningCodes.append(code)
        sink.warn(AnalysisWarning(code: code, message: message, location: location))
    }
}
