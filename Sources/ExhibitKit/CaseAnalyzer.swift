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
    public var file: CaseFileRef
    /// `modified`, `accessed`, `changed` or `created`.
    public var kind: String
    /// `file` for regular files, else the entry kind (`directory`, `symlink`…).
    public var entryKind: String
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
    public var sender: String?
    public var text: String
    /// For service events: the action (`invite_members`, `join_group_by_link`…) and its actor.
    public var serviceAction: String?, serviceActor: String?
    public var sent: TimeValue?, touched: TimeValue?
    public var attachmentCount: Int
    public var deleted: Bool
    /// The export file the message was read from.
    public var exportFile: CaseFileRef
    /// The id of the analyzer that read it.
    public var analyzerID: String
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
    public var file: CaseFileRef
    public var analyzerID: String
    /// `metadata.namespace` and `tag` (`exif` / `DateTimeOriginal`).
    public var namespace: String, tag: String
    public var value: String
    public var time: TimeValue
    /// Creates a metadata time.
    public init(file: CaseFileRef, analyzerID: String, namespace: String, tag: String, value: String, time: TimeValue) {
        self.file = file; self.analyzerID = analyzerID; self.namespace = namespace; self.tag = tag
        self.value = value; self.time = time
    }
}

/// One indicator with its named times.
public struct CaseIndicator: Sendable, Hashable {
    public var file: CaseFileRef
    public var analyzerID: String
    /// `indicators.kind` (`clock-discrepancy`, …), summary and the tag it rests on.
    public var kind: String, summary: String, evidenceTag: String
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
    public var analyzerID: String
    /// The artifact's type (`bank.transfer`) and the time's name (`sent`).
    public var type: String, name: String
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
    public var category: String?, label: String?
    /// `md5`, `sha1`, `sha256`, `pdq`, `pdq-frame`; distance 0 for exact hashes.
    public var algorithm: String
    public var distance: Int
    /// The carrying message (`messages.id`, `chats.id`), its chat, sender and sent time.
    public var messageID: Int64?, chatID: Int64?
    public var chat: String?, sender: String?
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
    public var key: String
    public var virtualPath: String
    public var size: Int64
    public var sha256: String?
    public var mime: String?
    public var status: EntryStatus
    public var times: EntryTimes
    public init(key: String, virtualPath: String, size: Int64, sha256: String?, mime: String?, status: EntryStatus, times: EntryTimes) {
        self.key = key; self.virtualPath = virtualPath; self.size = size; self.sha256 = sha256
        self.mime = mime; self.status = status; self.times = times
    }
}
