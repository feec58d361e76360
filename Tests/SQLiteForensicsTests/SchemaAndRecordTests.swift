import Foundation
@testable import SQLiteForensics
import Testing

@Suite("SQLite recovery: schema, varints, records")
struct SchemaAndRecordTests {
    @Test func createTableColumnsTypesAndRowidAlias() throws {
        let p = try #require(CreateTableParser.parse("""
            CREATE TABLE "my table" ( -- comment, with a comma
              [id] INTEGER PRIMARY KEY AUTOINCREMENT, `name` VARCHAR(20, 3) NOT NULL DEFAULT 'a,b',
              score double precision, blobby, n NUMERIC CHECK (n > (1)), CONSTRAINT u UNIQUE (name))
            """))
        #expect(p.columns.map(\.name) == ["id", "name", "score", "blobby", "n"])
        #expect(p.columns.map(\.affinity) == [.integer, .text, .real, .blob, .numeric])
        #expect(p.columns[1].declaredType == "VARCHAR(20,3)")
        #expect(p.rowidAlias == 0)
        #expect(!p.withoutRowid)
    }

    @Test func tableLevelPrimaryKeyDescAndWithoutRowid() throws {
        #expect(CreateTableParser.parse("CREATE TABLE t (a INTEGER, b TEXT, PRIMARY KEY (a))")?.rowidAlias == 0)
        #expect(CreateTableParser.parse("CREATE TABLE t (a INT PRIMARY KEY, b TEXT)")?.rowidAlias == nil, "INT is not INTEGER")
        #expect(CreateTableParser.parse("CREATE TABLE t (a INTEGER PRIMARY KEY DESC, b)")?.rowidAlias == nil)
        let w = try #require(CreateTableParser.parse("CREATE TABLE t (a TEXT PRIMARY KEY, b) WITHOUT ROWID"))
        #expect(w.withoutRowid && w.rowidAlias == nil)
        #expect(CreateTableParser.parse("CREATE TABLE t AS SELECT 1") == nil)
    }

    @Test func varintsOfEveryLength() {
        for v: Int64 in [0, 127, 128, 16383, 16384, 1 << 35, Int64.max, -1] {
            var bytes: [UInt8] = []
            var u = UInt64(bitPattern: v)
            if Varint.length(v) == 9 {
                bytes = [UInt8](repeating: 0, count: 9)
                bytes[8] = UInt8(u & 0xFF); u >>= 8
                for i in stride(from: 7, through: 0, by: -1) { bytes[i] = UInt8(u & 0x7F) | 0x80; u >>= 7 }
            } else {
                var rev: [UInt8] = []
                repeat { rev.append(UInt8(u & 0x7F)); u >>= 7 } while u > 0
                bytes = rev.reversed().enumerated().map { $0.offset < rev.count - 1 ? $0.element | 0x80 : $0.element }
            }
            let r = Varint.read(bytes, 0, limit: bytes.count)
            #expect(r?.value == v && r?.length == bytes.count, "\(v)")
            #expect(Varint.read(bytes, 0, limit: bytes.count - 1) == nil || bytes.count == 1, "cut short")
        }
    }

    @Test func recordSerialTypes() throws {
        // header 6 bytes: len, NULL, int8, real, text "hi" (17), blob 1 byte (14)
        let payload: [UInt8] = [6, 0, 1, 7, 17, 14, 0xFE] + Array(Double(2.5).bitPattern.bigEndianBytes) + Array("hi".utf8) + [0xAA]
        #expect(decodeRecord(payload, encoding: 1) == [.null, .integer(-2), .real(2.5), .text("hi"), .blob([0xAA])])
        #expect(decodeRecord([3, 10, 1, 5], encoding: 1) == nil, "serial type 10 is reserved")
        #expect(decodeRecord([2, 1], encoding: 1) == nil, "body shorter than declared")
    }
}

extension UInt64 {
    var bigEndianBytes: [UInt8] { (0..<8).map { UInt8(self >> (56 - 8 * $0) & 0xFF) } }
}
