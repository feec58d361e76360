import Foundation
import ExhibitKit

struct LINETextParser {
    let file: EvidenceFile
    let zone: TimeZone?
    let emitter: ChatEmitter
    func parse() throws {}
}
