import Foundation
import ExhibitKit

/// The timestamp that starts a WhatsApp message line, as read from bytes, before the day/month
/// order is known. Android: `D/M/Y, H:MM - `; iOS: `[D/M/Y, H:MM:SS] `; numbers in any order
/// the locale writes them, in ASCII or Arabic-Indic digits, with `,` or the Arabic comma;
/// iOS Vietnamese writes the time first: `[H:MM:SS, D/M/Y] `.
struct WhatsAppHeader {
    /// The date's three numbers and separator, in the order written.
    var date: NumericDate
    /// `yy. m. d.` style (Korean): separators followed by spaces and a trailing dot.
    var spacedDots: Bool { date.spaced && date.trailingDot }
    var clock: ClockReading
    var iOS: Bool
    /// The clock came before the date (`[14:56:01, 3/18/22]`).
    var timeFirst: Bool
    /// Byte range of the raw timestamp text (without brackets) and where the body starts.
    var rawStart: Int, rawEnd: Int
    var bodyStart: Int
}

enum WhatsAppGrammar {
    /// Parses the line's leading timestamp, or returns nil for a continuation line.
    static func header(_ bytes: UnsafeRawBufferPointer) -> WhatsAppHeader? {
        var c = ByteCursor(bytes)
        c.skipMarks()
        let iOS = c.consume(0x5B)  // [
        if iOS { c.skipMarks() }
        let rawStart = c.i
        let date: NumericDate, clock: ClockReading
        var timeFirst = false
        if let d = c.numericDate() {
            let comma = c.consumeComma()
            let spaces = c.skipSpaces()
            guard comma || spaces > 0, let k = c.clock() else { return nil }
            (date, clock) = (d, k)
        } else {
            // Time first (iOS Vietnamese): only inside brackets, where the `]` confirms it.
            guard iOS, let k = c.clock() else { return nil }
            let comma = c.consumeComma()
            let spaces = c.skipSpaces()
            guard comma || spaces > 0, let d = c.numericDate() else { return nil }
            (date, clock, timeFirst) = (d, k, true)
        }
        let rawEnd = c.i
        c.skipSpaces()
        if iOS {
            guard c.consume(0x5D) else { return nil }  // ]
            c.skipSpaces()
        } else {
            // " - " (some builds write an en dash).
            guard c.consume(0x2D) || c.consume([0xE2, 0x80, 0x93]) else { return nil }
            guard c.skipSpaces() > 0 || c.atEnd else { return nil }
        }
        return WhatsAppHeader(date: date, clock: clock, iOS: iOS, timeFirst: timeFirst, rawStart: rawStart, rawEnd: rawEnd,
                              bodyStart: c.i)
    }

    /// Splits a body into sender and text at the first `": "`; nil sender = a system line.
    static func splitSender(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (sender: String?, textStart: Int) {
        let c = ByteCursor(bytes, at: start)
        if let colon = c.find([0x3A, 0x20], from: start), colon > start {
            return (senderName(c, start, colon), colon + 2)
        }
        // "Name:" with nothing after it (an empty message) ends the line.
        if bytes.count > start + 1, bytes[bytes.count - 1] == 0x3A, c.find([0x3A], from: start) == bytes.count - 1 {
            return (senderName(c, start, bytes.count - 1), bytes.count)
        }
        return (nil, start)
    }

    /// The sender as written, without the direction marks around it: right-to-left locales
    /// wrap a contact shown as a phone number in LRE…PDF (`\u{202A}+82 10-1234-5678\u{202C}`),
    /// which is display formatting, not part of the number. The message text keeps them.
    static func senderName(_ c: ByteCursor, _ from: Int, _ to: Int) -> String {
        let s = c.string(from, to)
        guard Invisible.markLength(c.bytes, from) > 0 || (to >= from + 3 && Invisible.markLength(c.bytes, to - 3) > 0)
                || (to >= from + 2 && Invisible.markLength(c.bytes, to - 2) > 0) else { return s }
        return Invisible.trimMarks(s)
    }

    // MARK: localized phrases (compared in matching form: marks stripped, NBSP → space)

    /// Android: `NAME (file attached)` and translations.
    static let attachedPhrases = ["file attached", "Datei angehängt", "bestand bijgevoegd", "fichier joint",
                                  "archivo adjunto", "arquivo anexado", "파일 첨부됨", "파일 첨부", "file allegato"]
    /// Android without media.
    static let mediaOmitted = ["<Media omitted>", "<Medien ausgeschlossen>", "<Media weggelaten>", "<Médias omis>",
                               "<Multimedia omitido>", "<Mídia oculta>", "<미디어 파일 생략>", "<미디어 없음>", "<Media omessi>"]
    /// iOS without media: phrase → kind.
    static let iOSOmitted: [(String, AttachmentKind)] = [
        ("image omitted", .photo), ("video omitted", .video), ("audio omitted", .audio), ("sticker omitted", .sticker),
        ("GIF omitted", .animation), ("document omitted", .file), ("Contact card omitted", .other),
        ("Bild weggelassen", .photo), ("Video weggelassen", .video), ("Audio weggelassen", .audio),
        ("Sticker weggelassen", .sticker), ("GIF weggelassen", .animation), ("Dokument weggelassen", .file),
        ("afbeelding weggelaten", .photo), ("video weggelaten", .video), ("audio weggelaten", .audio),
        ("image absente", .photo), ("vidéo absente", .video), ("audio omis", .audio),
        ("imagen omitida", .photo), ("video omitido", .video), ("audio omitido", .audio),
        ("imagem ocultada", .photo), ("vídeo omitido", .video), ("áudio ocultado", .audio),
        ("사진 생략됨", .photo), ("동영상 생략됨", .video), ("오디오 생략됨", .audio), ("스티커 생략됨", .sticker),
    ]
    static let deletedPhrases = ["This message was deleted", "You deleted this message", "Diese Nachricht wurde gelöscht",
                                 "Du hast diese Nachricht gelöscht", "Dit bericht is verwijderd", "Je hebt dit bericht verwijderd",
                                 "Ce message a été supprimé", "Vous avez supprimé ce message", "Se eliminó este mensaje",
                                 "Eliminaste este mensaje", "Mensagem apagada", "Essa mensagem foi apagada",
                                 "Você apagou esta mensagem", "삭제된 메시지입니다", "메시지를 삭제했습니다"]
    static let deletedSet: Set<String> = Set(deletedPhrases)
    /// First bytes of the deleted/omitted phrases, to skip set lookups (String hashing
    /// normalises to NFC, which is slow on Hangul) for ordinary messages.
    static let phraseFirstBytes: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for p in deletedPhrases + mediaOmitted + iOSOmitted.map(\.0) { if let b = p.utf8.first { t[Int(b)] = true } }
        return t
    }()
    static let longestPhrase = (deletedPhrases + mediaOmitted + iOSOmitted.map(\.0)).map(\.utf8.count).max() ?? 0
    static let omittedSet: Set<String> = Set(mediaOmitted + iOSOmitted.map(\.0))
    static let editedMarkers = ["<This message was edited>", "<Diese Nachricht wurde bearbeitet>", "<Dit bericht is bewerkt>",
                                "<Ce message a été modifié>", "<Se editó este mensaje.>", "<Se editó este mensaje>",
                                "<Mensagem editada>", "<Essa mensagem foi editada>", "<수정된 메시지입니다>"]
    /// Starts of system notices (iOS writes them with the chat name as author).
    static let systemPrefixes = ["Messages and calls are end-to-end encrypted", "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt",
                                 "Berichten en oproepen zijn end-to-end versleuteld", "Les messages et les appels sont chiffrés",
                                 "Los mensajes y las llamadas están cifrados", "As mensagens e as chamadas são protegidas",
                                 "메시지와 통화는 종단간 암호화", "created group", "created this group", "changed the subject",
                                 "changed this group", "added", "left", "joined using this group's invite link"]

    /// Language guess from the phrases a file uses (first one seen wins).
    static let phraseLanguage: [String: String] = [
        "file attached": "en", "Datei angehängt": "de", "bestand bijgevoegd": "nl", "fichier joint": "fr",
        "archivo adjunto": "es", "arquivo anexado": "pt", "파일 첨부됨": "ko", "파일 첨부": "ko",
        "<Media omitted>": "en", "<Medien ausgeschlossen>": "de", "<Media weggelaten>": "nl", "<Médias omis>": "fr",
        "<Multimedia omitido>": "es", "<Mídia oculta>": "pt", "<미디어 파일 생략>": "ko",
    ]

    /// The media kind WhatsApp's own file names announce (`IMG-…-WA0001.jpg`,
    /// `00000035-PHOTO-2022-03-27-21-41-55.jpg`), else the extension's.
    static func kind(ofFileName name: String) -> AttachmentKind {
        let upper = name.uppercased()
        if upper.hasPrefix("IMG-") || upper.contains("-PHOTO-") { return .photo }
        if upper.hasPrefix("VID-") || upper.contains("-VIDEO-") { return .video }
        if upper.hasPrefix("PTT-") { return .voice }
        if upper.hasPrefix("AUD-") || upper.contains("-AUDIO-") { return .audio }
        if upper.hasPrefix("STK-") || upper.contains("-STICKER-") { return .sticker }
        if upper.contains("-GIF-") { return .animation }
        return kind(ofExtension: name)
    }

    static func kind(ofExtension name: String) -> AttachmentKind {
        let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "jpg", "jpeg", "png", "webp", "heic", "gif", "bmp": return ext == "gif" ? .animation : .photo
        case "mp4", "mov", "3gp", "mkv", "avi", "webm": return .video
        case "opus", "ogg", "m4a", "mp3", "aac", "amr", "wav": return .audio
        default: return .file
        }
    }
}
