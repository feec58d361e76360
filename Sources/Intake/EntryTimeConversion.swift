internal import CArchive
import ExhibitKit
import Foundation

/// Turns archive timestamps into ``TimeValue``s with an honest basis.
///
/// Epoch formats (tar, cpio, 7z, iso9660, ar, rar5, xar, warc, gzip headers) are UTC. Zip, cab and
/// rar 4 store DOS wall-clock times with no zone; libarchive turns them into a `time_t` with
/// `mktime()` in the process zone, so we invert exactly that conversion (`localtime_r`, which under
/// the process-wide `TZ=UTC` of ``IntakeWalker/prepareProcess()`` is plain arithmetic) to recover the
/// wall clock and interpret it only in the zone the examiner declared.
enum EntryTimeConversion {
    static let dosNote = "DOS date-time (no zone in archive)"

    static func times(for h: ArchiveHeader, formatCode: Int32, zip: ZipEntryInfo?, zone: TimeZone?) -> EntryTimes {
        switch formatCode {
        case ARCHIVE_FORMAT_ZIP:
            if let zip { return zipTimes(zip, zone: zone) }
            // No central-directory information: the modification time may be DOS or an extra field.
            return EntryTimes(modified: h.mtime.map { naive(fromLibarchive: $0, zone: zone, note: dosNote + "; basis not verified") },
                              accessed: h.atime.map(utc), changed: h.ctime.map(utc), created: h.birthtime.map(utc))
        case ARCHIVE_FORMAT_CAB:
            return EntryTimes(modified: h.mtime.map { naive(fromLibarchive: $0, zone: zone, note: dosNote) })
        case ARCHIVE_FORMAT_RAR:
            let note = "RAR 4 local time (no zone in archive)"
            return EntryTimes(modified: h.mtime.map { naive(fromLibarchive: $0, zone: zone, note: note) },
                              accessed: h.atime.map { naive(fromLibarchive: $0, zone: zone, note: note) },
                              changed: h.ctime.map { naive(fromLibarchive: $0, zone: zone, note: note) },
                              created: h.birthtime.map { naive(fromLibarchive: $0, zone: zone, note: note) })
        case ARCHIVE_FORMAT_LHA:
            // Level-0/1 LHA headers hold DOS local time, level 2 UTC; libarchive hides which.
            let note = "LHA time: DOS local time unless the header is level 2"
            return EntryTimes(modified: h.mtime.map { naive(fromLibarchive: $0, zone: zone, note: note) },
                              accessed: h.atime.map(utc), changed: h.ctime.map(utc), created: h.birthtime.map(utc))
        default:
            return EntryTimes(modified: h.mtime.map(utc), accessed: h.atime.map(utc),
                              changed: h.ctime.map(utc), created: h.birthtime.map(utc))
        }
    }

    static func utc(_ t: (seconds: Int64, nanos: Int64)) -> TimeValue {
        TimeValue.unixSeconds(t.seconds, nanoseconds: t.nanos)
    }

    /// Recovers the wall clock libarchive converted with `mktime()` and resolves it in `zone`.
    static func naive(fromLibarchive t: (seconds: Int64, nanos: Int64), zone: TimeZone?, note: String) -> TimeValue {
        var tt = time_t(t.seconds)
        var tmv = tm()
        guard localtime_r(&tt, &tmv) != nil else {
            return TimeValue(raw: String(t.seconds), utcMicros: nil, basis: .unknown, precision: .twoSeconds, note: note)
        }
        let wall = NaiveDateTime(year: Int(tmv.tm_year) + 1900, month: Int(tmv.tm_mon) + 1, day: Int(tmv.tm_mday),
                                 hour: Int(tmv.tm_hour), minute: Int(tmv.tm_min), second: Int(tmv.tm_sec),
                                 microsecond: Int(t.nanos / 1000))
        return wall.resolve(in: zone, precision: t.nanos == 0 ? .twoSeconds : .hundredNanoseconds, note: note)
    }

    /// DOS date and time words straight from a zip header (no libarchive, no `mktime`).
    static func dosDateTime(date: UInt16, time: UInt16) -> NaiveDateTime {
        NaiveDateTime(year: 1980 + Int(date >> 9), month: Int((date >> 5) & 0xF), day: Int(date & 0x1F),
                      hour: Int(time >> 11), minute: Int((time >> 5) & 0x3F), second: Int(time & 0x1F) * 2)
    }

    static func zipTimes(_ z: ZipEntryInfo, zone: TimeZone?) -> EntryTimes {
        var t = EntryTimes()
        if let m = z.utcModified {
            t.modified = m
        } else {
            // The wall clock as raw text; the header words when they name no real date.
            let wall = dosDateTime(date: z.dosDate, time: z.dosTime)
            let raw = wall.isValid ? wall.text : String(format: "DOS date 0x%04x time 0x%04x", z.dosDate, z.dosTime)
            t.modified = wall.resolve(in: zone, raw: raw, precision: .twoSeconds, note: dosNote)
        }
        t.accessed = z.utcAccessed
        t.created = z.utcCreated
        return t
    }
}
