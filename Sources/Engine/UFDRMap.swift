import ExhibitKit
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A Cellebrite UFDR (a zip with `report.xml` and the files re-sorted under `files/Image`,
/// `files/Database`…): each `<file path="…">` of `<taggedFiles>` names the file's original
/// device path, and its metadata item **Local Path** the member of the zip that holds it
/// (written Windows-style, sometimes with a leading `/`). Read before the walk so every member
/// gets its device path (docs/intake.md, "Vendor reports (UFDR)"). Document type declarations and
/// entities are refused (never fetched or expanded); a report too large to read is said.
enum UFDRMap {
    /// Largest report.xml read into memory.
    static let reportLimit: Int64 = 512 << 20

    static func load(reportXML data: Data, truncated: Bool, root: String) -> DeviceMap {
        var map = DeviceMap(kind: "ufdr", root: root, paths: [:], facts: [:], warnings: [])
        if truncated {
            map.warnings.append("report.xml is larger than \(reportLimit >> 20) MiB: not read; files keep their report folder names")
            return map
        }
        let head = String(decoding: data.prefix(64 << 10), as: UTF8.self)
        if head.contains("<!DOCTYPE") || head.contains("<!ENTITY") {
            map.warnings.append("report.xml declares a document type or entities: refused (nothing fetched or expanded); files keep their report folder names")
            return map
        }
        let reader = ReportReader(root: root)
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        if !parser.parse() || !reader.closed {
            map.warnings.append("report.xml is not well formed (\(parser.parserError.map { "\($0)" } ?? "it ends before its last element closes") at line \(parser.lineNumber)); device paths of the files read before that point are kept")
        }
        map.paths = reader.paths
        map.flags = reader.flags
        map.warnings += reader.warnings
        map.facts["files_in_report"] = .number(Double(reader.fileCount))
        map.facts["files_with_device_path"] = .number(Double(reader.paths.count))
        if !reader.extractions.isEmpty { map.facts["extractions"] = .array(reader.extractions) }
        if !reader.device.isEmpty { map.facts["device"] = .object(reader.device) }
        if !reader.project.isEmpty { map.facts["project"] = .object(reader.project) }
        if !reader.decoded.isEmpty { map.facts["vendor_decoded_models"] = .object(reader.decoded.mapValues { .number(Double($0)) }) }
        map.vendorMessages = reader.chatMessages
        return map
    }

    /// SAX reader of the parts of report.xml that say where files belong.
    final class ReportReader: NSObject, XMLParserDelegate {
        let root: String
        var paths: [String: String] = [:]
        var flags: [String: [String]] = [:]
        var warnings: [String] = []
        var extractions: [JSONValue] = []
        var device: [String: JSONValue] = [:]
        /// The root `<project>` element's attributes: the report itself and the tool's report
        /// format (`reportVersion`, `name`, …), at most 50, each cut at 1,000 characters.
        var project: [String: JSONValue] = [:]
        var decoded: [String: Int] = [:]
        /// Messages the vendor decoded, by the `Source` field of the `Chat` model holding them.
        var chatMessages: [String: Int] = [:]
        var fileCount = 0
        /// Whether the document's root element was closed (a cut report is not).
        var closed = false
        private var stack: [String] = []
        private var file: (path: String?, deleted: Bool)?
        private var itemName: String?
        private var text = ""
        private var localPath: String?
        private var duplicates = 0, outside = 0, pathless = 0
        /// Open `model` elements under decodedData (their types), and the open chats' sources and counts.
        private var models: [String] = []
        private var chats: [(source: String?, messages: Int)] = []
        private var fieldName: String?
        private var sourceText: String?

        init(root: String) { self.root = root }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            stack.append(name)
            switch name {
            case "file" where stack.dropLast().last == "taggedFiles":
                fileCount += 1
                file = (attributes["path"], (attributes["deleted"] ?? "").lowercased() == "deleted")
                localPath = nil
            case "item" where file != nil || stack.count <= 3:
                itemName = attributes["name"]
                text = ""
            case "project" where stack.count == 1:
                for (k, v) in attributes.sorted(by: { $0.key < $1.key }).prefix(50) { project[k] = .string(String(v.prefix(1000))) }
            case "extractionInfo":
                extractions.append(.object(attributes.mapValues(JSONValue.string)))
            case "modelType" where stack.contains("decodedData"):
                if let t = attributes["type"] { decoded[t, default: 0] += 0 }
            case "model" where stack.contains("decodedData"):
                let t = attributes["type"] ?? ""
                if !t.isEmpty { decoded[t, default: 0] += 1 }
                if t == "InstantMessage", !chats.isEmpty { chats[chats.count - 1].messages += 1 }
                if t == "Chat" { chats.append((nil, 0)) }
                models.append(t)
            case "field" where stack.contains("decodedData"):
                fieldName = attributes["name"]
            case "value" where fieldName == "Source" && models.last == "Chat":
                sourceText = ""
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if sourceText != nil, (sourceText?.utf8.count ?? 0) < 256 { sourceText? += string }
            if itemName != nil, text.utf8.count < 64 << 10 { text += string }
        }

        func parser(_ parser: XMLParser, foundCDATA data: Data) {
            if itemName != nil, text.utf8.count < 64 << 10 { text += String(decoding: data, as: UTF8.self) }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            defer { _ = stack.popLast(); if stack.isEmpty { closed = true } }
            switch name {
            case "value" where sourceText != nil:
                if !chats.isEmpty, chats[chats.count - 1].source == nil {
                    chats[chats.count - 1].source = sourceText?.trimmingCharacters(in: .whitespacesAndNewlines)
                }
                sourceText = nil
            case "field":
                fieldName = nil
            case "model" where !models.isEmpty:
                if models.removeLast() == "Chat", let chat = chats.popLast() {
                    chatMessages[chat.source ?? "unknown", default: 0] += chat.messages
                }
            default: break
            }
            if name == "item", let item = itemName {
                if file != nil {
                    if item == "Local Path" { localPath = text.trimmingCharacters(in: .whitespacesAndNewlines) }
                } else if stack.count <= 3, device.count < 200 {
                    device[item] = .string(text.trimmingCharacters(in: .whitespacesAndNewlines))
                }
                itemName = nil
            } else if name == "file", let f = file {
                file = nil
                guard let local = localPath, !local.isEmpty else { return }
                let cleaned = VirtualPath.sanitize(entryName: local)
                if cleaned.changed && (local.contains("..")) { outside += 1 }
                let inner = root + cleaned.path
                var marks: [String] = []
                if f.deleted { marks.append("ufdr-deleted") }
                if let p = f.path, !p.isEmpty {
                    var device = p.replacingOccurrences(of: "\\", with: "/")
                    if !device.hasPrefix("/") { device = "/" + device }
                    device = DevicePath.normalize(device)
                    if let existing = paths[inner], existing != device { duplicates += 1; return }
                    paths[inner] = device
                } else {
                    pathless += 1
                    marks.append("ufdr-no-device-path")
                }
                if !marks.isEmpty { flags[inner] = marks }
            }
        }

        func parserDidEndDocument(_ parser: XMLParser) {
            if duplicates > 0 { warnings.append("\(duplicates) report entries point their Local Path at a member another entry already names: the first is kept") }
            if outside > 0 { warnings.append("\(outside) Local Path value(s) climb out of the report (`..`): read as paths inside it") }
            if pathless > 0 { warnings.append("\(pathless) file(s) have no device path in the report (carved or deleted): kept, flagged ufdr-no-device-path") }
        }
    }
}
