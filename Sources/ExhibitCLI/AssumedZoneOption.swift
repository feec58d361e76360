import ArgumentParser
import Engine
import Foundation

/// Shared `--assume-tz` option (`exhibit ingest`, `exhibit plugin test`): the zone name is read
/// by ``CaseZone/resolve(_:)`` — the one parser of an examiner's zone name — when the command
/// line is validated, so a bad name is a usage error before anything runs.
struct AssumedZoneOption: ParsableArguments {
    @Option(help: "IANA time zone for naive local times (DOS times in zip, chat exports, local times a plugin reports), e.g. Asia/Seoul.")
    var assumeTz: String?

    func validate() throws {
        _ = try zone()
    }

    /// The zone named by `--assume-tz`; nil when none was given.
    func zone() throws -> TimeZone? { try named()?.zone }

    /// The zone with the name as given (what a case stores: `UTC` stays `UTC`).
    func named() throws -> NamedZone? {
        do { return try CaseZone.named(assumeTz) } catch let e as IngestError { throw ValidationError(e.message) }
    }
}
