import Foundation

/// An analyzer that runs once per case, after intake and every post-intake step (chat linking,
/// hash-set matching), over everything committed so far: the timeline builder, correlations.
///
/// Contract:
/// - The engine calls ``analyze(case:context:emit:)`` after every ingest or resume, and from
///   `exhibit case set-tz`; never concurrently for one database.
/// - It reads through ``CaseReader`` and hands its output to `emit` one finding at a time; it
///   never writes SQL. Reader and `emit` are valid only during the call, on the calling thread.
/// - Memory must not grow with the case: the reader streams rows (10 M events, 1 M messages), and
///   the store writes each emitted finding as it arrives. Keep only what a rule needs (a set of
///   ids, a running minimum), never the whole case.
/// - The store replaces the analyzer's previous output in the same transaction: re-running it over
///   the same findings must emit the same findings (idempotent rebuild, same digest).
/// - Bad rows are the normal case (a time without an instant, a message without a sender): emit
///   what can be said, with basis `unknown` where needed; throw only when the run itself fails.
public protocol CaseAnalyzer: Sendable {
    var descriptor: AnalyzerDescriptor { get }
    func analyze(case reader: any CaseReader, context: AnalysisContext, emit: (CaseFinding) throws -> Void) throws
}

/// What a ``CaseAnalyzer`` can report. A closed set the store knows how to persist.
public enum CaseFinding: Sendable, Hashable {
    /// One entry of the case timeline (`events`).
    case event(TimelineEvent)
    /// A file's membership in a group of near-identical media (`media_clusters`).
    case mediaCluster(MediaCluster)
}

/// Puts a content (a SHA-256) in a group wider than itself: the connected component of the
/// "within PDQ distance" graph its perceptual hash belongs to. Stored in `media_clusters`.
public struct MediaCluster: Sendable, Hashable {
    /// The content.
    public var sha256: String
    /// The group's key: `pdq:` + the smallest SHA-256 in the component, so it does not depend on
    /// the order files were read in.
    public var cluster: String
    /// How the group was formed (`pdq`).
    public var method: String
    /// The PDQ distance threshold used.
    public var threshold: Int
    /// Creates a membership.
    public init(sha256: String, cluster: String, method: String, threshold: Int) {
        self.sha256 = sha256; self.cluster = cluster; self.method = method; self.threshold = threshold
    }
}

/// One timeline entry: an instant (or a time that has none), what happened, and where the time
/// came from. Stored in `events`; shown by the `timeline` view.
public struct TimelineEvent: Sendable, Hashable {
    /// The time as its source gave it: raw value, UTC instant when derivable, basis, precision.
    public var time: TimeValue
    /// A dotted kind from the documented vocabulary (docs/timeline.md): `message.sent`,
    /// `file.modified`, `photo.taken`, `artifact.<name>`, …
    public var kind: String
    /// One line for a person: who did what, on what.
    public var description: String
    /// Id of the analyzer whose finding carries the time (`chat-export`, `metadata`, `intake`
    /// for archive times, an external plugin's id).
    public var source: String
    /// The file the time was read from or is about (`files.id`), as given by the reader.
    public var fileID: Int64?
    /// The message the event is about (`messages.id`), as given by the reader.
    public var messageID: Int64?
    /// The chat of that message (`chats.id`).
    public var chatID: Int64?
    /// The person acting (message sender, service actor), as the source names them.
    public var sender: String?
    /// Further provenance without row ids (origin table, tag, time name, hash set…), so it can
    /// be hashed into the digest.
    public var provenance: [String: JSONValue]

    /// Creates an event.
    public init(time: TimeValue, kind: String, description: String, source: String, fileID: Int64? = nil,
                messageID: Int64? = nil, chatID: Int64? = nil, sender: String? = nil,
                provenance: [String: JSONValue] = [:]) {
        self.time = time; self.kind = kind; self.description = description; self.source = source
        self.fileID = fileID; self.messageID = messageID; self.chatID = chatID; self.sender = sender
        self.provenance = provenance
    }
}

/// Read access to what a case has committed, for ``CaseAnalyzer``s: each method streams rows to
/// `body` in a stable order without loading the table. Implemented by the store over the same
/// transaction that stores the analyzer's output. Ids (`fileID`, `messageID`, …) are row ids of
/// this database: pass them back in findings, never hash or print them.
///
/// Tables a later feature adds (hash-set matches) are streamed when present and yield nothing
/// when the database predates them.
public protocol CaseReader {
    /// Every archive time of every inventory entry (`file_times`).
    func forEachFileTime(_ body: (CaseFileTime) throws -> Void) throws
    /// Every message, service event and system line of chats that are not copies of another
    /// export of the same chat, in thread order.
    func forEachMessage(_ body: (CaseMessage) throws -> Void) throws
    /// Every metadata value that carries a time (EXIF, GPS, XMP, QuickTime, PDF, Office).
    func forEachMetadataTime(_ body: (CaseMetadataTime) throws -> Void) throws
    /// Every indicator with its named times.
    func forEachIndicator(_ body: (CaseIndicator) throws -> Void) throws
    /// Every named time of a generic artifact (`artifact_times`), external plugins' included.
    func forEachArtifactTime(_ body: (CaseArtifactTime) throws -> Void) throws
    /// Every hash-set match, once per message that carried the matched content (same SHA-256),
    /// or once with no message when none did. Nothing when the hash-set tables are absent.
    func forEachHashSetMatch(_ body: (CaseHashSetMatch) throws -> Void) throws
    /// Every message attachment whose content is known (a SHA-256), with the message's sent time.
    func forEachAttachment(_ body: (CaseAttachment) throws -> Void) throws
    /// Every whole-image PDQ hash (`media_hashes`, algorithm `pdq`). Nothing when the table is absent.
    func forEachImageHash(_ body: (CaseImageHash) throws -> Void) throws
}

/// A message attachment with known content.
public struct CaseAttachment: Sendable, Hashable {
    /// The message (`messages.id`).
    public var messageID: Int64
    /// SHA-256 of the content.
    public var sha256: String
    /// The message's sent time, when it has one.
    public var sent: TimeValue?
    /// Creates an attachment view.
    public init(messageID: Int64, sha256: String, sent: TimeValue?) {
        self.messageID = messageID; self.sha256 = sha256; self.sent = sent
    }
}

/// A PDQ hash of a whole image.
public struct CaseImageHash: Sendable, Hashable {
    /// The file (`files` row).
    public var file: CaseFileRef
    /// 64 lower-case hex digits (256 bits).
    public var hash: String
    /// PDQ quality 0–100; hashes of flat images (low quality) match everything and are skipped.
    public var quality: Int
    /// The hashes the picture would have turned or flipped (PDQ's 7 dihedral variants, 64 hex
    /// each, in a fixed order), so a rotated copy can join its original's group.
    public var variants: [String]
    /// Creates a hash view.
    public init(file: CaseFileRef, hash: String, quality: Int, variants: [String] = []) {
        self.file = file; self.hash = hash; self.quality = quality; self.variants = variants
    }
}

/// A file row as case analyzers see it.
public struct CaseFileRef: Sendable, Hashable {
    /// `files.id`.
    public var id: Int64
    /// Virtual path (`phone.zip!/sdcard/DCIM/a.jpg`).
    public var path: String
    /// SHA-256 of the content, when read.
    public var sha256: String?
    /// MIME type from libmagic.
    public var mime: String?
    /// Creates a reference.
    public init(id: Int64, path: String, sha256: String? = nil, mime: String? = nil) {
        self.id = id; self.path = path; self.sha256 = sha256; self.mime = mime
    }
}

/// One archive time of a file (`file_times`): `modified`, `accessed`, `changed`, `created`.
public struct CaseFileTime: Sendable, Hashable {
    /// The file (`files` row).
    public var file: CaseFileRef
    /// `modified`, `accessed`, `changed` or `created`.
    public var kind: String
    /// `file` for regular files, else the entry kind (`directory`, `symlink`…).
    public var entryKind: String
    /// The time as stored: raw, UTC, basis, precision, note.
    public var time: TimeValue
    /// Creates a file time.
    public init(file: CaseFileRef, kind: String, entryKind: String, time: TimeValue) {
        self.file = file; self.kind = kind; self.entryKind = entryKind; self.time = time
    }
}

/// One chat message as case analyzers see it.
public struct CaseMessage: Sendable, Hashable {
    /// `messages.id`, `chats.id`.
    public var id: Int64, chatID: Int64
    /// Chat title and platform (`telegram`, `whatsapp`, …).
    public var chat: String?, platform: String
    /// `message`, `service`, `system`, `unsupported`.
    public var kind: String
    /// Sender as the source names them.
    public var sender: String?
    /// The message text as exported.
    public var text: String
    /// For service events: the action (`invite_members`, `join_group_by_link`…) and its actor.
    public var serviceAction: String?, serviceActor: String?
    /// Sent time, when the source gives one.
    public var sent: TimeValue?, touched: TimeValue?
    /// How many attachments the message has.
    public var attachmentCount: Int
    /// The export shows the message as deleted.
    public var deleted: Bool
    /// The export file the message was read from.
    public var exportFile: CaseFileRef
    /// The id of the analyzer that read it.
    public var analyzerID: String
    /// A recovered deleted record (carved from the app database's free space or history), not a
    /// live row: events built from it must say so.
    public var recovered: Bool = false
    /// Creates a message view.
    public init(id: Int64, chatID: Int64, chat: String?, platform: String, kind: String, sender: String?, text: String,
                serviceAction: String?, serviceActor: String?, sent: TimeValue?, touched: TimeValue?,
                attachmentCount: Int, deleted: Bool, exportFile: CaseFileRef, analyzerID: String) {
        self.id = id; self.chatID = chatID; self.chat = chat; self.platform = platform; self.kind = kind
        self.sender = sender; self.text = text; self.serviceAction = serviceAction; self.serviceActor = serviceActor
        self.sent = sent; self.touched = touched; self.attachmentCount = attachmentCount; self.deleted = deleted
        self.exportFile = exportFile; self.analyzerID = analyzerID
    }
}

/// One metadata value with a time.
public struct CaseMetadataTime: Sendable, Hashable {
    /// The file (`files` row).
    public var file: CaseFileRef
    /// Id of the analyzer that stored the finding.
    public var analyzerID: String
    /// `metadata.namespace` and `tag` (`exif` / `DateTimeOriginal`).
    public var namespace: String, tag: String
    /// The value as printed (`exiftool -n` style).
    public var value: String
    /// The time as stored: raw, UTC, basis, precision, note.
    public var time: TimeValue
    /// Creates a metadata time.
    public init(file: CaseFileRef, analyzerID: String, namespace: String, tag: String, value: String, time: TimeValue) {
        self.file = file; self.analyzerID = analyzerID; self.namespace = namespace; self.tag = tag
        self.value = value; self.time = time
    }
}

/// One indicator with its named times.
public struct CaseIndicator: Sendable, Hashable {
    /// The file (`files` row).
    public var file: CaseFileRef
    /// Id of the analyzer that stored the finding.
    public var analyzerID: String
    /// `indicators.kind` (`clock-discrepancy`, …), summary and the tag it rests on.
    public var kind: String, summary: String, evidenceTag: String
    /// Named times.
    public var times: [String: TimeValue]
    /// Creates an indicator view.
    public init(file: CaseFileRef, analyzerID: String, kind: String, summary: String, evidenceTag: String,
                times: [String: TimeValue]) {
        self.file = file; self.analyzerID = analyzerID; self.kind = kind; self.summary = summary
        self.evidenceTag = evidenceTag; self.times = times
    }
}

/// One named time of a generic artifact.
public struct CaseArtifactTime: Sendable, Hashable {
    /// The file the artifact was found in, when it has one.
    public var file: CaseFileRef?
    /// Id of the analyzer that stored the finding.
    public var analyzerID: String
    /// The artifact's type (`bank.transfer`) and the time's name (`sent`).
    public var type: String, name: String
    /// The time as stored: raw, UTC, basis, precision, note.
    public var time: TimeValue
    /// Where in the file (`artifacts.location`), as stored.
    public var location: String?
    /// Creates an artifact time.
    public init(file: CaseFileRef?, analyzerID: String, type: String, name: String, time: TimeValue, location: String?) {
        self.file = file; self.analyzerID = analyzerID; self.type = type; self.name = name; self.time = time
        self.location = location
    }
}

/// A hash-set match, with the message that carried the content (if any).
public struct CaseHashSetMatch: Sendable, Hashable {
    /// The matched file.
    public var file: CaseFileRef
    /// Hash set name and kind (`known-bad`, `known-good`), entry category and label.
    public var hashset: String, hashsetKind: String
    /// Category and label of the matched hash-set entry.
    public var category: String?, label: String?
    /// `md5`, `sha1`, `sha256`, `pdq`, `pdq-frame`; distance 0 for exact hashes.
    public var algorithm: String
    /// Hamming distance for perceptual hashes, 0 for exact ones.
    public var distance: Int
    /// The carrying message (`messages.id`, `chats.id`), its chat, sender and sent time.
    public var messageID: Int64?, chatID: Int64?
    /// Chat title.
    public var chat: String?, sender: String?
    /// Sent time, when the source gives one.
    public var sent: TimeValue?
    /// The file's modification time, for matches no message carried.
    public var fileModified: TimeValue?
    /// Creates a match view.
    public init(file: CaseFileRef, hashset: String, hashsetKind: String, category: String?, label: String?,
                algorithm: String, distance: Int, messageID: Int64?, chatID: Int64?, chat: String?, sender: String?,
                sent: TimeValue?, fileModified: TimeValue?) {
        self.file = file; self.hashset = hashset; self.hashsetKind = hashsetKind; self.category = category
        self.label = label; self.algorithm = algorithm; self.distance = distance; self.messageID = messageID
        self.chatID = chatID; self.chat = chat; self.sender = sender; self.sent = sent; self.fileModified = fileModified
    }
}

/// One row of the file inventory with its times (``EvidenceDatabase.files()`` in the store).
public struct CaseFileSummary: Sendable, Hashable {
    /// `<evidence label>#<entry key>`.
    public var key: String
    /// Virtual path inside the evidence.
    public var virtualPath: String
    /// Size in bytes.
    public var size: Int64
    /// SHA-256 of the content.
    public var sha256: String?
    /// MIME type from libmagic.
    public var mime: String?
    /// Entry status.
    public var status: EntryStatus
    /// Named times.
    public var times: EntryTimes
    /// Creates a summary.
    public init(key: String, virtualPath: String, size: Int64, sha256: String?, mime: String?, status: EntryStatus, times: EntryTimes) {
        self.key = key; self.virtualPath = virtualPath; self.size = size; self.sha256 = sha256
        self.mime = mime; self.status = status; self.times = times
    }
}
