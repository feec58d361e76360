import Foundation
import ExhibitKit

struct KakaoTalkMacCSVParser {
    let file: EvidenceFile
    let zone: TimeZone?
    let emitter: ChatEmitter
    func parse() throws {}
}
