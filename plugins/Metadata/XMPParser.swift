import Foundation
import ExhibitKit
internal import CXML2

/// Parses an XMP packet with libxml2 into `prefix:Property` entries in namespace `xmp`.
///
/// Hostile-input rules: network access is off and entities are never substituted; a packet with a
/// DOCTYPE (the only way to declare entities, and never needed by XMP) is refused with a warning
/// before libxml2 sees it, so entity bombs cannot expand; packets over ``maxBytes`` are refused;
/// nesting deeper than ``maxDepth`` is cut off.
enum XMPParser {
    static let maxBytes = 16 << 20
    static let maxDepth = 32
    static let rdfNS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

    /// ExifTool's prefixes for the namespaces it knows, so `Iptc4xmpExt:DigitalSourceType` is
    /// named the same whatever prefix the writer chose.
    static let prefixes: [String: String] = [
        "http://ns.adobe.com/xap/1.0/": "xmp", "http://ns.adobe.com/xap/1.0/mm/": "xmpMM",
        "http://ns.adobe.com/photoshop/1.0/": "photoshop", "http://purl.org/dc/elements/1.1/": "dc",
        "http://ns.adobe.com/exif/1.0/": "exif", "http://ns.adobe.com/tiff/1.0/": "tiff",
        "http://ns.adobe.com/exif/1.0/aux/": "aux", "http://cipa.jp/exif/1.0/": "exifEX",
        "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
        "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "Iptc4xmpExt",
        "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#": "stEvt",
        "http://ns.adobe.com/xap/1.0/sType/ResourceRef#": "stRef",
        "http://ns.adobe.com/pdf/1.3/": "pdf", "http://ns.adobe.com/xap/1.0/rights/": "xmpRights",
        "http://ns.google.com/photos/1.0/camera/": "GCamera",
    ]

    /// XMP date properties whose values become ``TimeValue``s.
    static let dateTags: Set<String> = [
        "xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate", "photoshop:DateCreated",
        "exif:DateTimeOriginal", "exif:DateTimeDigitized", "tiff:DateTime", "exif:GPSTimeStamp",
    ]

    /// Parses `bytes` (one packet, found at absolute `offset`) into `out`.
    static func parse<C: Collection>(_ bytes: C, offset: Int, path: String, into out: MetadataCollector) where C.Element == UInt8 {
        var packet = Array(bytes)
        while packet.last == 0 { packet.removeLast() }
        guard !packet.isEmpty else { return }
        guard packet.count <= maxBytes else {
            out.warn("xmp-too-large", "XMP packet of \(packet.count) bytes exceeds \(maxBytes); not parsed", offset: offset, path: path)
            return
        }
        if packet.firstRange(of: Array("<!DOCTYPE".utf8)) != nil || packet.firstRange(of: Array("<!ENTITY".utf8)) != nil {
            out.warn("xmp-doctype", "XMP packet declares a DOCTYPE/entities (possible entity bomb); not parsed",
                     offset: offset, path: path)
            return
        }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let doc = packet.withUnsafeBufferPointer { buf in
            buf.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                    xmlReadMemory($0, Int32(buf.count), nil, "UTF-8", options)
                }
            }
        }
        guard let doc else {
            out.warn("xmp-malformed", "XMP packet is not well-formed XML; not parsed", offset: offset, path: path)
            return
        }
        defer { xmlFreeDoc(doc) }
        var walker = XMPWalker(out: out, offset: offset, path: path)
        walker.findDescriptions(xmlDocGetRootElement(doc), depth: 0)
    }
}

/// Walks a parsed XMP tree: finds `rdf:Description` elements and records their properties.
private struct XMPWalker {
    let out: MetadataCollector
    let offset: Int
    let path: String
    var skippedEntities = false

    init(out: MetadataCollector, offset: Int, path: String) { self.out = out; self.offset = offset; self.path = path }

    mutating func findDescriptions(_ node: xmlNodePtr?, depth: Int) {
        var n = node
        while let cur = n {
            if cur.pointee.type == XML_ELEMENT_NODE {
                if isRDF(cur, "Description") {
                    record(description: cur)
                } else if depth < XMPParser.maxDepth {
                    findDescriptions(cur.pointee.children, depth: depth + 1)
                }
            }
            n = cur.pointee.next
        }
    }

    mutating func record(description: xmlNodePtr) {
        for (name, value) in attributes(description) {
            add(name, .string(value))
        }
        var c = description.pointee.children
        while let cur = c {
            if cur.pointee.type == XML_ELEMENT_NODE, let name = qualifiedName(cur) {
                add(name, value(of: cur, depth: 1))
            }
            c = cur.pointee.next
        }
    }

    mutating func add(_ tag: String, _ v: JSONValue) {
        let text: String
        switch v {
        case .string(let s): text = s
        case .array(let items) where items.allSatisfy({ if case .string = $0 { return true }; return false }):
            text = items.compactMap { if case .string(let s) = $0 { return s }; return nil }.joined(separator: ", ")
        default: text = v.canonicalText
        }
        let isDate = XMPParser.dateTags.contains(tag)
        let time = isDate ? MetadataTime.value(text, zone: out.zone) : nil
        let d = MetadataText.decode(Array(text.utf8))
        // Dates are printed as ExifTool prints them; the ISO text stays in the TimeValue's raw.
        out.add(.xmp, tag, isDate ? MetadataTime.exifToolForm(text) : text, offset: offset, path: path, raw: nil,
                encoding: d.encoding == nil ? nil : "utf-8", time: time)
    }

    /// A property's value: text, a resource URI, a list (Seq/Bag/Alt) or a struct (as JSON).
    mutating func value(of node: xmlNodePtr, depth: Int) -> JSONValue {
        guard depth < XMPParser.maxDepth else {
            out.warn("xmp-too-deep", "XMP nesting deeper than \(XMPParser.maxDepth); cut off", offset: offset, path: path)
            return .null
        }
        if let res = attribute(node, ns: XMPParser.rdfNS, "resource") { return .string(res) }
        let attrs = attributes(node)
        let kids = elementChildren(node)
        if attribute(node, ns: XMPParser.rdfNS, "parseType") == "Resource" || (!attrs.isEmpty && kids.isEmpty && text(node).isEmpty) {
            return structValue(node, depth: depth)
        }
        if let first = kids.first {
            if isRDF(first, "Seq") || isRDF(first, "Bag") || isRDF(first, "Alt") {
                let items = elementChildren(first).filter { isRDF($0, "li") }
                if isRDF(first, "Alt"),
                   let def = items.first(where: { attribute($0, ns: "http://www.w3.org/XML/1998/namespace", "lang") == "x-default" }) ?? items.first {
                    return value(of: def, depth: depth + 1)
                }
                return .array(items.map { value(of: $0, depth: depth + 1) })
            }
            if isRDF(first, "Description") { return structValue(first, depth: depth) }
            return structValue(node, depth: depth)
        }
        return .string(text(node))
    }

    mutating func structValue(_ node: xmlNodePtr, depth: Int) -> JSONValue {
        var fields: [String: JSONValue] = [:]
        for (k, v) in attributes(node) { fields[k] = .string(v) }
        for kid in elementChildren(node) {
            if let name = qualifiedName(kid) { fields[name] = value(of: kid, depth: depth + 1) }
        }
        return .object(fields)
    }

    /// The element's text, from text and CDATA nodes only: entity references are never expanded.
    mutating func text(_ node: xmlNodePtr) -> String {
        var s = ""
        var c = node.pointee.children
        while let cur = c {
            if cur.pointee.type == XML_TEXT_NODE || cur.pointee.type == XML_CDATA_SECTION_NODE, let content = cur.pointee.content {
                s += String(cString: content)
            } else if cur.pointee.type == XML_ENTITY_REF_NODE, !skippedEntities {
                skippedEntities = true
                out.warn("xmp-entity-reference", "XMP uses entity references; they were not expanded", offset: offset, path: path)
            }
            c = cur.pointee.next
        }
        return s
    }

    func elementChildren(_ node: xmlNodePtr) -> [xmlNodePtr] {
        var out: [xmlNodePtr] = []
        var c = node.pointee.children
        while let cur = c {
            if cur.pointee.type == XML_ELEMENT_NODE { out.append(cur) }
            c = cur.pointee.next
        }
        return out
    }

    /// Non-RDF, non-`xml:` attributes as `prefix:name` → value.
    func attributes(_ node: xmlNodePtr) -> [(String, String)] {
        var out: [(String, String)] = []
        var a = node.pointee.properties
        while let cur = a {
            let href = cur.pointee.ns.flatMap { $0.pointee.href }.map { String(cString: $0) }
            if let href, href != XMPParser.rdfNS, href != "http://www.w3.org/XML/1998/namespace",
               let name = cur.pointee.name {
                let prefix = XMPParser.prefixes[href] ?? cur.pointee.ns.flatMap { $0.pointee.prefix }.map { String(cString: $0) } ?? "ns"
                var v = ""
                var t = cur.pointee.children
                while let tc = t {
                    if let content = tc.pointee.content { v += String(cString: content) }
                    t = tc.pointee.next
                }
                out.append(("\(prefix):\(String(cString: name))", v))
            }
            a = cur.pointee.next
        }
        return out
    }

    func attribute(_ node: xmlNodePtr, ns: String, _ name: String) -> String? {
        // xmlHasNsProp returns the attribute node itself: nothing to free, no entity expansion.
        guard let attr = xmlHasNsProp(node, name, ns) else { return nil }
        var v = ""
        var t = attr.pointee.children
        while let tc = t {
            if let content = tc.pointee.content { v += String(cString: content) }
            t = tc.pointee.next
        }
        return v
    }

    func qualifiedName(_ node: xmlNodePtr) -> String? {
        guard let name = node.pointee.name else { return nil }
        let href = node.pointee.ns.flatMap { $0.pointee.href }.map { String(cString: $0) }
        let prefix = href.flatMap { XMPParser.prefixes[$0] } ?? node.pointee.ns.flatMap { $0.pointee.prefix }.map { String(cString: $0) } ?? "ns"
        return "\(prefix):\(String(cString: name))"
    }

    func isRDF(_ node: xmlNodePtr, _ local: String) -> Bool {
        guard let name = node.pointee.name, String(cString: name) == local,
              let href = node.pointee.ns?.pointee.href else { return false }
        return String(cString: href) == XMPParser.rdfNS
    }
}
