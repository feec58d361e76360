import EvidenceStore
import ExhibitKit
import Foundation

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
        try readCase { q in
            let caseRow = try q.caseHeader()
            let caseName = caseRow?.name ?? "(no case)"
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
            if let examiner = caseRow?.examiner { _ = try person(examiner) }

            let (records, evidenceNode) = try writeCASEEvidence(q, g, ids)

            // One investigative action per ingest run; its result is the record of the files and
            // messages it committed (written at the end, once those nodes are).
            var actions: [JSONLD] = []
            var runResults: [(Int64, String)] = []
            for r in try q.ingestRuns() {
                let runID = r.id
                let action = ids.id("InvestigativeAction", "ingest|\(runID)")
                let result = ids.id("ProvenanceRecord", "ingest-result|\(runID)")
                runResults.append((runID, result))
                var pairs: [(String, JSONLD)] = [
                    ("@id", .string(action)), ("@type", .string("case-investigation:InvestigativeAction")),
                    ("uco-core:name", .string("exhibit ingest (run \(runID), \(r.status ?? "?"))")),
                    ("uco-core:description", .string("Exhibit \(r.toolVersion ?? "?") read the evidence items, hashed and typed every entry and ran its analyzers")),
                ]
                if let s = r.startedUTC, let t = UTCFormat.parseUserInstant(s) { pairs.append(("uco-action:startTime", .dateTime(t.micros))) }
                if let s = r.finishedUTC, let t = UTCFormat.parseUserInstant(s) { pairs.append(("uco-action:endTime", .dateTime(t.micros))) }
                pairs.append(("uco-action:instrument", .ref(tool)))
                if let examiner = r.examiner { pairs.append(("uco-action:performer", .ref(try person(examiner)))) }
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

            summary.written += try writeCASEFiles(q, g, ids, options, evidenceNode)
            summary.written += try writeCASEMessages(q, g, ids, options)
            try writeCASERunResults(q, g, ids, options, runResults)
            try out.write("\n]}\n")
        }
        try out.finish()
        summary.outputs = [path]
        return summary
    }

    /// Evidence items (as files with hashes) and one provenance record each (exhibit number,
    /// custody details). Returns the records and the node of each evidence id.
    private func writeCASEEvidence(_ q: CaseOutputReader, _ g: GraphWriter, _ ids: NodeIDs) throws -> ([JSONLD], [Int64: String]) {
        var records: [JSONLD] = []
        var evidenceNode: [Int64: String] = [:]
        for e in try q.evidenceItems() {
            let label = e.label ?? ""
            let key = "evidence|\(label)"
            let node = ids.id("File", key)
            evidenceNode[e.id] = node
            let hashes: [JSONLD] = [("MD5", e.md5), ("SHA1", e.sha1), ("SHA256", e.sha256)].compactMap { name, value in
                value.map { CASEVocabulary.hash(ids, key, name, $0) }
            }
            let size = e.size ?? 0
            try g.node([
                ("@id", .string(node)), ("@type", .string("uco-observable:File")), ("uco-core:name", .string(label)),
                ("uco-core:hasFacet", .array([
                    .object([("@id", .string(ids.id("FileFacet", key))), ("@type", .string("uco-observable:FileFacet")),
                             ("uco-observable:fileName", .string(label)), ("uco-observable:filePath", .string(e.path ?? "")),
                             ("uco-observable:isDirectory", .bool(e.kind == "directory")),
                             ("uco-observable:sizeInBytes", .integer(size))]),
                    .object([("@id", .string(ids.id("ContentDataFacet", key))), ("@type", .string("uco-observable:ContentDataFacet")),
                             ("uco-observable:hash", .array(hashes)), ("uco-observable:sizeInBytes", .integer(size))]),
                ])),
            ])
            let record = ids.id("ProvenanceRecord", key)
            var pairs: [(String, JSONLD)] = [("@id", .string(record)), ("@type", .string("case-investigation:ProvenanceRecord"))]
            if let item = e.item { pairs.append(("case-investigation:exhibitNumber", .string(item))) }
            var desc = "Evidence item \(label) as received"
            if let d = e.description { desc += ": \(d)" }
            if let by = e.seizedBy { desc += "; seized by \(by)" }
            if let at = e.seizedAtUTC { desc += " at \(at)" }
            pairs.append(("uco-core:description", .string(desc)))
            pairs.append(("uco-core:object", .array([.ref(node)])))
            try g.node(pairs)
            records.append(.ref(record))
        }
        return (records, evidenceNode)
    }

    private func writeCASEFiles(_ q: CaseOutputReader, _ g: GraphWriter, _ ids: NodeIDs, _ options: ExportOptions,
                                _ evidenceNode: [Int64: String]) throws -> Int {
        let rows = try q.inventory(window: options.window)
        var count = 0
        while let r = try rows.next() {
            let label = r.evidenceLabel ?? ""
            let entry = r.entryKey ?? ""
            let key = "file|\(label)|\(entry)"
            let node = CASEVocabulary.fileNode(ids, label, entry)
            let size = r.size ?? 0
            var facet: [(String, JSONLD)] = [("@id", .string(ids.id("FileFacet", key))), ("@type", .string("uco-observable:FileFacet")),
                                             ("uco-observable:fileName", .string(r.name ?? "")), ("uco-observable:filePath", .string(r.path ?? "")),
                                             ("uco-observable:isDirectory", .bool(r.kind == "directory")),
                                             ("uco-observable:sizeInBytes", .integer(size))]
            for (prop, value) in [("uco-observable:accessedTime", r.accessedMicros), ("uco-observable:modifiedTime", r.modifiedMicros),
                                  ("uco-observable:metadataChangeTime", r.changedMicros), ("uco-observable:observableCreatedTime", r.createdMicros)] {
                if let us = value { facet.append((prop, .dateTime(us))) }
            }
            var content: [(String, JSONLD)] = [("@id", .string(ids.id("ContentDataFacet", key))),
                                               ("@type", .string("uco-observable:ContentDataFacet"))]
            let hashes: [JSONLD] = [("MD5", r.md5), ("SHA1", r.sha1), ("SHA256", r.sha256)].compactMap { name, value in
                value.map { CASEVocabulary.hash(ids, key, name, $0) }
            }
            if !hashes.isEmpty { content.append(("uco-observable:hash", .array(hashes))) }
            if let mime = r.mime { content.append(("uco-observable:mimeType", .string(mime))) }
            content.append(("uco-observable:sizeInBytes", .integer(size)))
            // UCO has no property for a time's basis: say it in words, with the raw values.
            var desc = "entry \(entry) of \(label); status \(r.status ?? "?")"
            for t in try q.fileTimes(fileID: r.id) {
                desc += "; \(t.kind ?? "?") time raw '\(t.raw ?? "")' basis \(t.basis ?? "unknown")"
                if let note = t.note { desc += " (\(note))" }
            }
            try g.node([("@id", .string(node)), ("@type", .string("uco-observable:File")),
                        ("uco-core:description", .string(desc)),
                        ("uco-core:hasFacet", .array([.object(facet), .object(content)]))])
            // Contained in its nested archive's file, else in the evidence item.
            let container = r.parentKey.map { CASEVocabulary.fileNode(ids, label, $0) } ?? evidenceNode[r.evidenceID] ?? ""
            try g.node(CASEVocabulary.relationship(ids.id("Relationship", "contained|\(label)|\(entry)"), "Contained_Within",
                                                   source: node, target: container))
            count += 1
        }
        return count
    }

    /// Each run's result record lists the files (and the messages read from them) it committed.
    private func writeCASERunResults(_ q: CaseOutputReader, _ g: GraphWriter, _ ids: NodeIDs, _ options: ExportOptions,
                                     _ runs: [(Int64, String)]) throws {
        let hasMessages = try q.hasRelation("messages")
        for (runID, record) in runs {
            try g.open([("@id", .string(record)), ("@type", .string("case-investigation:ProvenanceRecord")),
                        ("uco-core:description", .string("Files and messages committed by ingest run \(runID)"))],
                       arrayKey: "uco-core:object")
            let files = try q.inventory(window: options.window, runID: runID)
            while let r = try files.next() { try g.item(.ref(CASEVocabulary.fileNode(ids, r.evidenceLabel ?? "", r.entryKey ?? ""))) }
            if hasMessages {
                let msgs = try q.messageKeys(runID: runID, window: options.window)
                while let m = try msgs.next() {
                    try g.item(.ref(ids.id("Message", "\(m.evidenceLabel ?? "")|\(m.entryKey ?? "")|\(m.sequence ?? 0)")))
                }
            }
            try g.close()
        }
    }
}
