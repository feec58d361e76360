import Foundation
import Testing
@testable import KakaoTalkDB

/// The column cipher against the published test vectors, plus its failure kinds.
@Suite struct KakaoTalkCryptoTests {
    /// (user id, enc, base64, plaintext) as published with kakaodecrypt's tests (the order of vectors.db's rows).
    static let vectors: [(Int64, Int, String, String)] = [
        (216658451, 17, "UHVw8VBhUhdbIFTlvdBXdA==", "Hey friends!"),
        (240440409, 22, "pBO6rG5DQmOOfRwyoV6nqw==", "ㄱㅇㄷ"),
        (195847548, 24, "IICZJO/83CXZWZhNmiWmHg==", "It's ok"),
        (283456151, 26, "gYKexDBLvO7OwDqjD58LlQ==", "i have lasers"),
        (77289285161409090, 26, "6ooWLeWv/zcVSNsm8X44SOqc/Yg9u2wYe9HolLxmLOw=", "끙끙거리면서"),
    ]

    @Test func publishedVectorsDecrypt() {
        let cipher = KakaoTalkCipher()
        for (user, enc, b64, text) in Self.vectors {
            #expect(cipher.decrypt(b64, user: user, enc: enc) == .success(text), "user \(user) enc \(enc)")
        }
    }

    @Test func theTwoVectorsNamedInTheIssue() {
        let cipher = KakaoTalkCipher()
        #expect(cipher.decrypt("UHVw8VBhUhdbIFTlvdBXdA==", user: 216658451, enc: 17) == .success("Hey friends!"))
        #expect(cipher.decrypt("6ooWLeWv/zcVSNsm8X44SOqc/Yg9u2wYe9HolLxmLOw=", user: 77289285161409090, enc: 26) == .success("끙끙거리면서"))
    }

    @Test func saltLayout() {
        // prefix + decimal id, cut to 16 bytes, NUL-padded; id ≤ 0 gives zeros; unknown type gives nil.
        #expect(KakaoTalkCipher.salt(user: 216658451, enc: 17) == Array("sulli216658451".utf8) + [0, 0])
        #expect(KakaoTalkCipher.salt(user: 77289285161409090, enc: 26) == Array("elijah7728928516".utf8))
        #expect(KakaoTalkCipher.salt(user: 5, enc: 1) == Array("5".utf8) + [UInt8](repeating: 0, count: 15))
        #expect(KakaoTalkCipher.salt(user: 0, enc: 24) == [UInt8](repeating: 0, count: 16))
        #expect(KakaoTalkCipher.salt(user: -3, enc: 24) == [UInt8](repeating: 0, count: 16))
        #expect(KakaoTalkCipher.salt(user: 5, enc: 30) == nil)
        #expect(KakaoTalkCipher.salt(user: 5, enc: -1) == nil)
    }

    @Test func derivedKeyMatchesTheGeneratorsIndependentImplementation() {
        // The same key computed by corpora/phone/kakaotalk/make_kakaotalk.py (Python, hashlib).
        let bmp: [UInt8] = KakaoTalkCipher.password.flatMap { [0, $0] } + [0, 0]
        let salt = KakaoTalkCipher.salt(user: 216658451, enc: 17) ?? []
        let key = KakaoTalkCipher.pkcs12Derive(password: bmp, salt: salt, iterations: 2, length: 32)
        #expect(key.map { String(format: "%02x", $0) }.joined() == "fdb9dcd6087850f989e00c1a90de2453dd04b91b7f93557ccc564a400646f3f0")
    }

    @Test func keysAreCachedPerUserAndEncNotPerValue() {
        let cipher = KakaoTalkCipher()
        for _ in 0..<500 { _ = cipher.decrypt("UHVw8VBhUhdbIFTlvdBXdA==", user: 216658451, enc: 17) }
        #expect(cipher.derivations == 1)
        _ = cipher.decrypt("UHVw8VBhUhdbIFTlvdBXdA==", user: 216658451, enc: 18)
        _ = cipher.decrypt("UHVw8VBhUhdbIFTlvdBXdA==", user: 216658452, enc: 17)
        #expect(cipher.derivations == 3)
    }

    @Test func failureKinds() {
        let cipher = KakaoTalkCipher()
        #expect(cipher.decrypt("%%% not base64", user: 1, enc: 24) == .failure(.notBase64))
        #expect(cipher.decrypt(Data("ten bytes!".utf8).base64EncodedString(), user: 1, enc: 24) == .failure(.wrongLength))
        #expect(cipher.decrypt(Data(count: 17).base64EncodedString(), user: 1, enc: 24) == .failure(.wrongLength))
        #expect(cipher.decrypt("UHVw8VBhUhdbIFTlvdBXdA==", user: 216658451, enc: 30) == .failure(.unknownEnc))
        // Right ciphertext, wrong user id: the padding check catches the wrong key (or, rarely,
        // garbage that happens to end in valid padding, then UTF-8 validation does).
        let wrong = cipher.decrypt("UHVw8VBhUhdbIFTlvdBXdA==", user: 216658450, enc: 17)
        #expect(wrong == .failure(.badPadding) || wrong == .failure(.invalidUTF8))
    }
}
