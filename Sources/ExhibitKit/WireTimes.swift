import Foundation

/// Reads a protocol time object into a ``TimeValue`` with the right basis. The forms:
/// - `"instant": "2024-08-28T06:12:03.5Z"` → basis `utc`; with `+09:00` → basis `offset`;
/// - `"unix_s"`, `"unix_ms"`, `"unix_us"` (and `"utc_us"`, the name the host sends): an epoch
///   number → basis `utc`;
/// - `"local": "2024-08-28T15:12:03"`: a naive wall-clock time → resolved in the case's declared
///   zone (basis `assumed-zone`), or basis `unknown` when none was declared.
/// Optional: `raw` (the value as found; defaults to the given value), `precision` (the
/// TimeValue vocabulary), `note`; `basis` is ignored (the host derives it).
///
/// Times are symmetric: the host sends file times with `utc_us`, `instant` and (for naive local
/// times) `local`, and a plugin may send such an object back. Several forms in one object must
/// agree: every instant form must name the same microsecond; with `local`, the local time wins
/// (it is what the source said) and the instant must equal its resolution in the declared zone
/// (either candidate of a DST fold) — without a declared zone the two cannot be checked and the
/// time is refused.
extension WireTime {
    /// The time this object names, or the failure naming `field` and the form that is wrong.
    public func timeValue(field: String, zone: TimeZone?) throws -> TimeValue {
        let o = self
        // The instant forms, most specific first (the first present gives raw and precision defaults).
        let forms: [(String, WireNumber?)] = [("utc_us", o.utcUs), ("unix_us", o.unixUs), ("unix_ms", o.unixMs), ("unix_s", o.unixS)]
        let instants = (o.instant != nil ? ["instant"] : []) + forms.filter { $0.1 != nil }.map(\.0)
        let hasLocal = o.local != nil
        guard hasLocal || !instants.isEmpty else {
            throw WireInvalid("\(field) needs one of instant, unix_s, unix_ms, unix_us, local")
        }
        let raw = o.raw, note = o.note
        var precision: TimePrecision?
        if let p = o.precision {
            guard let v = TimePrecision(rawValue: p) else {
                throw WireInvalid("\(field).precision \"\(p)\" is not one of \(TimePrecision.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            precision = v
        }
        let values = try instants.map { try Self.instant(form: $0, o, field: field, raw: raw, precision: precision, note: note) }
        if let first = values.first {
            for (form, v) in zip(instants, values).dropFirst() where v.utcMicros != first.utcMicros {
                throw WireInvalid("\(field).\(form) and \(field).\(instants[0]) name different instants (one time may carry several forms only when they agree)")
            }
        }
        guard hasLocal else { return values[0] }
        guard let s = o.local, let naive = NaiveDateTime(wallClock: s.replacingOccurrences(of: " ", with: "T")) else {
            throw WireInvalid("\(field).local must be YYYY-MM-DDTHH:MM:SS[.ffffff] without a zone")
        }
        // The resolver adds its own remark (no zone declared, DST gap or fold); an echoed time
        // already carries it in `note`, which must not gain it twice.
        var local = naive.resolve(in: zone, raw: raw ?? s, precision: precision ?? .second)
        if let note {
            if let added = local.note, !note.contains(added) {
                local = naive.resolve(in: zone, raw: raw ?? s, precision: precision ?? .second, note: note)
            } else {
                local.note = note
            }
        }
        guard let given = values.first?.utcMicros else { return local }
        guard zone != nil else {
            throw WireInvalid("\(field) carries local and \(instants[0]), which cannot be checked against each other without a declared zone (send one form)")
        }
        guard given == local.utcMicros || given == local.alternateUTCMicros else {
            throw WireInvalid("\(field).local \"\(s)\" in \(zone?.identifier ?? "") is not \(field).\(instants[0]) (one time may carry several forms only when they agree)")
        }
        return local
    }

    /// One instant form of a time object.
    private static func instant(form: String, _ o: WireTime, field: String, raw: String?, precision: TimePrecision?,
                                note: String?) throws -> TimeValue {
        if form == "instant" {
            let s = o.instant ?? ""
            let zoned = s.hasSuffix("Z") || s.hasSuffix("z") || Self.hasOffset(s)
            guard zoned, let parsed = UTCFormat.parseUserInstant(s), !parsed.dateOnly else {
                throw WireInvalid("\(field).instant \"\(s)\" is not ISO 8601 with Z or an offset (use local for times without a zone)")
            }
            let utc = s.hasSuffix("Z") || s.hasSuffix("z")
            return TimeValue(raw: raw ?? s, utcMicros: parsed.micros, basis: utc ? .utc : .offset,
                             precision: precision ?? (s.contains(".") ? .millisecond : .second), note: note)
        }
        let number: WireNumber? = form == "unix_s" ? o.unixS : form == "unix_ms" ? o.unixMs : form == "unix_us" ? o.unixUs : o.utcUs
        guard let n = number else { throw WireInvalid("\(field).\(form) must be a number") }
        let scale: Double = form == "unix_s" ? 1_000_000 : (form == "unix_ms" ? 1000 : 1)
        let micros = n.double * scale
        guard micros.isFinite, abs(micros) < 1e17 else { throw WireInvalid("\(field).\(form) is out of range") }
        let p = precision ?? (form == "unix_s" ? .second : (form == "unix_ms" ? .millisecond : .microsecond))
        return TimeValue(raw: raw ?? n.text, utcMicros: Int64(micros.rounded(.down)), basis: .utc, precision: p, note: note)
    }

    private static func hasOffset(_ s: String) -> Bool {
        guard s.count > 19 else { return false }
        let tail = s.suffix(6)
        return (tail.first == "+" || tail.first == "-") && tail.dropFirst(3).first == ":"
            || { let t = s.suffix(5); return (t.first == "+" || t.first == "-") && t.dropFirst().allSatisfy(\.isNumber) }()
    }
}
