import Foundation
import ExhibitKit

struct DiscordJSONParser {
    let file: EvidenceFile
    let zone: TimeZone?
    let emitter: ChatEmitter
    func parse() throws {}
}
