import Foundation
import ExhibitKit

/// Values ExifTool derives after reading the IFDs (its Composite tags) and the times of EXIF
/// dates, computed once every tag of the file is known (a Ref or OffsetTime tag may come after
/// the value it qualifies).
enum ExifDerived {
    /// Date tags and the offset / sub-second tags that qualify them (EXIF 2.31).
    static let dateCompanions: [(date: String, offset: String, subSec: String)] = [
        ("DateTimeOriginal", "OffsetTimeOriginal", "SubSecTimeOriginal"),
        ("CreateDate", "OffsetTimeDigitized", "SubSecTimeDigitized"),
        ("ModifyDate", "OffsetTime", "SubSecTime"),
    ]

    static func apply(to out: MetadataCollector) {
        signCoordinates(out)
        gpsDateTime(out)
        for c in dateCompanions {
            let offset = out.first(.exif, c.offset)?.value
            let sub = out.first(.exif, c.subSec)?.value
            out.setTime(where: { $0.namespace == .exif && $0.tag == c.date }) {
                MetadataTime.value($0.value, extraOffset: offset, subSeconds: sub, zone: out.zone) ?? $0.time
            }
        }
    }

    /// ExifTool's Composite GPSLatitude/GPSLongitude: negative when the Ref starts with S or W.
    static func signCoordinates(_ out: MetadataCollector) {
        for (tag, ref) in [("GPSLatitude", "GPSLatitudeRef"), ("GPSLongitude", "GPSLongitudeRef")] {
            guard let r = out.first(.gps, ref)?.value.uppercased(), r.hasPrefix("S") || r.hasPrefix("W") else { continue }
            out.update(where: { $0.namespace == .gps && $0.tag == tag && $0.location.record?.contains("/GPS") == true }) {
                $0.value.hasPrefix("-") || $0.value == "0" ? $0.value : "-" + $0.value
            }
        }
    }

    /// ExifTool's Composite GPSDateTime (`2024:08:28 06:12:03Z`), basis `utc`.
    static func gpsDateTime(_ out: MetadataCollector) {
        guard let date = out.first(.gps, "GPSDateStamp"), let time = out.first(.gps, "GPSTimeStamp") else { return }
        let text = "\(date.value) \(time.value)"
        guard let p = MetadataTime.parse(text) else {
            out.warn("gps-time", "GPSDateStamp/GPSTimeStamp \(text) is not a valid date-time",
                     offset: date.location.offset.map { Int($0) }, path: date.location.record)
            return
        }
        let tv = MetadataTime.utcValue(p.naive, raw: text + "Z", precision: p.precision)
        out.add(.gps, "GPSDateTime", text + "Z", offset: time.location.offset.map { Int($0) },
                path: time.location.record ?? "GPS", time: tv)
    }

    /// The clock-discrepancy indicator: camera time (with an instant) vs GPS time.
    static func clockDiscrepancy(_ out: MetadataCollector) {
        guard let gps = out.first(.gps, "GPSDateTime"), let gpsTime = gps.time, let g = gpsTime.utcMicros else { return }
        let camera = ["DateTimeOriginal", "CreateDate"].lazy.compactMap { out.first(.exif, $0) }.first
            ?? out.entries.first { $0.namespace == .quicktime && $0.tag == "CreationDate" && $0.time?.basis == .offset }
        guard let camera, let camTime = camera.time, let c = camTime.utcMicros else { return }
        let diff = (c - g) / 1_000_000
        guard abs(diff) > Indicator.clockTolerance else { return }
        out.indicate(Indicator(
            kind: .clockDiscrepancy,
            summary: "camera clock (\(camera.tag) \(camera.value), basis \(camTime.basis.rawValue)) differs from GPS time (\(gps.value)) by \(diff) s",
            evidenceTag: "\(camera.tag) vs GPSDateTime", location: camera.location,
            details: .object(["cameraTag": .string(camera.tag), "cameraRaw": .string(camera.value),
                              "cameraBasis": .string(camTime.basis.rawValue), "gpsRaw": .string(gps.value),
                              "differenceSeconds": .number(Double(diff))]),
            times: ["camera": camTime, "gps": gpsTime]))
    }
}

/// ExifTool's arithmetic for GPS values.
enum GPSFormat {
    /// Degrees, minutes, seconds → decimal degrees, printed as Perl prints a number (`%.15g`).
    static func degrees(_ dms: [Double]) -> String {
        let d = dms[0], m = dms.count > 1 ? dms[1] : 0, s = dms.count > 2 ? dms[2] : 0
        return TIFFValue.number(d + (m + s / 60) / 60, significant: 15)
    }

    /// GPSTimeStamp hours, minutes, seconds → `HH:MM:SS[.fff]` (ExifTool's ConvertTimeStamp).
    static func timeStamp(_ hms: [Double]) -> String {
        var f = (hms[0] * 60 + hms[1]) * 60 + hms[2]
        guard f.isFinite, f >= 0, f < 1e9 else { return hms.map { TIFFValue.number($0, significant: 10) }.joined(separator: " ") }
        let h = Int(f / 3600); f -= Double(h) * 3600
        let m = Int(f / 60); f -= Double(m) * 60
        var ss = String(format: "%.9f", f)
        while ss.hasSuffix("0") { ss.removeLast() }
        if ss.hasSuffix(".") { ss.removeLast() }
        if f < 10 { ss = "0" + ss }
        return String(format: "%02d:%02d:", h, m) + ss
    }
}
