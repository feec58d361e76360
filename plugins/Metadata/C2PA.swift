import Foundation
import ExhibitKit

/// Recognises a C2PA manifest store: a JUMBF superbox (`jumb`) whose description box (`jumd`)
/// carries the label `c2pa`. The manifest itself (CBOR claims, COSE signatures) is not verified;
/// the claim generator is read when it is plainly present, as the text after `claim_generator`.
enum C2PA {
    /// Most JUMBF bytes gathered from one file.
    static let maxBytes = 64 << 20

    /// Looks at one JUMBF box stream (`data` begins with a box header) and records an indicator
    /// when it is a C2PA manifest store. Returns whether it was one.
    @discardableResult
    static func inspect<C: Collection>(_ data: C, offset: Int, path: String, out: MetadataCollector) -> Bool where C.Element == UInt8 {
        let v = ByteView(Array(data.prefix(4096)))
        guard v.fourCC(4) == "jumb", v.fourCC(12) == "jumd" else {
            out.warn("jumbf-unrecognised", "JUMBF data without a jumb/jumd header", offset: offset, path: path)
            return false
        }
        // jumd: 16-byte type UUID, toggles (1), then a NUL-terminated label when toggle bit 1 is set.
        let typeCode = v.fourCC(16)
        // A box shorter than its own label offset has no label (the fuzzer found the slice
        // past the end of a 20-byte `caBX` chunk).
        let labelStart = min(16 + 16 + 1, v.count)
        let labelEnd = v.firstIndex(of: 0, from: labelStart, to: v.count) ?? labelStart
        let label = String(decoding: v.bytes[labelStart..<max(labelStart, labelEnd)], as: UTF8.self)
        guard label == "c2pa" || typeCode == "c2pa" else { return false }
        let generator = claimGenerator(Array(data))
        var details: [String: JSONValue] = ["label": .string(label)]
        if let generator { details["claimGenerator"] = .string(generator) }
        out.indicate(Indicator(kind: .c2paManifest,
                               summary: "C2PA manifest store present" + (generator.map { " (claim generator: \($0))" } ?? ""),
                               evidenceTag: path, location: SourceLocation(offset: Int64(offset), record: path),
                               details: .object(details)),
                     aiTag: "C2PAManifest", aiValue: generator ?? "present")
        if let generator { out.add(.ai, "C2PAClaimGenerator", generator, offset: offset, path: path) }
        return true
    }

    /// The CBOR text string following the key `claim_generator` (major type 3, length < 65,536).
    static func claimGenerator(_ bytes: [UInt8]) -> String? {
        let key = Array("claim_generator".utf8)
        guard let k = bytes.firstRange(of: key) else { return nil }
        let v = ByteView(bytes)
        var p = k + key.count
        guard let head = v.u8(p), head >> 5 == 3 else { return nil }
        var len = Int(head & 0x1f)
        p += 1
        if len == 24 { len = Int(v.u8(p) ?? 0); p += 1 } else if len == 25 { len = Int(v.u16(p, bigEndian: true) ?? 0); p += 2 } else if len > 25 { return nil }
        guard let s = v.slice(p, len) else { return nil }
        return String(decoding: s, as: UTF8.self)
    }
}
