import ChatExport
import ExhibitKit
import KakaoTalkDB
import MediaHash
import Metadata
import SQLiteRecovery
import TelegramDB
import Timeline
import WhatsAppDB

/// The registry of built-in analyzers: one entry per folder under `plugins/` (not
/// `plugins/examples/`). `BuiltinRegistryTests` fails when a folder is missing here or an id
/// repeats. Each analyzer's type is named `<Folder>Analyzer`.
public enum BuiltinAnalyzers {
    /// Per-file analyzers, in a fixed order (the order findings are produced in is not
    /// significant: the store and the digest use canonical order).
    public static let fileAnalyzers: [any Analyzer] = [
        ChatExportAnalyzer(), MetadataAnalyzer(), MediaHashAnalyzer(), TelegramDBAnalyzer(), WhatsAppDBAnalyzer(), KakaoTalkDBAnalyzer(),
        SQLiteRecoveryAnalyzer(),
    ]
    /// Case analyzers, run once after intake, in this order.
    public static let caseAnalyzers: [any CaseAnalyzer] = [TimelineAnalyzer()]
}
