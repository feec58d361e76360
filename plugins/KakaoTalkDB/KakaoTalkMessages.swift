import ExhibitKit
import Foundation
import GRDB

/// Turns `chat_logs` rows into messages: decrypts `message` and `attachment` with the sender's
/// user id and the row's enc type (from `v`), maps the type code, the deleted markers and the
/// attachment JSON.
struct KakaoTalkMessageMapper {
    /// Bit the app sets on a message's type when it is deleted (`type | 0x4000`).
    static let deletedFlag: Int64 = 16384

    /// The columns read from `chat_logs` (missing ones read as NULL).
    static let columns = ["id", "type", "chat_id", "user_id", "message", "attachment", "created_at", "deleted_at", "v"]

    let plan: ColumnPlan
    let owner: Int64?

    /// A decoded row, before names and chat keys are attached.
    struct Decoded {
        var rowid: Int64
        var chatID: Int64?
        var user: Int64?
        var record: MessageRecord
    }

    func decode(_ row: Row, cipher: KakaoTalkCipher, problems: KakaoTalkProblems) -> Decoded {
        let rowid = Value.int(row[0]) ?? 0
        let where_ = "chat_logs rowid \(rowid)"
        let chatID = Value.int(row[plan.index("chat_id")])
        let user = Value.int(row[plan.index("user_id")])
        let rawType = Value.int(row[plan.index("type")])
        let baseType = rawType.map { $0 & ~Self.deletedFlag }
        let deletedAt = Value.int(row[plan.index("deleted_at")])
        let enc = Value.text(row[plan.index("v")]).flatMap(Value.encType(fromV:))
        var extra: [String: JSONValue] = [:]
        if let rawType { extra["kakao_type"] = .number(Double(rawType)) }
        if let enc { extra["enc"] = .number(Double(enc)) }
        if let deletedAt, deletedAt != 0 { extra["deleted_at"] = .number(Double(deletedAt)) }

        var text = ""
        if let raw = Value.text(row[plan.index("message")]), !raw.isEmpty {
            switch decrypt(raw, user: user, enc: enc, column: "chat_logs.message", record: where_, cipher: cipher, problems: problems) {
            case .success(let s): text = s
            case .failure(let f):
                extra["undecrypted"] = .string(raw)
                extra["decrypt_error"] = .string(f.rawValue)
                extra["enc"] = enc.map { .number(Double($0)) } ?? .null
            }
        }
        var attachments: [AttachmentRef] = []
        var replyTo: String?
        if let raw = Value.text(row[plan.index("attachment")]), !raw.isEmpty, raw != "{}" {
            switch decrypt(raw, user: user, enc: enc, column: "chat_logs.attachment", record: where_, cipher: cipher, problems: problems) {
            case .success(let s):
                if let json = Value.json(s) {
                    extra["attachment"] = json
                    if let ref = Self.attachment(json, type: baseType) { attachments.append(ref) }
                    replyTo = Self.replySource(json)
                } else {
                    extra["attachment_text"] = .string(s)
                    problems.note("attachment-not-json", column: "chat_logs.attachment", record: where_)
                }
            case .failure(let f):
                extra["undecrypted_attachment"] = .string(raw)
                extra["attachment_decrypt_error"] = .string(f.rawValue)
            }
        }
        let created = Value.int(row[plan.index("created_at")])
        let record = MessageRecord(
            chatKey: "", sequence: 0, nativeID: Value.text(row[plan.index("id")]),
            kind: baseType == 0 ? .system : .message,
            senderNativeID: user.map { String($0) }, fromDeviceOwner: user != nil && user == owner,
            sent: created.map { TimeValue.unixSeconds($0) }, text: text, replyToNativeID: replyTo,
            deleted: (rawType.map { $0 & Self.deletedFlag != 0 } ?? false) || (deletedAt ?? 0) != 0,
            attachments: attachments, extra: .object(extra),
            location: SourceLocation(record: where_))
        return Decoded(rowid: rowid, chatID: chatID, user: user, record: record)
    }

    private func decrypt(_ raw: String, user: Int64?, enc: Int?, column: String, record: String,
                         cipher: KakaoTalkCipher, problems: KakaoTalkProblems) -> Result<String, KakaoDecryptFailure> {
        guard let enc else {
            problems.undecrypted(.noEnc, column: column, enc: nil, record: record)
            return .failure(.noEnc)
        }
        let result = cipher.decrypt(raw, user: user ?? 0, enc: enc)
        if case .failure(let f) = result { problems.undecrypted(f, column: column, enc: enc, record: record) }
        return result
    }

    /// The log id a reply quotes: `src_logId` of a reply's attachment JSON (a number or decimal text).
    static func replySource(_ json: JSONValue) -> String? {
        guard case .object(let o) = json else { return nil }
        switch o["src_logId"] {
        case .number(let n)?: return n.isFinite && abs(n) < 9.0e15 ? String(Int64(n)) : nil
        case .string(let s)? where !s.isEmpty && s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }): return s
        default: return nil
        }
    }

    /// The media kind of a message type code (base type, deleted flag removed).
    static func kind(type: Int64?) -> AttachmentKind {
        switch type {
        case 2, 27: return .photo
        case 3: return .video
        case 5: return .voice
        case 18: return .file
        case 6, 12, 20, 22, 25: return .sticker
        default: return .other
        }
    }

    /// An attachment reference from the decrypted JSON: `k` (the app's cache key for the file)
    /// and `cs` (the file's SHA-1), plus name, size, MIME type, dimensions and duration when the
    /// JSON carries them. `nil` when the JSON names no file (mentions, replies, link previews).
    static func attachment(_ json: JSONValue, type: Int64?) -> AttachmentRef? {
        guard case .object(let o) = json else { return nil }
        func string(_ k: String) -> String? { if case .string(let s)? = o[k], !s.isEmpty { return s }; return nil }
        func number(_ k: String) -> Double? {
            switch o[k] {
            case .number(let n)?: return n.isFinite ? n : nil
            case .string(let s)?: return Double(s)
            default: return nil
            }
        }
        func int(_ k: String) -> Int? { number(k).flatMap { abs($0) < 1e15 ? Int($0) : nil } }
        let key = string("k")
        let sha1 = string("cs").map { $0.lowercased() }.flatMap { s in
            s.utf8.count == 40 && s.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) ? s : nil
        }
        guard key != nil || sha1 != nil else { return nil }
        let size = (int("s") ?? int("size")).map(Int64.init)
        return AttachmentRef(reference: key, resolvedPath: nil, kind: kind(type: type), fileName: string("name"),
                             mimeType: string("mt"), size: size, width: int("w"), height: int("h"),
                             durationSeconds: number("d"), devicePaths: [], sha1: sha1)
    }
}
