import Foundation
import ExhibitKit

/// Office documents: OOXML (docx/xlsx/pptx `docProps/core.xml`, `docProps/app.xml`) and
/// OpenDocument (`meta.xml`) — author, last modified by, dates, application, revision.
struct OfficeParser {
    let bytes: [UInt8]
    let out: MetadataCollector

    /// ExifTool's names for `core.xml` elements (its XML group).
    static let coreNames: [String: String] = [
        "creator": "Creator", "lastModifiedBy": "LastModifiedBy", "created": "CreateDate", "modified": "ModifyDate",
        "revision": "RevisionNumber", "title": "Title", "subject": "Subject", "keywords": "Keywords",
        "description": "Description", "lastPrinted": "LastPrinted", "category": "Category",
    ]
    static let dateTags: Set<String> = ["CreateDate", "ModifyDate", "LastPrinted", "Creation-date", "Date", "Print-date"]

    /// Returns `false` when the zip is neither an OOXML nor an ODF package (nothing recorded).
    @discardableResult
    func parse() -> Bool {
        let wanted: Set<String> = ["docProps/core.xml", "docProps/app.xml", "meta.xml", "mimetype", "[Content_Types].xml"]
        let (members, error) = ZipMembers.read(bytes, wanted: wanted)
        let isOOXML = members["[Content_Types].xml"] != nil
        let isODF = members["mimetype"].map { String(decoding: $0, as: UTF8.self).hasPrefix("application/vnd.oasis.opendocument") } ?? false
        guard isOOXML || isODF else { return false }
        if let error { out.warn("zip-damaged", "package read stopped: \(error); kept what was read", path: "zip") }
        if isODF, let m = members["mimetype"] {
            out.addText(.file, "MIMEType", bytes: m, offset: nil, path: "mimetype")
        }
        if let core = members["docProps/core.xml"] { properties(core, part: "docProps/core.xml", ns: .ooxml, names: Self.coreNames, depth: 1) }
        if let app = members["docProps/app.xml"] { properties(app, part: "docProps/app.xml", ns: .ooxml, names: nil, depth: 1) }
        if let meta = members["meta.xml"] { properties(meta, part: "meta.xml", ns: .odf, names: nil, depth: 2) }
        return true
    }

    /// Leaf elements of a property part. `names` maps known local names; `nil` keeps every leaf
    /// with its own name, first letter upper-cased as ExifTool does (app.xml: Application, Pages…;
    /// meta.xml: Generator, Initial-creator, Creation-date…).
    /// `depth` is where the properties sit (core.xml/app.xml: 1; meta.xml: 2, under `office:meta`).
    func properties(_ xml: [UInt8], part: String, ns: MetadataNamespace, names: [String: String]?, depth: Int) {
        switch XMLFlatReader.elements(xml) {
        case .failure(let w):
            out.warn(w.code, "\(part): \(w.message)", path: part)
        case .success(let elements):
            for e in elements where e.depth == depth {
                let text = e.text.trimmingCharacters(in: CharacterSet.whitespacesAndNewlines)
                let tag: String
                if let names { guard let n = names[e.name] else { continue }; tag = n } else {
                    guard !text.isEmpty else { continue }
                    tag = e.name == "TotalTime" ? "TotalEditTime" : e.name.prefix(1).uppercased() + e.name.dropFirst()
                }
                guard !text.isEmpty else { continue }
                let time = Self.dateTags.contains(tag) ? MetadataTime.value(text, zone: out.zone) : nil
                let printed = time == nil ? text : MetadataTime.exifToolForm(text)
                out.addText(ns, tag, bytes: Array(printed.utf8), offset: nil, path: part, time: time)
            }
        }
    }
}
