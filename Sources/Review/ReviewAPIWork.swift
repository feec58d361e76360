import Engine
import EvidenceStore
import ExhibitKit
import ExhibitSupport
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The reviewer's side of the API: files, pictures (each reveal recorded), tags, notes and the
/// review log. Nothing here writes the case database.
extension ReviewAPI {
    func registerReview(on router: Router<BasicRequestContext>) {
        router.get("/api/review/tags") { request, _ in
            let q = QueryReader(request: request)
            return try HTTPReply.json(try self.review.tags(target: try q.target(), id: q.string("id")))
        }
        router.get("/api/review/notes") { request, _ in
            let q = QueryReader(request: request)
            return try HTTPReply.json(try self.review.notes(target: try q.target(), id: q.string("id")))
        }
        router.get("/api/review/log") { request, _ in
            let q = QueryReader(request: request)
            let after = Int64(try q.int("after", default: 0, cap: Int(Int32.max)))
            let entries = try self.review.log(afterSeq: after, limit: max(1, try q.int("limit", default: 200, cap: 1000)))
            let broken = try self.review.verifyLog()
            return try HTTPReply.json(ReviewLogPage(rows: entries, chainOK: broken == nil, firstBadSeq: broken,
                                                   next: entries.count > 0 ? entries.last.map { String($0.seq) } : nil))
        }
        router.post("/api/review/tag") { request, _ in
            let body = try await Self.decode(TagRequest.self, request)
            try self.requireTarget(try Self.kind(body.target), body.id)
            try self.review.setTag(body.tag, on: body.on ?? true, target: try Self.kind(body.target), id: body.id, reviewer: self.reviewer)
            return try HTTPReply.json(try self.review.tags(target: try Self.kind(body.target), id: body.id))
        }
        router.post("/api/review/category") { request, _ in
            let body = try await Self.decode(CategoryRequest.self, request)
            let kind = try Self.kind(body.target)
            guard kind == .file || kind == .group else {
                throw ReviewRequestError(status: .badRequest, message: "target: categories are set on media (file or group)")
            }
            try self.requireTarget(kind, body.id)
            guard body.category.map { ReviewDatabase.categories.contains($0) } ?? true else {
                throw ReviewRequestError(status: .badRequest, message: "category: 0 to 5, or null to clear")
            }
            try self.review.setCategory(body.category, target: kind, id: body.id, reviewer: self.reviewer)
            return try HTTPReply.json(try self.review.tags(target: kind, id: body.id))
        }
        router.post("/api/export/portable") { _, _ in try self.exportPortable() }
        router.post("/api/review/note") { request, _ in
            let body = try await Self.decode(NoteRequest.self, request)
            try self.requireTarget(try Self.kind(body.target), body.id)
            try self.review.setNote(body.text, target: try Self.kind(body.target), id: body.id, reviewer: self.reviewer)
            return try HTTPReply.json(try self.review.notes(target: try Self.kind(body.target), id: body.id))
        }
    }

    /// The portable case of what is tagged, written beside the case as
    /// `NAME-portable-YYYYMMDDTHHMMSSZ/` (the page's export button); recorded in the review log.
    func exportPortable() throws -> Response {
        let url = URL(fileURLWithPath: db.path)
        let stamp = UTCFormat.string(micros: Int64(Date().timeIntervalSince1970) * 1_000_000)
            .replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        let folder = url.deletingLastPathComponent()
            .appendingPathComponent(url.deletingPathExtension().lastPathComponent + "-portable-" + stamp).path
        let summary = try PortableCase.write(databasePath: db.path, reviewPath: review.path, to: folder, reviewer: reviewer,
                                             temporaryRoot: media.temporaryRoot)
        try review.record(action: "export.portable", reviewer: reviewer, details: [
            "folder": .string(folder), "messages": .number(Double(summary.messages)), "files": .number(Double(summary.files)),
            "groups": .number(Double(summary.groups)), "pictures": .number(Double(summary.pictures)),
        ])
        struct Out: Encodable { var folder: String, messages: Int, files: Int, groups: Int, pictures: Int }
        return try HTTPReply.json(Out(folder: folder, messages: summary.messages, files: summary.files, groups: summary.groups,
                                      pictures: summary.pictures))
    }

    struct ReviewLogPage: Encodable {
        var rows: [ReviewLogEntry], chainOK: Bool, firstBadSeq: Int64?, next: String?
    }

    struct TagRequest: Decodable { var target: String, id: String, tag: String, on: Bool? }
    struct NoteRequest: Decodable { var target: String, id: String, text: String }
    struct CategoryRequest: Decodable { var target: String, id: String, category: Int? }

    /// Refuses a tag or note on something the case does not hold (a typo must not look like work done).
    func requireTarget(_ kind: ReviewTargetKind, _ id: String) throws {
        let exists: Bool
        switch kind {
        case .message: exists = try Int64(id).flatMap { try db.messagePosition(messageID: $0) } != nil
        case .file: exists = try Int64(id).flatMap { try db.fileIdentity(fileID: $0) } != nil
        case .group:
            exists = try db.knownMediaSpread().contains { $0.content == id }
                || (Hex.isHex(id, lengths: [64]) && (try db.mediaSpread(sha256: id)) != nil)
        case .event: exists = try Int64(id).flatMap { try db.eventExists(id: $0) ? $0 : nil } != nil
        }
        guard exists else { throw ReviewRequestError(status: .notFound, message: "no \(kind.rawValue) \(id) in this case") }
    }

    static func kind(_ text: String) throws -> ReviewTargetKind {
        guard let k = ReviewTargetKind(rawValue: text) else {
            throw ReviewRequestError(status: .badRequest, message: "target: one of message, file, event, group")
        }
        return k
    }

    /// A JSON body of at most 256 KiB.
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let buffer = try await request.body.collect(upTo: 256 << 10)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw ReviewRequestError(status: .badRequest, message: "body: not the JSON this call takes")
        }
    }

    // MARK: - Files

    struct File: Encodable {
        var id: Int64, evidence: String, entryKey: String, path: String, devicePath: String?, kind: String, size: Int64
        var mime: String?, status: String, message: String?, md5: String?, sha1: String?, sha256: String?, modified: ShownTime?
        var knownBad: Bool, tags: [String]
    }

    func files(_ q: QueryReader) throws -> Response {
        let limit = max(1, try q.int("limit", default: 100, cap: Self.fileCap)), offset = try q.int("offset", default: 0, cap: Int(Int32.max))
        var filter = FileFilter(evidenceLabel: q.string("evidence"), status: try q.choice("status"), mimePrefix: q.string("mime"),
                                pathGlob: q.string("path"), sha256: q.string("sha256"), md5: q.string("md5"), sha1: q.string("sha1"),
                                kind: try q.choice("kind"), limit: limit, offset: offset)
        filter.devicePathGlob = q.string("device")
        let tags = try review.tags(target: .file)
        let rows = try db.listFiles(filter).map { f in
            let modified = f.times.modified
            return File(id: f.id, evidence: f.evidenceLabel, entryKey: f.key.text, path: f.virtualPath, devicePath: f.devicePath,
                        kind: f.kind.rawValue, size: f.size, mime: f.mime, status: f.status.rawValue, message: f.message, md5: f.hashes?.md5, sha1: f.hashes?.sha1,
                        sha256: f.hashes?.sha256,
                        modified: modified.map { clock.show(micros: $0.utcMicros, basis: $0.basis.rawValue, raw: $0.raw) },
                        knownBad: f.hashes.map { knownBad.contains($0.sha256) } ?? false,
                        tags: tags.filter { $0.targetID == String(f.id) }.map(\.tag))
        }
        return try HTTPReply.json(Page(rows: rows, next: rows.count == limit ? String(offset + limit) : nil, zone: clock.zoneName))
    }

    struct FileDetails: Encodable {
        var id: Int64, path: String, sha256: String?, mime: String?, entries: [MetadataEntry], indicators: [Indicator]
    }

    struct MetadataEntry: Encodable {
        var namespace: String, tag: String, value: String, location: String?, time: ShownTime?
    }

    struct Indicator: Encodable {
        var kind: String, summary: String, evidenceTag: String, location: String?, details: String, times: [NamedTime]
    }

    struct NamedTime: Encodable { var name: String, time: ShownTime }

    /// One file's metadata (EXIF, XMP, GPS, container fields) and indicators (AI-generation
    /// marks, edits…), as `exhibit metadata` prints them, with times in the case's zone.
    func fileDetails(_ id: Int64) throws -> Response {
        guard let file = try db.fileIdentity(fileID: id) else { throw ReviewRequestError(status: .notFound, message: "no file \(id)") }
        let found = try db.fileMetadata(file.path).first { $0.path == file.path }
        let show = { (t: TimeValue) in clock.show(micros: t.utcMicros, basis: t.basis.rawValue, raw: t.raw) }
        let entries = (found?.entries ?? []).map { m in
            MetadataEntry(namespace: m.namespace, tag: m.tag, value: m.value, location: m.location, time: m.time.map(show))
        }
        let indicators = (found?.indicators ?? []).map { i in
            Indicator(kind: i.kind, summary: i.summary, evidenceTag: i.evidenceTag, location: i.location, details: i.details,
                      times: i.times.map { NamedTime(name: $0.name, time: show($0.time)) })
        }
        return try HTTPReply.json(FileDetails(id: id, path: file.path, sha256: file.sha256, mime: file.mime, entries: entries, indicators: indicators))
    }

    // MARK: - Pictures

    /// The bytes of one picture, read again from the evidence and checked against the recorded
    /// SHA-256. `view=reveal` records the reveal in the review log; a known-bad picture is sent
    /// only with `confirm=known-bad`, and that too is recorded.
    func picture(fileID: Int64, _ q: QueryReader) async throws -> Response {
        guard let file = try db.fileIdentity(fileID: fileID) else {
            throw ReviewRequestError(status: .notFound, message: "no file \(fileID)")
        }
        let isKnownBad = file.sha256.map(knownBad.contains) ?? false
        let view = q.string("view"), confirm = q.string("confirm")
        guard view == nil || view == "reveal", confirm == nil || confirm == "known-bad" else {
            throw ReviewRequestError(status: .badRequest, message: "view: only reveal; confirm: only known-bad")
        }
        let reveal = view == "reveal"
        if isKnownBad && confirm != "known-bad" {
            throw ReviewRequestError(status: .forbidden, message: "known-bad picture: shown only after the reviewer confirms")
        }
        guard let data = try media.picture(fileID) else {
            throw ReviewRequestError(status: .notFound, message: "the picture could not be read again from the evidence")
        }
        if reveal || isKnownBad {
            try review.record(action: "media.reveal", reviewer: reviewer, details: [
                "file_id": .string(String(fileID)), "path": .string(file.path), "sha256": .string(file.sha256 ?? ""),
                "known_bad": .bool(isKnownBad),
            ])
        }
        return HTTPReply.bytes(data, type: file.mime ?? "application/octet-stream")
    }
}

/// Pictures read again from the evidence (ThumbnailReader), kept in memory up to 64 MiB.
final class MediaCache: @unchecked Sendable {
    // Safe: `images` and `bytes` are only touched under `lock`; the paths are constants.
    let databasePath: String
    let temporaryRoot: String
    private let lock = NSLock()
    private var images: [Int64: Data] = [:]
    private var bytes = 0
    static let budget = 64 << 20

    init(databasePath: String, temporaryRoot: String) {
        self.databasePath = databasePath; self.temporaryRoot = temporaryRoot
    }

    /// The picture, or `nil` when it is not an image a browser shows, is too big, or no longer
    /// matches its recorded SHA-256.
    func picture(_ id: Int64) throws -> Data? {
        if let hit = lock.withLock({ images[id] }) { return hit }
        let result = try ThumbnailReader.read(databasePath: databasePath, temporaryRoot: temporaryRoot, limit: 1, only: [id])
        guard let data = result.images[id] else { return nil }
        lock.withLock {
            if bytes + data.count > Self.budget { images = [:]; bytes = 0 }
            images[id] = data
            bytes += data.count
        }
        return data
    }
}

/// Answers that count over the whole case — the overview's table counts (a `count(*)` over 10
/// million events) and the chat list's per-room counts — kept for as long as the case's change
/// mark (audit head and largest row ids) stays the same: a command that changes findings appends
/// to the audit log, and an ingest running beside the server adds rows, so either makes the next
/// call count again. At most 64 answers are kept.
final class CountsCache: @unchecked Sendable {
    // Safe: `mark` and `values` are only touched under `lock`.
    private let lock = NSLock()
    private var mark: String?
    private var values: [String: any Sendable] = [:]

    func get<Value: Sendable>(mark: String, key: String, _ compute: () throws -> Value) throws -> Value {
        lock.lock()
        if self.mark == mark, let value = values[key] as? Value { lock.unlock(); return value }
        lock.unlock()
        let fresh = try compute()
        lock.lock()
        if self.mark != mark || values.count >= 64 { values = [:]; self.mark = mark }
        values[key] = fresh
        lock.unlock()
        return fresh
    }
}
