import Foundation
import ExhibitKit
internal import CXML2

/// A small, safe view of an XML document for flat property files (OOXML `core.xml`/`app.xml`,
/// ODF `meta.xml`): each element's namespace URI, local name, attributes and direct text.
///
/// Same rules as ``XMPParser``: network off, no entity substitution, DOCTYPEs refused before
/// parsing, size capped.
struct XMLElementInfo {
    var namespace: String
    var name: String
    var text: String
    var attributes: [String: String]
    var depth: Int
}

/// Why an XML part was not parsed.
struct XMLPartError: Error {
    var code: String
    var message: String
}

enum XMLFlatReader {
    static let maxBytes = 16 << 20

    /// The elements in document order, or a warning code and message.
    static func elements(_ bytes: [UInt8]) -> Result<[XMLElementInfo], XMLPartError> {
        guard bytes.count <= maxBytes else {
            return .failure(XMLPartError(code: "xml-too-large", message: "XML part of \(bytes.count) bytes; not parsed"))
        }
        if bytes.firstRange(of: Array("<!DOCTYPE".utf8)) != nil || bytes.firstRange(of: Array("<!ENTITY".utf8)) != nil {
            return .failure(XMLPartError(code: "xml-doctype", message: "XML part declares a DOCTYPE/entities (possible entity bomb); not parsed"))
        }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let doc = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buf.count) { xmlReadMemory($0, Int32(buf.count), nil, nil, options) }
            }
        }
        guard let doc else { return .failure(XMLPartError(code: "xml-malformed", message: "XML part is not well-formed; not parsed")) }
        defer { xmlFreeDoc(doc) }
        var out: [XMLElementInfo] = []
        func walk(_ node: xmlNodePtr?, depth: Int) {
            var n = node
            while let cur = n, out.count < 100_000 {
                if cur.pointee.type == XML_ELEMENT_NODE, let name = cur.pointee.name {
                    var text = ""
                    var attrs: [String: String] = [:]
                    var c = cur.pointee.children
                    while let k = c {
                        if k.pointee.type == XML_TEXT_NODE || k.pointee.type == XML_CDATA_SECTION_NODE, let t = k.pointee.content {
                            text += String(cString: t)
                        }
                        c = k.pointee.next
                    }
                    var a = cur.pointee.properties
                    while let at = a {
                        if let an = at.pointee.name, let v = at.pointee.children?.pointee.content {
                            attrs[String(cString: an)] = String(cString: v)
                        }
                        a = at.pointee.next
                    }
                    let ns = cur.pointee.ns.flatMap { $0.pointee.href }.map { String(cString: $0) } ?? ""
                    out.append(XMLElementInfo(namespace: ns, name: String(cString: name), text: text, attributes: attrs, depth: depth))
                    if depth < 32 { walk(cur.pointee.children, depth: depth + 1) }
                }
                n = cur.pointee.next
            }
        }
        walk(xmlDocGetRootElement(doc), depth: 0)
        return .success(out)
    }
}
