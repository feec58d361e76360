internal import CArchive
import Foundation

/// An entry header copied out of libarchive into Swift values.
struct ArchiveHeader {
    var rawName: [UInt8]
    var fileType: UInt32
    var mode: UInt32?
    var symlink: [UInt8]?
    var hardlink: [UInt8]?
    var size: Int64?
    var dataEncrypted: Bool
    var sparse: Bool
    var mtime: (seconds: Int64, nanos: Int64)?
    var atime: (seconds: Int64, nanos: Int64)?
    var ctime: (seconds: Int64, nanos: Int64)?
    var birthtime: (seconds: Int64, nanos: Int64)?
    /// Message of an `ARCHIVE_WARN` header (the header is still usable).
    var warning: String?
}

/// Result of asking libarchive for the next header.
enum HeaderResult {
    case header(ArchiveHeader)
    case eof
    /// `ARCHIVE_RETRY`: this header is bad, the next may be fine.
    case retry(String)
    /// `ARCHIVE_FATAL`: the container cannot be read further.
    case fatal(String)
}

/// Result of reading the next data block of the current entry.
enum DataResult {
    /// Bytes valid until the next call; `offset` is the logical offset (sparse files jump).
    case block(UnsafeRawBufferPointer, offset: Int64)
    /// End of data; `offset` is the logical end libarchive reports (sparse tail).
    case eof(offset: Int64)
    /// `ARCHIVE_WARN` with a last block: the data ended but is suspect (bad CRC).
    case warning(UnsafeRawBufferPointer, offset: Int64, message: String)
    /// `ARCHIVE_FAILED` (entry lost, container fine) or `ARCHIVE_FATAL` (container lost).
    case failed(String, fatal: Bool)
}

/// Owns one libarchive read handle over a ``ByteSource``.
///
/// Formats: every read format of libarchive 3.6.2 except `mtree` (an mtree "archive" names files on
/// the examiner's own disk and libarchive opens them: evidence must never read the host). Filters:
/// every built-in decompressor; filters that would spawn an external program are never enabled.
final class ArchiveReader {
    private let handle: OpaquePointer
    let source: ByteSource
    private var entry: OpaquePointer?

    /// Opens `source` for a full read (`raw == false`) or as one raw stream behind filters (`raw == true`).
    /// Returns `nil` and the error message when libarchive refuses it.
    init(source: ByteSource, raw: Bool) {
        self.source = source
        handle = archive_read_new()
        if raw {
            archive_read_support_format_raw(handle)
        } else {
            for enable in Self.formats { _ = enable(handle) }
        }
        for enable in Self.safeFilters { _ = enable(handle) }
    }

    deinit { archive_read_free(handle) }

    /// Connects the callbacks and runs libarchive's filter and format detection.
    /// Returns `nil` on success, else libarchive's message.
    func open() -> String? {
        let ctx = Unmanaged.passUnretained(source).toOpaque()
        archive_read_set_callback_data(handle, ctx)
        archive_read_set_read_callback(handle) { _, ctx, buff in
            guard let ctx, let buff else { return -1 }
            let src = Unmanaged<ByteSource>.fromOpaque(ctx).takeUnretainedValue()
            let n = src.nextBlock()
            buff.pointee = UnsafeRawPointer(src.buffer)
            return n
        }
        archive_read_set_seek_callback(handle) { _, ctx, offset, whence in
            guard let ctx else { return -1 }
            let src = Unmanaged<ByteSource>.fromOpaque(ctx).takeUnretainedValue()
            return src.seek(offset: offset, whence: whence)
        }
        archive_read_set_skip_callback(handle) { _, ctx, request in
            guard let ctx else { return 0 }
            let src = Unmanaged<ByteSource>.fromOpaque(ctx).takeUnretainedValue()
            return src.skip(request)
        }
        let r = archive_read_open1(handle)
        return r == ARCHIVE_OK ? nil : errorMessage
    }

    /// libarchive's last message, trimmed (some end in a newline); a fatal error without a message
    /// (7z with its header cut away) still gets a readable one.
    var errorMessage: String {
        if let c = archive_error_string(handle) {
            let m = String(cString: c).trimmingCharacters(in: .whitespacesAndNewlines)
            if !m.isEmpty { return m }
        }
        return "unreadable: libarchive gave no reason (errno \(archive_errno(handle)))"
    }

    var errnoValue: Int32 { archive_errno(handle) }

    /// Base format code (`ARCHIVE_FORMAT_ZIP`, …), masked.
    var formatCode: Int32 { archive_format(handle) & ARCHIVE_FORMAT_BASE_MASK }

    /// `ZIP 2.0 (deflation)`, `GNU tar format`, `raw`…
    var formatName: String? { archive_format_name(handle).map { String(cString: $0) } }

    /// Number of filters including the terminal `none`.
    var filterCount: Int32 { archive_filter_count(handle) }

    /// Names of the decompression filters, outermost last (`["gzip"]` for a .tar.gz).
    var filterNames: [String] {
        var out: [String] = []
        let n = archive_filter_count(handle)
        var i: Int32 = 0
        while i < n {
            if let c = archive_filter_name(handle, i) {
                let name = String(cString: c)
                if name != "none" { out.append(name) }
            }
            i += 1
        }
        return out
    }

    /// Position in the container's own (compressed) byte stream.
    var compressedPosition: Int64 { archive_filter_bytes(handle, -1) }

    /// Format name plus filters, `GNU tar format + gzip`.
    var describe: String? {
        guard let f = formatName else { return filterNames.isEmpty ? nil : filterNames.joined(separator: " + ") }
        return ([f] + filterNames).joined(separator: " + ")
    }

    func nextHeader() -> HeaderResult {
        var e: OpaquePointer?
        let r = archive_read_next_header(handle, &e)
        if r == ARCHIVE_EOF { return .eof }
        if r == ARCHIVE_RETRY { return .retry(errorMessage) }
        guard r >= ARCHIVE_WARN, let e else { return .fatal(errorMessage) }
        entry = e
        return .header(copyHeader(e, warning: r == ARCHIVE_WARN ? errorMessage : nil))
    }

    private func copyHeader(_ e: OpaquePointer, warning: String?) -> ArchiveHeader {
        func bytes(_ p: UnsafePointer<CChar>?) -> [UInt8]? {
            guard let p else { return nil }
            return Array(UnsafeRawBufferPointer(start: p, count: strlen(p)))
        }
        func time(_ isSet: Int32, _ s: time_t, _ ns: Int) -> (seconds: Int64, nanos: Int64)? {
            isSet != 0 ? (Int64(s), Int64(ns)) : nil
        }
        let name = bytes(archive_entry_pathname(e)) ?? bytes(archive_entry_pathname_utf8(e)) ?? []
        return ArchiveHeader(
            rawName: name,
            fileType: UInt32(archive_entry_filetype(e)),
            mode: archive_entry_mode(e) != 0 ? UInt32(archive_entry_mode(e)) : nil,
            symlink: bytes(archive_entry_symlink(e)) ?? bytes(archive_entry_symlink_utf8(e)),
            hardlink: bytes(archive_entry_hardlink(e)) ?? bytes(archive_entry_hardlink_utf8(e)),
            size: archive_entry_size_is_set(e) != 0 ? Int64(archive_entry_size(e)) : nil,
            dataEncrypted: archive_entry_is_data_encrypted(e) != 0,
            sparse: archive_entry_sparse_count(e) > 0,
            mtime: time(archive_entry_mtime_is_set(e), archive_entry_mtime(e), archive_entry_mtime_nsec(e)),
            atime: time(archive_entry_atime_is_set(e), archive_entry_atime(e), archive_entry_atime_nsec(e)),
            ctime: time(archive_entry_ctime_is_set(e), archive_entry_ctime(e), archive_entry_ctime_nsec(e)),
            birthtime: time(archive_entry_birthtime_is_set(e), archive_entry_birthtime(e), archive_entry_birthtime_nsec(e)),
            warning: warning)
    }

    func readBlock() -> DataResult {
        var buf: UnsafeRawPointer?
        var size = 0
        var offset: la_int64_t = 0
        let r = archive_read_data_block(handle, &buf, &size, &offset)
        let block = UnsafeRawBufferPointer(start: size > 0 ? buf : nil, count: size > 0 && buf != nil ? size : 0)
        switch r {
        case ARCHIVE_OK: return .block(block, offset: offset)
        case ARCHIVE_EOF: return .eof(offset: offset)
        case ARCHIVE_WARN: return .warning(block, offset: offset, message: errorMessage)
        case ARCHIVE_RETRY, ARCHIVE_FAILED: return .failed(errorMessage, fatal: false)
        default: return .failed(errorMessage, fatal: true)
        }
    }

    /// Skips the rest of the current entry; returns an error message on failure.
    func skipData() -> (message: String, fatal: Bool)? {
        let r = archive_read_data_skip(handle)
        if r >= ARCHIVE_WARN || r == ARCHIVE_EOF { return nil }
        return (errorMessage, r == ARCHIVE_FATAL)
    }

    /// Whether the rest of an entry can be skipped without decompressing it (seekable zip, or
    /// uncompressed tar/cpio/ar/iso). Elsewhere skipping means expanding, which budgets must see.
    var skipIsCheap: Bool {
        if formatCode == ARCHIVE_FORMAT_ZIP { return true }
        guard filterCount <= 1 else { return false }
        return [ARCHIVE_FORMAT_TAR, ARCHIVE_FORMAT_CPIO, ARCHIVE_FORMAT_AR, ARCHIVE_FORMAT_ISO9660].contains(formatCode)
    }

    // MARK: supported formats and filters

    private typealias Enabler = @convention(c) (OpaquePointer?) -> Int32

    private static let formats: [Enabler] = [
        archive_read_support_format_7zip, archive_read_support_format_ar, archive_read_support_format_cab,
        archive_read_support_format_cpio, archive_read_support_format_empty, archive_read_support_format_iso9660,
        archive_read_support_format_lha, archive_read_support_format_rar, archive_read_support_format_rar5,
        archive_read_support_format_tar, archive_read_support_format_warc, archive_read_support_format_xar,
        archive_read_support_format_zip,
    ]

    /// Built-in filters only: a support call returns `ARCHIVE_WARN` when it would fall back to an
    /// external program, so each is probed once on a scratch handle and kept only if it returns OK.
    private static let safeFilters: [Enabler] = {
        let all: [Enabler] = [
            archive_read_support_filter_bzip2, archive_read_support_filter_compress, archive_read_support_filter_gzip,
            archive_read_support_filter_lz4, archive_read_support_filter_lzip, archive_read_support_filter_lzma,
            archive_read_support_filter_xz, archive_read_support_filter_uu, archive_read_support_filter_rpm,
            archive_read_support_filter_zstd, archive_read_support_filter_lzop, archive_read_support_filter_grzip,
            archive_read_support_filter_lrzip,
        ]
        return all.filter { enable in
            let probe = archive_read_new()
            defer { archive_read_free(probe) }
            return enable(probe) == ARCHIVE_OK
        }
    }()

    static var versionDetails: String { String(cString: archive_version_details()) }
}

/// libarchive's `AE_IF*` file-type bits (C macros with casts, which Swift does not import).
enum FileTypeBits {
    static let mask: UInt32 = 0o170000
    static let regular: UInt32 = 0o100000
    static let directory: UInt32 = 0o040000
    static let symlink: UInt32 = 0o120000
}
