import Foundation
import ExhibitKit

/// PDF document information: the Info dictionary (Author, Creator, Producer, CreationDate,
/// ModDate…) and the XMP packet.
///
/// Deliberately independent of the cross-reference table, so a broken or missing xref does not
/// hide the metadata: the last `/Info n g R` in the file (the newest incremental update, or an
/// xref stream's dictionary) names the object, and the last definition of that object is read.
/// Info dictionaries inside compressed object streams are not read (reported as a warning).
struct PDFParser {
    let view: ByteView
    let out: MetadataCollector

    static let names: [String: String] = [
        "Author": "Author", "Creator": "Creator", "Producer": "Producer", "CreationDate": "CreateDate",
        "ModDate": "ModifyDate", "Title": "Title", "Subject": "Subject", "Keywords": "Keywords", "Trapped": "Trapped",
    ]
    /// Most bytes of one Info dictionary read.
    static let dictionaryLimit = 64 << 10

    func parse() {
        info()
        xmp()
    }

    func info() {
        let b = view.bytes
        var search = b.count
        var ref: (Int, Int)?
        // The last "/Info" followed by "n g R".
        while ref == nil, let at = lastIndex(of: Array("/Info".utf8), before: search) {
            var lexer = PDFLexer(view: view, at: at + 5)
            if case .number(let n)? = lexer.next(), case .number(let g)? = lexer.next(), case .keyword("R")? = lexer.next() {
                ref = (Int(n), Int(g))
            }
            search = at
        }
        guard let (num, gen) = ref else {
            if b.firstRange(of: Array("/ObjStm".utf8)) != nil {
                out.warn("pdf-no-info", "no /Info reference found (it may sit in a compressed object stream, not read)", path: "PDF")
            }
            return
        }
        guard let objAt = lastIndex(of: Array("\(num) \(gen) obj".utf8), before: b.count, wholeNumber: true) else {
            out.warn("pdf-info-missing", "Info object \(num) \(gen) not found (compressed object stream or damaged file)", path: "PDF")
            return
        }
        var lexer = PDFLexer(view: ByteView(Array(b[objAt..<min(b.count, objAt + Self.dictionaryLimit)])), at: 0)
        lexer.skip(Array("\(num) \(gen) obj".utf8).count)
        guard case .dictStart? = lexer.next() else {
            out.warn("pdf-info-not-dictionary", "Info object \(num) \(gen) is not a dictionary", offset: objAt, path: "PDF/Info")
            return
        }
        while let key = lexer.next() {
            guard case .name(let k) = key else { break }
            let valueAt = objAt + lexer.position
            guard let v = lexer.value() else { break }
            guard let tag = Self.names[k] else { continue }
            let path = "PDF/Info \(num) \(gen) obj/\(k)"
            switch v {
            case .string(let raw):
                let d = PDFText.decode(raw)
                if tag == "CreateDate" || tag == "ModifyDate" {
                    let (printed, time) = PDFText.date(d.text, zone: out.zone)
                    out.add(.pdf, tag, printed, offset: valueAt, path: path, raw: Data(raw), encoding: d.encoding, time: time)
                } else {
                    out.add(.pdf, tag, d.text, offset: valueAt, path: path, raw: d.encoding == nil ? nil : Data(raw), encoding: d.encoding)
                }
            case .name(let n): out.add(.pdf, tag, n, offset: valueAt, path: path)
            case .number(let n): out.add(.pdf, tag, TIFFValue.number(n, significant: 15), offset: valueAt, path: path)
            default: continue
            }
        }
    }

    /// The last XMP packet in the file (metadata streams are stored uncompressed by convention).
    func xmp() {
        let b = view.bytes
        guard let start = lastIndex(of: Array("<?xpacket begin".utf8), before: b.count),
              let endTag = b.firstRange(of: Array("<?xpacket end".utf8), from: start),
              let close = b.firstRange(of: Array("?>".utf8), from: endTag) else { return }
        XMPParser.parse(b[start..<close + 2], offset: start, path: "PDF/XMP", into: out)
    }

    /// The start of the last occurrence of `needle` that begins before `before`.
    func lastIndex(of needle: [UInt8], before: Int, wholeNumber: Bool = false) -> Int? {
        let b = view.bytes
        var i = min(before, b.count) - needle.count
        while i >= 0 {
            if b[i] == needle[0], b[i..<i + needle.count].elementsEqual(needle) {
                if !wholeNumber || i == 0 || !(b[i - 1] >= 48 && b[i - 1] <= 57) { return i }
            }
            i -= 1
        }
        return nil
    }
}
