import Foundation
import ExhibitKit

struct KakaoTalkTextParser {
    let file: EvidenceFile
    let zone: TimeZone?
    let emitter: ChatEmitter
    func parse() throws {}
}
