import Foundation
import ExhibitKit

struct TelegramHTMLParser {
    let file: EvidenceFile
    let zone: TimeZone?
    let emitter: ChatEmitter
    func parse() throws {}
}
