import CaseOutputs
import Engine
import EvidenceStore
import ExhibitKit
import Foundation
import HTTPTypes
import Hummingbird

/// The JSON API under `/api/…` (described in `/openapi.json`, OpenAPIDocument.swift). Every
/// list is a page with a cap; every time is shown in the case's zone with UTC beside it. Reads
/// go through EvidenceStore's queries on the case opened read-only; tags, notes and reveals go
/// to the review database.
struct ReviewAPI: Sendable {
    let db: EvidenceDatabase
    let review: ReviewDatabase
    let reviewer: String
    let clock: CaseClock
    let caseInfo: CaseInfo?
    /// SHA-256s of known-bad pictures (and their PDQ groups), never sent without a confirmation.
    let knownBad: Set<String>
    let media: MediaCache
    /// The overview's table counts and chat list pages, reused while the case has not changed.
    let counts = CountsCache()

    init(db: EvidenceDatabase, review: ReviewDatabase, reviewer: String, temporaryRoot: String) throws {
        self.db = db; self.review = review; self.reviewer = reviewer
        caseInfo = try db.caseInfo()
        clock = CaseClock(zone: caseInfo?.assumedZone.flatMap(TimeZone.init(identifier:)))
        knownBad = try db.knownBadSHA256s()
        media = MediaCache(databasePath: db.path, temporaryRoot: temporaryRoot)
    }

    /// Largest page of each list.
    static let timelineCap = 500, listCap = 200, fileCap = 500

    /// A row id from the path: a non-negative integer, else 400.
    static func id(_ context: BasicRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id >= 0 else {
            throw ReviewRequestError(status: .badRequest, message: "id: not a row id")
        }
        return id
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/overview") { _, _ in try self.overview() }
        router.get("/api/integrity") { _, _ in try HTTPReply.json(try self.integrity()) }
        router.get("/api/timeline") { request, _ in try self.timeline(QueryReader(request: request)) }
        router.get("/api/kinds") { _, _ in try HTTPReply.json(try self.db.eventKinds()) }
        router.get("/api/chats") { request, _ in try self.chats(QueryReader(request: request)) }
        router.get("/api/chats/:id/messages") { request, context in
            try self.thread(chatID: try Self.id(context), QueryReader(request: request))
        }
        router.get("/api/messages/:id") { _, context in try self.messagePosition(try Self.id(context)) }
        router.get("/api/search") { request, _ in try self.search(QueryReader(request: request)) }
        router.get("/api/known") { _, _ in try HTTPReply.json(try self.known()) }
        router.get("/api/files") { request, _ in try self.files(QueryReader(request: request)) }
        router.get("/api/files/:id/metadata") { _, context in try self.fileDetails(try Self.id(context)) }
        router.get("/api/media/:id") { request, context in
            try await self.picture(fileID: try Self.id(context), QueryReader(request: request))
        }
        registerReview(on: router)
        router.get("/openapi.json") { _, _ in HTTPReply.text(OpenAPIDocument.json, type: "application/json; charset=utf-8") }
    }

    // MARK: - Overview

    struct Overview: Encodable {
        var caseName: String?
        var examiner: String?
        var zone: String
        var created: ShownTime?
        var evidence: [EvidenceItem]
        var counts: CaseCounts
        var runs: [Run]
        var auditHead: String
        var incomplete: String?
        var known: [KnownGroup]
        var reviewer: String
    }

    struct EvidenceItem: Encodable {
        var label: String, item: String?, path: String, size: Int64, sha256: String?, md5: String?, sha1: String?
        var expectedSHA256: String?, expectedMatch: Bool?, seizedBy: String?, seizedAt: ShownTime?, status: String?
        var message: String?, format: String?, entries: Int?, complete: Bool, added: ShownTime
    }

    struct Run: Encodable {
        var id: Int64, started: ShownTime, status: String, chainHead: String?, signed: Bool
    }

    func overview() throws -> Response { try HTTPReply.json(try overviewData()) }

    func overviewData() throws -> Overview {
        let evidence = try db.evidenceList().map { e in
            EvidenceItem(label: e.label, item: e.item, path: e.path, size: e.size, sha256: e.hashes?.sha256, md5: e.hashes?.md5,
                         sha1: e.hashes?.sha1, expectedSHA256: e.expectedSHA256, expectedMatch: e.expectedMatch,
                         seizedBy: e.seizedBy,
                         seizedAt: e.seizedAt.map { clock.show(micros: $0.utcMicros, basis: $0.basis.rawValue, raw: $0.raw) },
                         status: e.status?.rawValue, message: e.message, format: e.format, entries: e.entryCount,
                         complete: e.complete, added: clock.show(micros: nil, utc: e.addedUTC))
        }
        let runs = try db.runs().map { r in
            Run(id: r.id, started: clock.show(micros: nil, utc: r.startedUTC), status: r.status, chainHead: r.chainHead,
                signed: r.signature != nil)
        }
        let incomplete = try? CaseVerifier.incompleteness(databasePath: db.path)
        return Overview(
            caseName: caseInfo?.name, examiner: caseInfo?.examiner, zone: clock.zoneName,
            created: caseInfo.map { clock.show(micros: nil, utc: $0.createdUTC) }, evidence: evidence,
            counts: try counts.get(mark: try db.changeMark(), key: "counts") { try db.caseCounts() },
            runs: runs, auditHead: try db.auditHead(), incomplete: incomplete, known: try known(), reviewer: reviewer)
    }

    struct Integrity: Encodable {
        var verified: Bool, verdict: String, lines: [String]
    }

    /// The database checks of `exhibit verify --findings-only`: chain, findings digest, recorded hashes.
    func integrity() throws -> Integrity {
        var options = VerifyOptions()
        options.findingsOnly = true
        options.temporaryRoot = media.temporaryRoot
        let report = try CaseVerifier.verify(databasePath: db.path, options: options)
        return Integrity(verified: report.ok, verdict: report.verdict, lines: report.lines)
    }

    // MARK: - Known media

    struct KnownGroup: Encodable {
        var content: String, members: [String], hashsets: [String], copies: Int, messages: Int, rooms: Int, senders: Int
        var first: Appearance?, courtLine: String, appearances: [Appearance], tags: [String]
    }

    struct Appearance: Encodable {
        var appearance: String, messageID: Int64?, chatID: Int64?, platform: String?, chat: String?, sender: String?
        var time: ShownTime, path: String?
    }

    /// Known-bad pictures grouped as `exhibit spread --known` groups them, one court line each.
    func known() throws -> [KnownGroup] {
        let tags = try review.tags(target: .group)
        return try db.knownMediaSpread().map { s in
            let show = { (a: SpreadAppearance) in
                Appearance(appearance: a.appearance, messageID: a.messageID, chatID: a.chatID, platform: a.platform, chat: a.chat,
                           sender: a.sender, time: clock.show(micros: a.utcMicros, utc: a.utc, basis: a.basis), path: a.path)
            }
            let first = s.first.map(show)
            let line = s.courtLine(firstTime: first.flatMap { $0.time.local ?? $0.time.utc })
            return KnownGroup(content: s.content, members: s.members, hashsets: s.hashsets, copies: s.files.count,
                              messages: s.messages.count, rooms: s.rooms, senders: s.senders, first: first, courtLine: line,
                              appearances: (s.messages + s.files).map(show),
                              tags: tags.filter { $0.targetID == s.content }.map(\.tag))
        }
    }

    // MARK: - Timeline

    struct Event: Encodable {
        var id: Int64, time: ShownTime, precision: String, note: String?, kind: String, description: String, source: String
        var path: String?, messageID: Int64?, chat: String?, sender: String?, sha256: String?, evidence: String?
        var tags: [String]
    }

    struct Page<Row: Encodable>: Encodable {
        var rows: [Row]
        var next: String?
        var zone: String
    }

    func timeline(_ q: QueryReader) throws -> Response {
        var filter = TimelineFilter(kinds: q.strings("kind"), participant: q.string("participant"), chat: q.string("chat"),
                                    pathGlob: q.string("path"), limit: max(1, try q.int("limit", default: 100, cap: Self.timelineCap)))
            .containing(q.string("text"))
        if let from = q.string("from") {
            guard let t = clock.parse(from) else { throw ReviewRequestError(status: .badRequest, message: "from: not a date or date-time") }
            filter.fromMicros = t.micros
        }
        if let to = q.string("to") {
            guard let t = clock.parse(to) else { throw ReviewRequestError(status: .badRequest, message: "to: not a date or date-time") }
            filter.beforeMicros = t.dateOnly ? t.micros + 86_400_000_000 : t.micros + 1
        }
        if let after = q.string("after") {
            guard let cursor = TimelineCursor(after) else { throw ReviewRequestError(status: .badRequest, message: "after: not a cursor") }
            filter.after = cursor
        }
        let page = try db.timelinePage(filter)
        let ids = Set(page.rows.map { String($0.eventID) })
        let tags = try review.tags(target: .event).filter { ids.contains($0.targetID) }
        let rows = page.rows.map { r in
            Event(id: r.eventID, time: clock.show(micros: r.utcMicros, utc: r.utc, basis: r.basis, raw: r.raw), precision: r.precision,
                  note: r.note, kind: r.kind, description: r.description, source: r.source, path: r.filePath, messageID: r.messageID,
                  chat: r.chat, sender: r.sender, sha256: r.sha256, evidence: r.evidence,
                  tags: tags.filter { $0.targetID == String(r.eventID) }.map(\.tag))
        }
        return try HTTPReply.json(Page(rows: rows, next: page.next?.description, zone: clock.zoneName))
    }

    // MARK: - Chats

    struct Chat: Encodable {
        var id: Int64, platform: String, title: String?, type: String?, evidence: String, exportPath: String, messages: Int
        var first: ShownTime?, last: ShownTime?, copies: Int
    }

    func chats(_ q: QueryReader) throws -> Response {
        let limit = max(1, try q.int("limit", default: 100, cap: Self.listCap)), offset = try q.int("offset", default: 0, cap: Int(Int32.max))
        let page = try counts.get(mark: try db.changeMark(), key: "chats/\(limit)/\(offset)") { try db.chatList(limit: limit, offset: offset) }
        let rows = page.map { c in
            Chat(id: c.chatID, platform: c.platform, title: c.title, type: c.chatType, evidence: c.evidence, exportPath: c.exportPath,
                 messages: c.messages, first: c.firstMicros.map { clock.show(micros: $0) }, last: c.lastMicros.map { clock.show(micros: $0) },
                 copies: c.copies)
        }
        return try HTTPReply.json(Page(rows: rows, next: rows.count == limit ? String(offset + limit) : nil, zone: clock.zoneName))
    }

    struct Message: Encodable {
        var id: Int64, chatID: Int64, platform: String, chat: String?, sequence: Int, kind: String, sender: String?
        var fromDeviceOwner: Bool, time: ShownTime, note: String?, text: String, deleted: Bool, recovered: Bool, edited: Bool, nativeID: String?
        var replyTo: String?, forwardedFrom: String?, service: String?, serviceActor: String?, serviceDetails: String?
        var attachments: [Attachment], tags: [String], notes: [ReviewNote]
    }

    struct Attachment: Encodable {
        var kind: String, reference: String?, status: String, missingReason: String?, path: String?, sha256: String?
        var fileID: Int64?, knownBad: Bool, picture: Bool, tags: [String]
    }

    func thread(chatID: Int64, _ q: QueryReader) throws -> Response {
        let limit = max(1, try q.int("limit", default: 100, cap: Self.listCap))
        let after = try q.string("after").map { text -> Int in
            guard let n = Int32(text) else { throw ReviewRequestError(status: .badRequest, message: "after: not a sequence number") }
            return Int(n)
        }
        let page = try db.threadPage(chatID: chatID, afterSequence: after, limit: limit)
        let rows = try messages(page)
        return try HTTPReply.json(Page(rows: rows, next: page.count == limit ? page.last.map { String($0.message.sequence) } : nil,
                                       zone: clock.zoneName))
    }

    /// Messages as the pages show them: the attachments' files found in one query, the
    /// reviewer's tags and notes read once for the page.
    func messages(_ page: [ThreadMessage]) throws -> [Message] {
        let files = try db.filesBySHA256(page.flatMap { $0.message.attachments.compactMap(\.sha256) })
        let ids = Set(page.map { String($0.message.messageID) })
        let tags = try review.tags(target: .message).filter { ids.contains($0.targetID) }
        let notes = try review.notes(target: .message).filter { ids.contains($0.targetID) }
        let fileIDs = Set(files.values.map { String($0.id) })
        let fileTags = try review.tags(target: .file).filter { fileIDs.contains($0.targetID) }
        return page.map { message($0, files: files, tags: tags, notes: notes, fileTags: fileTags) }
    }

    func message(_ t: ThreadMessage, files: [String: (id: Int64, mime: String?)], tags: [ReviewTag], notes: [ReviewNote],
                 fileTags: [ReviewTag] = []) -> Message {
        let m = t.message
        let attachments = m.attachments.map { a in
            let file = a.sha256.flatMap { files[$0.lowercased()] }
            let picture = (file?.mime ?? "").hasPrefix("image/")
            return Attachment(kind: a.kind, reference: a.reference, status: a.status, missingReason: a.missingReason, path: a.path,
                              sha256: a.sha256, fileID: file?.id, knownBad: a.sha256.map(knownBad.contains) ?? false, picture: picture,
                              tags: file.map { f in fileTags.filter { $0.targetID == String(f.id) }.map(\.tag) } ?? [])
        }
        let id = String(m.messageID)
        return Message(id: m.messageID, chatID: m.chatID, platform: m.platform, chat: m.chat, sequence: m.sequence, kind: m.kind,
                       sender: m.sender, fromDeviceOwner: m.fromDeviceOwner,
                       time: clock.show(micros: t.sentMicros, utc: m.sentUTC, basis: m.sentBasis, raw: m.sentRaw), note: t.sentNote,
                       text: m.text, deleted: m.deleted, recovered: m.recovered, edited: t.edited, nativeID: t.nativeID, replyTo: t.replyToNativeID,
                       forwardedFrom: t.forwardedFrom, service: m.serviceAction, serviceActor: m.serviceActor,
                       serviceDetails: m.serviceDetails, attachments: attachments,
                       tags: tags.filter { $0.targetID == id }.map(\.tag), notes: notes.filter { $0.targetID == id })
    }

    struct Position: Encodable { var chatID: Int64, sequence: Int }

    func messagePosition(_ id: Int64) throws -> Response {
        guard let p = try db.messagePosition(messageID: id) else {
            throw ReviewRequestError(status: .notFound, message: "no message \(id)")
        }
        return try HTTPReply.json(Position(chatID: p.chatID, sequence: p.sequence))
    }

    struct Hit: Encodable { var snippet: String, message: Message }

    func search(_ q: QueryReader) throws -> Response {
        guard let text = q.string("q") else { throw ReviewRequestError(status: .badRequest, message: "q: give the text to find") }
        let limit = max(1, try q.int("limit", default: 100, cap: Self.listCap))
        let result = try db.searchChats(text, limit: limit)
        let messages = try messages(result.hits.map { ThreadMessage(message: $0.message) })
        let hits = zip(result.hits, messages).map { Hit(snippet: $0.snippet, message: $1) }
        return try HTTPReply.json(Page(rows: hits, next: nil, zone: clock.zoneName))
    }
}
