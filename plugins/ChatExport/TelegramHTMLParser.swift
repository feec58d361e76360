import Foundation
import ExhibitKit

/// Telegram Desktop HTML export pages (`messages.html`, `messages2.html`, … 1,000 messages each).
///
/// libxml2 parses in SAX mode, fed 1 MiB at a time; this class follows tdesktop's markup
/// (`div.message.default`, `.joined`, `.from_name`, `.pull_right.date.details[title]`,
/// `.forwarded.body`, `.reply_to`, `.media_wrap`, `.text`, `.signature`, `.reactions`) and emits
/// each message when its div closes. Joined messages (no `from_name`) inherit the previous sender.
/// The HTML carries no user or chat ids; senders are names only.
struct TelegramHTMLParser {
    let file: EvidenceFile
    let zone: TimeZone?
    let emitter: ChatEmitter

    func parse() throws {
        let handler = TelegramHTMLHandler(file: file, zone: zone, emitter: emitter)
        let reader = HTMLSAXReader(handler: handler)
        try ByteInput(file: file).forEachChunk { chunk in
            reader.feed(chunk)
            return true
        }
        reader.finish()
        handler.finish()
    }

    /// `messages.html` → 1, `messages12.html` → 12.
    static func part(ofFileName name: String) -> Int? {
        let lower = name.lowercased()
        guard lower.hasPrefix("messages"), lower.hasSuffix(".html") else { return nil }
        let digits = lower.dropFirst("messages".count).dropLast(".html".count)
        return digits.isEmpty ? 1 : Int(digits)
    }
}

/// The SAX state machine behind ``TelegramHTMLParser``.
final class TelegramHTMLHandler: HTMLSAXHandler {
    private enum Capture { case none, pageTitle, fromName, forwardedName, text, signature, replyTo, serviceBody
        case mediaTitle, mediaDescription, mediaStatus, pollQuestion, pollAnswer, pollTotal, pollDetails, reactionEmoji, reactionCount }

    let file: EvidenceFile
    let zone: TimeZone?
    let emitter: ChatEmitter
    static let chatKey = "chat"
    /// Longest text kept per message; more is dropped and counted (a hostile 2 GB `div.text`).
    static let maxTextBytes = 16 << 20

    private var depth = 0
    private var headerDepth: Int?
    private var title = ""
    private var chatEmitted = false
    private var current: TelegramHTMLMessage?
    private var messageDepth = 0
    private var lastSender: String?
    private var capture = Capture.none
    private var captureDepth = 0
    private var skipDepth: Int?
    private var forwardedDepth: Int?
    private var mediaDepth: Int?
    private var media: TelegramHTMLMessage.Media?
    private var pollDepth: Int?
    private var reactionDepth: Int?
    private var reaction: (emoji: String, count: String)?
    private var entityStack: [(depth: Int, type: String, href: String?, offset: Int)] = []
    private var skippingIndent = false
    private var buffer = ""
    private var cutTexts = 0

    init(file: EvidenceFile, zone: TimeZone?, emitter: ChatEmitter) {
        self.file = file; self.zone = zone; self.emitter = emitter
    }

    private func emitChatIfNeeded() {
        guard !chatEmitted else { return }
        chatEmitted = true
        let t = TelegramHTMLMessage.collapse(title)
        emitter.chat(ChatInfo(chatKey: Self.chatKey, platform: .telegram, format: .telegramHTML, title: t.isEmpty ? nil : t,
                              part: TelegramHTMLParser.part(ofFileName: file.name),
                              location: SourceLocation(offset: 0, record: "page header"),
                              notes: ["HTML exports carry no chat or user ids; senders are names"]))
    }

    func startElement(_ name: String, attributes: [String: String], line: Int) {
        if HTMLSAXReader.voidElements.contains(name) {
            if name == "br", capture == .text, skipDepth == nil { appendText("\n") }
            if name == "img", mediaDepth != nil { media?.classes.formUnion(classes(attributes)) }
            return
        }
        let d = depth
        depth += 1
        if skipDepth != nil { return }
        let cls = classes(attributes)
        guard current != nil else {
            if name == "div", cls.contains("page_header") { headerDepth = d }
            if headerDepth != nil, cls.contains("text"), cls.contains("bold") { begin(.pageTitle, d) }
            if name == "div", cls.contains("message"), let id = attributes["id"], id.hasPrefix("message") {
                let native = String(id.dropFirst("message".count))
                if native.hasPrefix("-") { skipDepth = d; return }  // date separators and "No exported messages"
                emitChatIfNeeded()
                current = TelegramHTMLMessage(id: native, isService: cls.contains("service"), joined: cls.contains("joined"), line: line)
                messageDepth = d
            }
            return
        }
        switch capture {
        case .text:
            let type: String?
            switch name {
            case "a": type = attributes["href"].map { $0.hasPrefix("mailto:") ? "email" : $0.hasPrefix("tel:") ? "phone" : "link" } ?? "link"
            case "strong", "b": type = "bold"
            case "em", "i": type = "italic"
            case "code": type = "code"
            case "pre": type = "pre"
            case "u": type = "underline"
            case "s", "strike": type = "strikethrough"
            case "blockquote": type = "blockquote"
            case "span" where cls.contains("spoiler"): type = "spoiler"
            default: type = nil
            }
            if let type { entityStack.append((d, type, attributes["href"], current?.textScalars ?? 0)) }
            return
        case .forwardedName where name == "span" && cls.contains("date"):
            skipDepth = d
            return
        case .serviceBody where name == "a":
            current?.serviceLink = attributes["href"]
            return
        case .replyTo where name == "a":
            current?.replyHref = attributes["href"]
            return
        case .none: break
        default: return
        }
        if current?.isService == true {
            if cls.contains("body"), cls.contains("details") { begin(.serviceBody, d) }
            return
        }
        if let _ = pollDepth {
            if cls.contains("question") { begin(.pollQuestion, d) } else if cls.contains("answer") { begin(.pollAnswer, d) } else if cls.contains("total") { begin(.pollTotal, d) } else if cls.contains("details") { begin(.pollDetails, d) }
            return
        }
        if mediaDepth != nil {
            if cls.contains("media_poll") { pollDepth = d; return }
            media?.classes.formUnion(cls)
            if name == "a", media?.href == nil { media?.href = attributes["href"] }
            if cls.contains("title") { begin(.mediaTitle, d) } else if cls.contains("description") { begin(.mediaDescription, d) } else if cls.contains("status") { begin(.mediaStatus, d) }
            return
        }
        if reactionDepth != nil {
            if cls.contains("reaction") { flushReaction(); reaction = ("", "") } else if cls.contains("emoji") { begin(.reactionEmoji, d) } else if cls.contains("count") { begin(.reactionCount, d) }
            return
        }
        if name == "div", cls.contains("pull_right"), cls.contains("date"), current?.dateTitle == nil { current?.dateTitle = attributes["title"] }
        else if cls.contains("forwarded"), cls.contains("body") { forwardedDepth = d }
        else if cls.contains("from_name") { begin(forwardedDepth != nil ? .forwardedName : .fromName, d) }
        else if cls.contains("reply_to") { begin(.replyTo, d) }
        else if cls.contains("media_wrap") { mediaDepth = d; media = TelegramHTMLMessage.Media(classes: []) }
        else if cls.contains("text"), name == "div" { begin(.text, d); skippingIndent = false }
        else if cls.contains("signature") { begin(.signature, d) }
        else if cls.contains("reactions") { reactionDepth = d }
    }

    func endElement(_ name: String) {
        if HTMLSAXReader.voidElements.contains(name) { return }
        guard depth > 0 else { return }
        depth -= 1
        let d = depth
        if let s = skipDepth { if s == d { skipDepth = nil }; return }
        if headerDepth == d { headerDepth = nil }
        if let last = entityStack.last, last.depth == d, var m = current {
            entityStack.removeLast()
            let text = String(m.text.unicodeScalars.dropFirst(last.offset))
            let length = m.textScalars - last.offset
            if length > 0 {
                let href = (last.href?.isEmpty ?? true) || last.href == text ? nil : last.href
                m.entities.append(TextEntity(type: last.type == "link" && href != nil ? "text_link" : last.type, text: text,
                                             offset: last.offset, length: length, href: href))
                current = m
            }
        }
        if capture != .none, captureDepth == d { end() }
        if pollDepth == d { pollDepth = nil }
        if mediaDepth == d { if let media { current?.media.append(media) }; media = nil; mediaDepth = nil }
        if reactionDepth == d { flushReaction(); reactionDepth = nil }
        if forwardedDepth == d { forwardedDepth = nil }
        if current != nil, messageDepth == d { finishMessage() }
    }

    func characters(_ bytes: UnsafeRawBufferPointer) {
        guard skipDepth == nil, capture != .none else { return }
        let s = String(decoding: bytes, as: UTF8.self)
        if capture == .text { appendText(s, fromMarkup: true) } else if buffer.utf8.count < (1 << 20) { buffer += s }
    }

    /// Appends message text, dropping the newline + indentation tdesktop's writer puts between
    /// tags (real line breaks are `<br>`, so a literal newline is never text).
    private func appendText(_ s: String, fromMarkup: Bool = false) {
        guard var m = current else { return }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if fromMarkup && u == "\n" { skippingIndent = true; continue }
            if skippingIndent && u == " " { continue }
            skippingIndent = false
            out.append(u)
        }
        if !fromMarkup { skippingIndent = false }
        guard m.text.utf8.count + out.count <= Self.maxTextBytes else { cutTexts += 1; return }
        m.textScalars += out.count
        m.text.unicodeScalars.append(contentsOf: out)
        current = m
    }

    private func begin(_ c: Capture, _ d: Int) { capture = c; captureDepth = d; buffer = "" }

    private func end() {
        let text = buffer
        switch capture {
        case .pageTitle: title = text
        case .fromName: current?.fromName = text
        case .forwardedName: current?.forwardedName = text
        case .signature: current?.signature = text
        case .serviceBody: current?.serviceText = text
        case .mediaTitle: media?.title = text
        case .mediaDescription: media?.description = text
        case .mediaStatus: media?.status = text
        case .pollQuestion: current?.pollQuestion = text
        case .pollAnswer: current?.pollAnswers.append(text)
        case .pollTotal: current?.pollTotal = text
        case .pollDetails: current?.pollClosed = TelegramHTMLMessage.collapse(text) == "Final results" ? true : (TelegramHTMLMessage.collapse(text) == "Anonymous poll" ? false : nil)
        case .reactionEmoji: reaction?.emoji = TelegramHTMLMessage.collapse(text)
        case .reactionCount: reaction?.count = TelegramHTMLMessage.collapse(text)
        case .text, .replyTo, .none: break
        }
        capture = .none
        buffer = ""
    }

    private func flushReaction() {
        guard let r = reaction, !r.emoji.isEmpty else { reaction = nil; return }
        current?.reactions.append(Reaction(type: "emoji", emoji: r.emoji, count: Int(r.count)))
        reaction = nil
    }

    private func finishMessage() {
        guard let m = current else { return }
        current = nil
        capture = .none; entityStack.removeAll(); forwardedDepth = nil; mediaDepth = nil; media = nil; pollDepth = nil; reactionDepth = nil
        var sender: String?
        if !m.isService {
            let own = TelegramHTMLMessage.collapse(m.fromName)
            if !own.isEmpty { sender = own; lastSender = own } else if m.joined { sender = lastSender }
        } else {
            lastSender = nil
        }
        let record = m.record(chatKey: Self.chatKey, file: file, zone: zone, sender: sender,
                              location: SourceLocation(record: "line \(m.line), message \(m.id)"))
        emitter.message(record)
    }

    func finish() {
        if current != nil {
            emitter.warning("truncated-html", "the HTML ends inside message \(current?.id ?? "?"); it was kept as far as it goes")
            finishMessage()
        }
        emitChatIfNeeded()
        if cutTexts > 0 { emitter.warning("long-text", "\(cutTexts) text run(s) beyond \(Self.maxTextBytes) bytes per message were dropped") }
    }

    private func classes(_ attributes: [String: String]) -> Set<String> {
        guard let c = attributes["class"] else { return [] }
        return Set(c.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init))
    }
}
