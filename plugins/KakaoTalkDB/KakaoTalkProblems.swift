import ExhibitKit
import Foundation

/// Counts problems by kind while a million rows are read, so the examiner gets one warning per
/// (column, problem) with a count and the first row, not a warning per row.
final class KakaoTalkProblems {
    private struct Key: Hashable, Comparable {
        let code: String
        let column: String
        static func < (a: Key, b: Key) -> Bool { (a.code, a.column) < (b.code, b.column) }
    }
    private struct Tally {
        var count = 0
        var first: String
        var encTypes: Set<Int> = []
    }
    private var tallies: [Key: Tally] = [:]

    /// Records one value of `column` (`chat_logs.message`) that could not be decrypted.
    func undecrypted(_ failure: KakaoDecryptFailure, column: String, enc: Int?, record: String) {
        let key = Key(code: "kakaotalk-" + failure.rawValue, column: column)
        var t = tallies[key] ?? Tally(first: record)
        t.count += 1
        if let enc { t.encTypes.insert(enc) }
        tallies[key] = t
    }

    /// Records one occurrence of another per-row problem (`attachment-not-json`, `no-chat-id`).
    func note(_ code: String, column: String, record: String) {
        let key = Key(code: "kakaotalk-" + code, column: column)
        var t = tallies[key] ?? Tally(first: record)
        t.count += 1
        tallies[key] = t
    }

    /// One warning per (problem, column), in a fixed order.
    func warnings() -> [AnalysisWarning] {
        tallies.keys.sorted().compactMap { key in
            guard let t = tallies[key] else { return nil }
            let types = t.encTypes.sorted().map(String.init).joined(separator: ", ")
            let what: String
            switch key.code {
            case "kakaotalk-not-base64": what = "are not base64"
            case "kakaotalk-wrong-length": what = "are not a whole number of 16-byte AES blocks"
            case "kakaotalk-bad-padding": what = "decrypt with invalid padding (wrong key or damaged value)"
            case "kakaotalk-invalid-utf8": what = "decrypt to bytes that are not UTF-8"
            case "kakaotalk-unknown-enc":
                what = "use enc type(s) \(types), past the published salt-prefix list (newer app versions; some are computed in the app's native library)"
            case "kakaotalk-no-enc": what = "come from rows that name no enc type (no `enc` in `v`, or an empty `enc` column)"
            case "kakaotalk-attachment-not-json": what = "decrypt to text that is not JSON"
            case "kakaotalk-no-chat-id": what = "are NULL or not a number; those messages are kept in a room with key room:none"
            case "kakaotalk-room-no-id": what = "are NULL or not a number; those rooms are skipped (their messages still appear by chat_logs.chat_id)"
            default: what = "have a problem (\(key.code))"
            }
            let kept = key.code.hasPrefix("kakaotalk-attachment") || key.code.hasSuffix("-id")
                ? "kept as read" : "kept raw with their enc type in the message's extra (undecrypted)"
            let encNote = types.isEmpty || key.code == "kakaotalk-unknown-enc" ? "" : " (enc \(types))"
            return AnalysisWarning(
                code: key.code,
                message: "\(t.count) \(key.column) value\(t.count == 1 ? "" : "s") \(what)\(encNote); \(kept). First: \(t.first)",
                location: SourceLocation(record: t.first))
        }
    }
}
