import Crypto
import Engine
import EvidenceStore
import ExhibitKit
import Foundation

/// `exhibit export --format portable --tagged`: a folder for someone who has no Exhibit (defence,
/// court) that opens from disk in a browser with no server and no internet. It holds only what
/// the reviewer tagged — messages with a window of their thread around them, files, picture
/// groups — with the notes, the custody and integrity facts, the pictures of the included
/// messages (blurred until clicked; known-bad pictures are never copied), and `MANIFEST.sha256`
/// (`sha256sum -c` format) over every other file of the folder.
public enum PortableCase {
    /// What was written.
    public struct Summary: Sendable {
        /// Tagged messages, files and picture groups included.
        public var messages = 0, files = 0, groups = 0
        /// Pictures copied into `media/`.
        public var pictures = 0
        /// Files written, relative to the folder.
        public var outputs: [String] = []
    }

    /// Failures a user can act on.
    public enum Failure: Error, CustomStringConvertible {
        /// The review database is missing or holds no tag (exit 1).
        case nothingTagged(reviewPath: String)
        /// `--out` exists and is not an empty directory, without `--force` (exit 4).
        case outputExists(String)
        /// One sentence saying what to do.
        public var description: String {
            switch self {
            case .nothingTagged(let p): return "nothing is tagged in \(p): tag messages, files or picture groups in exhibit serve first"
            case .outputExists(let p): return "\(p) exists and is not an empty directory (pass --force to replace it)"
            }
        }
    }

    struct Contents: Encodable {
        var exported: ShownTime, reviewer: String, overview: ReviewAPI.Overview, integrity: ReviewAPI.Integrity
        var groups: [ReviewAPI.KnownGroup], files: [TaggedFile], threads: [Thread], pictures: [String: String]
        var reviewLogHead: String?
    }

    struct TaggedFile: Encodable {
        var id: Int64, path: String, sha256: String?, mime: String?, tags: [String], notes: [ReviewNote]
    }

    struct Thread: Encodable {
        var chatID: Int64, title: String?, platform: String, tagged: [Int64], messages: [ReviewAPI.Message]
    }

    /// Writes the folder. `window` messages before and after each tagged message are included.
    public static func write(databasePath: String, reviewPath: String, to folder: String, reviewer: String,
                             temporaryRoot: String, window: Int = 5, overwrite: Bool = false) throws -> Summary {
        let fm = FileManager.default
        if fm.fileExists(atPath: folder), !overwrite, (try? fm.contentsOfDirectory(atPath: folder))?.isEmpty != true {
            throw Failure.outputExists(folder)
        }
        let db = try EvidenceDatabase.openExisting(path: databasePath, readOnly: true)
        guard fm.fileExists(atPath: reviewPath) else { throw Failure.nothingTagged(reviewPath: reviewPath) }
        let review = try ReviewDatabase(path: reviewPath)
        let tags = try review.tags()
        guard !tags.isEmpty else { throw Failure.nothingTagged(reviewPath: reviewPath) }
        let api = try ReviewAPI(db: db, review: review, reviewer: reviewer, temporaryRoot: temporaryRoot)
        var summary = Summary()
        // Written under `<out>.partial` and renamed when complete: never half a package.
        let final = folder, folder = folder + ".partial"
        if fm.fileExists(atPath: folder) { try fm.removeItem(atPath: folder) }

        // Threads: each tagged message with `window` neighbours, windows of one chat merged.
        var byChat: [Int64: (tagged: Set<Int64>, messages: [Int64: ReviewAPI.Message])] = [:]
        let taggedMessages = Set(tags.filter { $0.target == .message }.compactMap { Int64($0.targetID) })
        for id in taggedMessages.sorted() {
            guard let p = try db.messagePosition(messageID: id) else { continue }
            let page = try db.threadPage(chatID: p.chatID, afterSequence: p.sequence - window - 1, limit: 2 * window + 1)
            var entry = byChat[p.chatID] ?? ([], [:])
            entry.tagged.insert(id)
            for m in try api.messages(page) { entry.messages[m.id] = m }
            byChat[p.chatID] = entry
        }
        summary.messages = byChat.values.reduce(0) { $0 + $1.tagged.count }
        let threads = byChat.keys.sorted().compactMap { chatID -> Thread? in
            guard let entry = byChat[chatID] else { return nil }
            let messages = entry.messages.values.sorted { $0.sequence < $1.sequence }
            guard let first = messages.first else { return nil }
            return Thread(chatID: chatID, title: first.chat, platform: first.platform, tagged: entry.tagged.sorted(), messages: messages)
        }

        // Files and picture groups.
        var files: [TaggedFile] = []
        for id in Set(tags.filter { $0.target == .file }.compactMap { Int64($0.targetID) }).sorted() {
            guard let f = try db.fileIdentity(fileID: id) else { continue }
            files.append(TaggedFile(id: id, path: f.path, sha256: f.sha256, mime: f.mime,
                                    tags: tags.filter { $0.target == .file && $0.targetID == String(id) }.map(\.tag),
                                    notes: try review.notes(target: .file, id: String(id))))
        }
        summary.files = files.count
        let taggedGroups = Set(tags.filter { $0.target == .group }.map(\.targetID))
        let groups = try api.known().filter { taggedGroups.contains($0.content) }
        summary.groups = groups.count

        // Pictures of the included messages and files; known-bad ones are never copied.
        var wanted = Set(threads.flatMap { $0.messages.flatMap { $0.attachments } }.filter { $0.picture && !$0.knownBad }.compactMap(\.fileID))
        for f in files where (f.mime ?? "").hasPrefix("image/") && !(f.sha256.map(api.knownBad.contains) ?? false) { wanted.insert(f.id) }
        try fm.createDirectory(atPath: folder + "/media", withIntermediateDirectories: true)
        var pictures: [String: String] = [:]
        if !wanted.isEmpty {
            let images = try ThumbnailReader.read(databasePath: databasePath, temporaryRoot: temporaryRoot, limit: wanted.count, only: wanted)
            for (id, bytes) in images.images.sorted(by: { $0.key < $1.key }) {
                let ext = bytes.starts(with: [0xFF, 0xD8]) ? "jpg" : bytes.starts(with: [0x89, 0x50]) ? "png" : "img"
                let name = "media/\(id).\(ext)"
                try bytes.write(to: URL(fileURLWithPath: folder + "/" + name))
                pictures[String(id)] = name
                summary.outputs.append(name)
            }
        }
        summary.pictures = pictures.count

        let overview = try api.overviewData()
        let data = Contents(exported: api.clock.show(micros: Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())), reviewer: reviewer,
                        overview: overview, integrity: try api.integrity(), groups: groups, files: files, threads: threads,
                        pictures: pictures, reviewLogHead: try review.log(afterSeq: 0, limit: 1_000_000).last?.hash)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // `<` escaped so no evidence text can close the script element that carries the data;
        // bidi controls (and U+2028/U+2029) escaped so the file holds none raw: its source shown
        // in an editor or a terminal cannot be reordered by an override either (issue 19).
        var json = ""
        for s in String(decoding: try enc.encode(data), as: UTF8.self).unicodeScalars {
            if s == "<" || ExportEscape.isBidiControl(s) || s.value == 0x2028 || s.value == 0x2029 {
                json += "\\u" + String(format: "%04x", s.value)
            } else {
                json.unicodeScalars.append(s)
            }
        }
        let html = PortableViewer.page(json: json, title: overview.caseName ?? "case")
        try Foundation.Data(html.utf8).write(to: URL(fileURLWithPath: folder + "/index.html"))
        summary.outputs.insert("index.html", at: 0)
        var manifest = ""
        for name in summary.outputs {
            let bytes = try Foundation.Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
            manifest += SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() + "  " + name + "\n"
        }
        try Foundation.Data(manifest.utf8).write(to: URL(fileURLWithPath: folder + "/MANIFEST.sha256"))
        summary.outputs.append("MANIFEST.sha256")
        if fm.fileExists(atPath: final) { try fm.removeItem(atPath: final) }
        try fm.moveItem(atPath: folder, toPath: final)
        return summary
    }
}
