import GRDB

/// Migration `v8-metadata-names` (issue 14 item 7): `metadata.name`, ExifTool's group-less tag
/// name of every metadata row, so one query finds a property whichever block of the file held
/// it — `WHERE name = 'DateTimeOriginal'` matches the EXIF tag and the XMP property
/// `exif:DateTimeOriginal` alike, as `exiftool -DateTimeOriginal` does.
///
/// `name` is `tag` for every namespace but `xmp`, where the `prefix:` is dropped and the first
/// letter upper-cased (`xmp:CreateDate` → `CreateDate`, `tiff:Make` → `Make`, `dc:creator` →
/// `Creator`): ExifTool's rule for XMP tag names. The XMP rows themselves are unchanged (`tag`
/// keeps the qualified name). A virtual generated column: computed from `namespace`/`tag`, so
/// rows written before this migration have it too and the writer never sets it; indexed.
enum V8MetadataNames {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v8-metadata-names") { db in
            try db.execute(sql: """
                ALTER TABLE metadata ADD COLUMN name TEXT GENERATED ALWAYS AS (\(nameExpression)) VIRTUAL;
                CREATE INDEX metadata_name ON metadata(name, file_id);
                """)
        }
    }

    /// The SQL expression of `metadata.name` (docs/schema.md).
    static let nameExpression = """
        CASE WHEN namespace = 'xmp' AND instr(tag, ':') > 0 \
        THEN upper(substr(tag, instr(tag, ':') + 1, 1)) || substr(tag, instr(tag, ':') + 2) ELSE tag END
        """
}
