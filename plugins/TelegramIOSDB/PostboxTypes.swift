/// The object types the analyzer decodes, by the hash Postbox stores for them: MurmurHash3
/// (x86, 32-bit) of the Swift type name with seed 0xF7CA7FD2, as Telegram-iOS's
/// `murMurHashString32` computes it (the same seed iLEAPP's parser uses).
enum PostboxType {
    static let seed: UInt32 = 0xF7CA_7FD2

    static let user = hash("TelegramUser")
    static let group = hash("TelegramGroup")
    static let channel = hash("TelegramChannel")
    static let secretChat = hash("TelegramSecretChat")
    static let image = hash("TelegramMediaImage")
    static let imageRepresentation = hash("TelegramMediaImageRepresentation")
    static let photoSizeResource = hash("CloudPhotoSizeMediaResource")
    static let file = hash("TelegramMediaFile")
    static let documentResource = hash("CloudDocumentMediaResource")
    static let webpage = hash("TelegramMediaWebpage")
    static let action = hash("TelegramMediaAction")

    /// A readable name for a known hash, else the hash in hex (for warnings).
    static func name(_ h: Int32) -> String {
        let known: [(Int32, String)] = [
            (user, "TelegramUser"), (group, "TelegramGroup"), (channel, "TelegramChannel"), (secretChat, "TelegramSecretChat"),
            (image, "TelegramMediaImage"), (file, "TelegramMediaFile"), (webpage, "TelegramMediaWebpage"),
            (action, "TelegramMediaAction"),
        ]
        return known.first { $0.0 == h }?.1 ?? "type hash 0x" + String(UInt32(bitPattern: h), radix: 16)
    }

    /// MurmurHash3_x86_32 of the UTF-8 bytes of `name`.
    static func hash(_ name: String) -> Int32 {
        let data = Array(name.utf8)
        let c1: UInt32 = 0xCC9E_2D51, c2: UInt32 = 0x1B87_3593
        var h = seed
        let blocks = data.count / 4
        for i in 0..<blocks {
            var k = UInt32(data[4 * i]) | UInt32(data[4 * i + 1]) << 8 | UInt32(data[4 * i + 2]) << 16 | UInt32(data[4 * i + 3]) << 24
            k = (k &* c1).rotatedLeft(15) &* c2
            h ^= k
            h = h.rotatedLeft(13) &* 5 &+ 0xE654_6B64
        }
        var k: UInt32 = 0
        let tail = data.count & 3
        if tail >= 3 { k ^= UInt32(data[4 * blocks + 2]) << 16 }
        if tail >= 2 { k ^= UInt32(data[4 * blocks + 1]) << 8 }
        if tail >= 1 {
            k ^= UInt32(data[4 * blocks])
            h ^= (k &* c1).rotatedLeft(15) &* c2
        }
        h ^= UInt32(truncatingIfNeeded: data.count)
        h ^= h >> 16; h = h &* 0x85EB_CA6B
        h ^= h >> 13; h = h &* 0xC2B2_AE35
        h ^= h >> 16
        return Int32(bitPattern: h)
    }
}

extension UInt32 {
    fileprivate func rotatedLeft(_ n: UInt32) -> UInt32 { (self << n) | (self >> (32 - n)) }
}
