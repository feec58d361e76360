import Foundation
internal import CXML2

/// Receives the events of ``HTMLSAXReader``. Names are lower-case; attribute values are decoded.
protocol HTMLSAXHandler: AnyObject {
    func startElement(_ name: String, attributes: [String: String], line: Int)
    func endElement(_ name: String)
    func characters(_ bytes: UnsafeRawBufferPointer)
}

/// libxml2's HTML push parser in SAX mode: no tree is built and bytes are fed in chunks, so memory
/// stays bounded for any file size. Network access is off and errors are recovered from silently
/// (hostile HTML is parsed as far as it goes); HTML has no external entities to expand.
///
/// Owns the parser context and frees it in `deinit`. Not thread-safe: one instance per file.
final class HTMLSAXReader {
    private var ctxt: htmlParserCtxtPtr?
    private var sax = htmlSAXHandler()
    private weak var handler: HTMLSAXHandler?
    /// Elements that never have content; libxml2 may report their end, which we ignore.
    static let voidElements: Set<String> = ["br", "img", "meta", "link", "hr", "input", "area", "base", "col", "wbr", "source"]

    init(handler: HTMLSAXHandler) {
        self.handler = handler
        sax.startElement = { ctx, name, atts in
            guard let ctx, let name else { return }
            let reader = Unmanaged<HTMLSAXReader>.fromOpaque(ctx).takeUnretainedValue()
            reader.start(name, atts)
        }
        sax.endElement = { ctx, name in
            guard let ctx, let name else { return }
            let reader = Unmanaged<HTMLSAXReader>.fromOpaque(ctx).takeUnretainedValue()
            reader.handler?.endElement(String(cString: name))
        }
        let chars: charactersSAXFunc = { ctx, ch, len in
            guard let ctx, let ch, len > 0 else { return }
            let reader = Unmanaged<HTMLSAXReader>.fromOpaque(ctx).takeUnretainedValue()
            reader.handler?.characters(UnsafeRawBufferPointer(start: ch, count: Int(len)))
        }
        sax.characters = chars
        sax.ignorableWhitespace = chars
        sax.cdataBlock = chars
        // Structured errors go nowhere: hostile HTML is the normal case, and libxml2 would
        // otherwise print every recovery to stderr.
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.serror = { _, _ in }
    }

    deinit {
        if let ctxt { htmlFreeParserCtxt(ctxt) }
    }

    private func start(_ name: UnsafePointer<xmlChar>, _ atts: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        var attributes: [String: String] = [:]
        if var p = atts {
            while let key = p.pointee {
                let value = p.advanced(by: 1).pointee
                attributes[String(cString: key)] = value.map { String(cString: $0) } ?? ""
                p = p.advanced(by: 2)
            }
        }
        let line = ctxt.map { Int(xmlSAX2GetLineNumber(UnsafeMutableRawPointer($0))) } ?? 0
        handler?.startElement(String(cString: name), attributes: attributes, line: line)
    }

    /// Feeds the next chunk of the document.
    func feed(_ chunk: UnsafeRawBufferPointer) {
        guard chunk.count > 0, let raw = chunk.baseAddress else { return }
        let base = raw.assumingMemoryBound(to: CChar.self)
        if ctxt == nil {
            let userData = Unmanaged.passUnretained(self).toOpaque()
            ctxt = htmlCreatePushParserCtxt(&sax, userData, nil, 0, nil, XML_CHAR_ENCODING_UTF8)
            if let ctxt {
                let options = Int32(HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                                    | HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOIMPLIED.rawValue)
                htmlCtxtUseOptions(ctxt, options)
            }
        }
        guard let ctxt else { return }
        // Feed in pieces that fit an Int32 length.
        var offset = 0
        while offset < chunk.count {
            let n = min(chunk.count - offset, 1 << 20)
            htmlParseChunk(ctxt, base.advanced(by: offset), Int32(n), 0)
            offset += n
        }
    }

    /// Signals the end of the document (flushes pending events).
    func finish() {
        guard let ctxt else { return }
        htmlParseChunk(ctxt, nil, 0, 1)
    }
}
