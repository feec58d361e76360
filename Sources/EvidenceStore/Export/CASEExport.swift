import ExhibitKit
import Foundation
import GRDB

/// CASE 1.x / UCO JSON-LD of the case: the investigation, the examiner(s), the tool, every
/// evidence item with its hashes and a provenance record (exhibit number), one investigative
/// action per ingest run (tool, examiner, start/end) whose result is a provenance record of what
/// the run found, every file of the inventory (path, size, times, hashes, MIME) contained in its
/// evidence item, the chat accounts and applications, and every message (text, sender, time,
/// attachments). Written node by node inside one `@graph` array. docs/exports.md has the map.
enum CASEVocabulary {
    static let context = """
        {"case-investigation":"https://ontology.caseontology.org/case/investigation/",\
        "kb":"http://example.org/kb/",\
        "uco-action":"https://ontology.unifiedcyberontology.org/uco/action/",\
        "uco-core":"https://ontology.unifiedcyberontology.org/uco/core/",\
        "uco-identity":"https://ontology.unifiedcyberontology.org/uco/identity/",\
        "uco-observable":"https://ontology.unifiedcyberontology.org/uco/observable/",\
        "uco-tool":"https://ontology.unifiedcyberontology.org/uco/tool/",\
        "uco-types":"https://ontology.unifiedcyberontology.org/uco/types/",\
        "xsd":"http://www.w3.org/2001/XMLSchema#"}
        """

    /// A `uco-types:Hash` node.
    static func hash(_ ids: NodeIDs, _ key: String, _ name: String, _ value: String) -> JSONLD {
        .object([("@id", .string(ids.id("Hash", "\(key)|\(name)"))), ("@type", .string("uco-types:Hash")),
                 ("uco-types:hashMethod", .string(name)), ("uco-types:hashValue", .typed("xsd:hexBinary", value))])
    }

    /// A directional `uco-core:Relationship` node.
    static func relationship(_ id: String, _ kind: String, source: String, target: String) -> [(String, JSONLD)] {
        [("@id", .string(id)), ("@type", .string("uco-core:Relationship")),
         ("uco-core:isDirectional", .bool(true)), ("uco-core:kindOfRelationship", .string(kind)),
         ("uco-core:source", .array([.ref(source)])), ("uco-core:target", .ref(target))]
    }

    /// The node id of a file row, from its evidence label and entry key.
    static func fileNode(_ ids: NodeIDs, _ label: String, _ key: String) -> String { ids.id("File", "file|\(label)|\(key)") }
}

extension EvidenceDatabase {
    func exportCASE(to path: String, options: ExportOptions) throws -> ExportSummary {
        let out = try ExportOutput(path: path, overwrite: options.overwrite)
        var summary = ExportSummary()
        try queue.read { db in
            let caseRow = try Row.fetchOne(db, sql: "SELECT name, examiner FROM cases ORDER BY id LIMIT 1")
            let caseName: String = caseRow?[0] ?? "(no case)"
            let ids = NodeIDs(caseName: caseName)
            try out.write("{\"@context\":\(CASEVocabulary.context),\n\"@graph\":[")
            let g = GraphWriter(out)
            let tool = ids.id("Tool", "exhibit")
            try g.node([("@id", .string(tool)), ("@type", .string("uco-tool:Tool")), ("uco-core:name", .string("Exhibit")),
                        ("uco-tool:toolType", .string("forensic analysis")), ("uco-tool:version", .string(options.toolVersion))])

            // Examiners: the case's, and every run's (they can differ; the audit log records each).
            var people: [String: String] = [:]
            func person(_ name: String) throws -> String {
                if let id = people[name] { return id }
                let id = ids.id("Person", name)
                people[name] = id
                try g.node([("@id", .string(id)), ("@type", .string("uco-identity:Person")), ("uco-core:name", .string(name))])
                return id
            }
            if let examiner: String = caseRow?[1] { _ = try person(examiner) }

            let (records, evidenceNode) = try writeCASEEvidence(db, g, ids)

            // One investigative action per ingest run; its result is the record of the files and
            // messages it committed (written at the end, once those nodes are).
            var actions: [JSONLD] = []
            var runResults: [(Int64, String)] = []
            for r in try Row.fetchAll(db, sql: """
                SELECT r.id, r.started_utc, r.finished_utc, r.tool_version, r.status,
                       (SELECT json_extract(a.details, '$.examiner') FROM audit_log a
                        WHERE a.action = 'ingest.start' AND json_extract(a.details, '$.run') = r.id)
                FROM ingest_runs r ORDER BY r.id
                """) {
                let runID: Int64 = r[0]
                let action = ids.id("InvestigativeAction", "ingest|\(runID)")
                let result = ids.id("ProvenanceRecord", "ingest-result|\(runID)")
                runResults.append((runID, result))
                var pairs: [(String, JSONLD)] = [
                    ("@id", .string(action)), ("@type", .string("case-investigation:InvestigativeAction")),
                    ("uco-core:name", .string("exhibit ingest (run \(runID), \(r[4] as String? ?? "?"))")),
                    ("uco-core:description", .string("Exhibit \(r[3] as String? ?? "?") read the evidence items, hashed and typed every entry and ran its analyzers")),
                ]
                if let s: String = r[1], let t = UTCFormat.parseUserInstant(s) { pairs.append(("uco-action:startTime", .dateTime(t.micros))) }
                if let s: String = r[2], let t = UTCFormat.parseUserInstant(s) { pairs.append(("uco-action:endTime", .dateTime(t.micros))) }
                pairs.append(("uco-action:instrument", .ref(tool)))
                if let examiner: String = r[5] { pairs.append(("uco-action:performer", .ref(try person(examiner)))) }
                pairs.append(("uco-action:object", .array(records)))
                pairs.append(("uco-action:result", .array([.ref(result)])))
                try g.node(pairs)
                actions.append(.ref(action))
            }
            let exportAction = ids.id("InvestigativeAction", "export|\(options.generatedMicros)")
            try g.node([("@id", .string(exportAction)), ("@type", .string("case-investigation:InvestigativeAction")),
                        ("uco-core:name", .string("exhibit export --format case")),
                        ("uco-action:startTime", .dateTime(options.generatedMicros)),
                        ("uco-action:instrument", .ref(tool)),
                        ("uco-action:object", .array(runResults.map { .ref($0.1) }))])
            actions.append(.ref(exportAction))
            try g.node([("@id", .string(ids.id("Investigation", "case"))), ("@type", .string("case-investigation:Investigation")),
                        ("uco-core:name", .string(caseName)),
                        ("uco-core:object", .array(records + actions + runResults.map { .ref($0.1) }))])

            summary.written += try writeCASEFiles(db, g, ids, options, evidenceNode)
            summary.written += try writeCASEMessages(db, g, ids, options)
            try writeCASERunResults(db, g, ids, options, runResults)
            try out.write("\n]}\n")
        }
        try out.finish()
        summary.outputs = [path]
        return summary
    }

    /// Evidence items (as files with hashes) and one provenance record each (exhibit number,
    /// custody details). Returns the records and the node of each evidence id.
    private func writeCASEEvidence(_ db: Database, _ g: GraphWriter, _ ids: NodeIDs) throws -> ([JSONLD], [Int64: String]) {
        var records: [JSONLD] = []
        var evidenceNode: [Int64: String] = [:]
        for e in try Row.fetchAll(db, sql: """
            SELECT id, label, path, size, md5, sha1, sha256, kind, item, description, seized_by, seized_at_utc FROM evidence ORDER BY label
            """) {
            let label: String = e[1] ?? ""
            let key = "evidence|\(label)"
            let node = ids.id("File", key)
            evidenceNode[e[0]] = node
            let hashes: [JSONLD] = [("MD5", 4), ("SHA1", 5), ("SHA256", 6)].compactMap { name, i in
                (e[i] as String?).map { CASEVocabulary.hash(ids, key, name, $0) }
            }
            let size: Int64 = e[3] ?? 0
            try g.node([
                ("@id", .string(node)), ("@type", .string("uco-observable:File")), ("uco-core:name", .string(label)),
                ("uco-core:hasFacet", .array([
                    .object([("@id", .string(ids.id("FileFacet", key))), ("@type", .string("uco-observable:FileFacet")),
                             ("uco-observable:fileName", .string(label)), ("uco-observable:filePath", .string(e[2] ?? "")),
                             ("uco-observable:isDirectory", .bool((e[7] as String?) == "directory")),
                             ("uco-observable:sizeInBytes", .integer(size))]),
                    .object([("@id", .string(ids.id("ContentDataFacet", key))), ("@type", .string("uco-observable:ContentDataFacet")),
                             ("uco-observable:hash", .array(hashes)), ("uco-observable:sizeInBytes", .integer(size))]),
                ])),
            ])
            let record = ids.id("ProvenanceRecord", key)
            var pairs: [(String, JSONLD)] = [("@id", .string(record)), ("@type", .string("case-investigation:ProvenanceRecord"))]
            if let item: String = e[8] { pairs.append(("case-investigation:exhibitNumber", .string(item))) }
            var desc = "Evidence item \(label) as received"
            if let d: String = e[9] { desc += ": \(d)" }
            if let by: String = e[10] { desc += "; seized by \(by)" }
            if let at: String = e[11] { desc += " at \(at)" }
            pairs.append(("uco-core:description", .string(desc)))
            pairs.append(("uco-core:object", .array([.ref(node)])))
            try g.node(pairs)
            records.append(.ref(record))
        }
        return (records, evidenceNode)
    }

    private func writeCASEFiles(_ db: Database, _ g: GraphWriter, _ ids: NodeIDs, _ options: ExportOptions,
                                _ evidenceNode: [Int64: String]) throws -> Int {
        let (sql, args) = Self.inventorySQL(options)
        let rows = try Row.fetchCursor(db, sql: sql, arguments: args)
        let timeRows = try db.makeStatement(sql: "SELECT kind, raw, basis, note FROM file_times WHERE file_id = ? ORDER BY kind")
        var count = 0
        while let r = try rows.next() {
            let label: String = r[12] ?? ""
            let entry: String = r[13] ?? ""
            let key = "file|\(label)|\(entry)"
            let node = CASEVocabulary.fileNode(ids, label, entry)
            let size: Int64 = r[4] ?? 0
            var facet: [(String, JSONLD)] = [("@id", .string(ids.id("FileFacet", key))), ("@type", .string("uco-observable:FileFacet")),
                                             ("uco-observable:fileName", .string(r[11] ?? "")), ("uco-observable:filePath", .string(r[1] ?? "")),
                                             ("uco-observable:isDirectory", .bool((r[2] as String?) == "directory")),
                                             ("uco-observable:sizeInBytes", .integer(size))]
            for (prop, i) in [("uco-observable:accessedTime", 15), ("uco-observable:modifiedTime", 16),
                              ("uco-observable:metadataChangeTime", 17), ("uco-observable:observableCreatedTime", 18)] {
                if let us: Int64 = r[i] { facet.append((prop, .dateTime(us))) }
            }
            var content: [(String, JSONLD)] = [("@id", .string(ids.id("ContentDataFacet", key))),
                                               ("@type", .string("uco-observable:ContentDataFacet"))]
            let hashes: [JSONLD] = [("MD5", 5), ("SHA1", 6), ("SHA256", 7)].compactMap { name, i in
                (r[i] as String?).map { CASEVocabulary.hash(ids, key, name, $0) }
            }
            if !hashes.isEmpty { content.append(("uco-observable:hash", .array(hashes))) }
            if let mime: String = r[10] { content.append(("uco-observable:mimeType", .string(mime))) }
            content.append(("uco-observable:sizeInBytes", .integer(size)))
            // UCO has no property for a time's basis: say it in words, with the raw values.
            var desc = "entry \(entry) of \(label); status \(r[9] as String? ?? "?")"
            for t in try Row.fetchAll(timeRows, arguments: [r[0] as Int64]) {
                desc += "; \(t[0] as String? ?? "?") time raw '\(t[1] as String? ?? "")' basis \(t[2] as String? ?? "unknown")"
                if let note: String = t[3] { desc += " (\(note))" }
            }
            try g.node([("@id", .string(node)), ("@type", .string("uco-observable:File")),
                        ("uco-core:description", .string(desc)),
                        ("uco-core:hasFacet", .array([.object(facet), .object(content)]))])
            // Contained in its nested archive's file, else in the evidence item.
            let parent: String? = r[14]
            let container = parent.map { CASEVocabulary.fileNode(ids, label, $0) } ?? evidenceNode[r[19]] ?? ""
            try g.node(CASEVocabulary.relationship(ids.id("Relationship", "contained|\(label)|\(entry)"), "Contained_Within",
                                                   source: node, target: container))
            count += 1
        }
        return count
    }

    /// Each run's result record lists the files (and the messages read from them) it committed.
    private func writeCASERunResults(_ db: Database, _ g: GraphWriter, _ ids: NodeIDs, _ options: ExportOptions,
                                     _ runs: [(Int64, String)]) throws {
        let (sql, args) = Self.inventorySQL(options)
        let hasMessages = try db.tableExists("messages")
        for (runID, record) in runs {
            try g.open([("@id", .string(record)), ("@type", .string("case-investigation:ProvenanceRecord")),
                        ("uco-core:description", .string("Files and messages committed by ingest run \(runID)"))],
                       arrayKey: "uco-core:object")
            let files = try Row.fetchCursor(db, sql: "SELECT i.* FROM (\(sql)) i JOIN files f ON f.id = i.id WHERE f.run_id = ?",
                                            arguments: args + [runID])
            while let r = try files.next() { try g.item(.ref(CASEVocabulary.fileNode(ids, r[12] ?? "", r[13] ?? ""))) }
            if hasMessages {
                let (win, wargs) = options.window("m.sent_utc_us")
                let msgs = try Row.fetchCursor(db, sql: """
                    SELECT e.label, f.entry_key, m.sequence FROM messages m JOIN files f ON f.id = m.file_id
                    JOIN evidence e ON e.id = f.evidence_id WHERE f.run_id = ? AND \(win) ORDER BY e.label, f.sort_key, m.sequence
                    """, arguments: [runID] + wargs)
                while let m = try msgs.next() {
                    try g.item(.ref(ids.id("Message", "\(m[0] as String? ?? "")|\(m[1] as String? ?? "")|\(m[2] as Int64? ?? 0)")))
                }
            }
            try g.close()
        }
    }
}
