/// ExifTool's names for the TIFF/EXIF tags we read, per IFD. Tags not listed are still recorded,
/// as `Tag0xNNNN` (ExifTool's own name for unknown tags with `-u`).
enum ExifTags {
    /// IFD0, IFD1 and further image IFDs (TIFF baseline + EXIF pointers).
    static let image: [UInt16: String] = [
        0x00fe: "SubfileType", 0x0100: "ImageWidth", 0x0101: "ImageHeight", 0x0102: "BitsPerSample",
        0x0103: "Compression", 0x0106: "PhotometricInterpretation", 0x010e: "ImageDescription",
        0x010f: "Make", 0x0110: "Model", 0x0111: "StripOffsets", 0x0112: "Orientation",
        0x0115: "SamplesPerPixel", 0x0116: "RowsPerStrip", 0x0117: "StripByteCounts",
        0x011a: "XResolution", 0x011b: "YResolution", 0x011c: "PlanarConfiguration",
        0x0128: "ResolutionUnit", 0x0131: "Software", 0x0132: "ModifyDate", 0x013b: "Artist",
        0x013c: "HostComputer", 0x013e: "WhitePoint", 0x013f: "PrimaryChromaticities",
        0x0201: "ThumbnailOffset", 0x0202: "ThumbnailLength", 0x0211: "YCbCrCoefficients",
        0x0212: "YCbCrSubSampling", 0x0213: "YCbCrPositioning", 0x0214: "ReferenceBlackWhite",
        0x02bc: "ApplicationNotes", 0x8298: "Copyright", 0x83bb: "IPTC-NAA", 0x8769: "ExifOffset",
        0x8773: "ICC_Profile", 0x8825: "GPSInfo", 0xa431: "SerialNumber", 0xc4a5: "PrintIM",
    ]

    /// The Exif sub-IFD (and tags cameras sometimes put in IFD0 by mistake).
    static let exif: [UInt16: String] = [
        0x829a: "ExposureTime", 0x829d: "FNumber", 0x8822: "ExposureProgram", 0x8827: "ISO",
        0x8830: "SensitivityType", 0x9000: "ExifVersion", 0x9003: "DateTimeOriginal", 0x9004: "CreateDate",
        0x9010: "OffsetTime", 0x9011: "OffsetTimeOriginal", 0x9012: "OffsetTimeDigitized",
        0x9101: "ComponentsConfiguration", 0x9102: "CompressedBitsPerPixel", 0x9201: "ShutterSpeedValue",
        0x9202: "ApertureValue", 0x9203: "BrightnessValue", 0x9204: "ExposureCompensation",
        0x9205: "MaxApertureValue", 0x9206: "SubjectDistance", 0x9207: "MeteringMode", 0x9208: "LightSource",
        0x9209: "Flash", 0x920a: "FocalLength", 0x9214: "SubjectArea", 0x927c: "MakerNote",
        0x9286: "UserComment", 0x9290: "SubSecTime", 0x9291: "SubSecTimeOriginal",
        0x9292: "SubSecTimeDigitized", 0xa000: "FlashpixVersion", 0xa001: "ColorSpace",
        0xa002: "ExifImageWidth", 0xa003: "ExifImageHeight", 0xa005: "InteropOffset",
        0xa20e: "FocalPlaneXResolution", 0xa20f: "FocalPlaneYResolution", 0xa210: "FocalPlaneResolutionUnit",
        0xa217: "SensingMethod", 0xa300: "FileSource", 0xa301: "SceneType", 0xa401: "CustomRendered",
        0xa402: "ExposureMode", 0xa403: "WhiteBalance", 0xa404: "DigitalZoomRatio",
        0xa405: "FocalLengthIn35mmFormat", 0xa406: "SceneCaptureType", 0xa408: "Contrast",
        0xa409: "Saturation", 0xa40a: "Sharpness", 0xa420: "ImageUniqueID", 0xa430: "OwnerName",
        0xa431: "SerialNumber", 0xa432: "LensInfo", 0xa433: "LensMake", 0xa434: "LensModel",
        0xa435: "LensSerialNumber",
    ]

    /// The GPS IFD.
    static let gps: [UInt16: String] = [
        0x00: "GPSVersionID", 0x01: "GPSLatitudeRef", 0x02: "GPSLatitude", 0x03: "GPSLongitudeRef",
        0x04: "GPSLongitude", 0x05: "GPSAltitudeRef", 0x06: "GPSAltitude", 0x07: "GPSTimeStamp",
        0x08: "GPSSatellites", 0x09: "GPSStatus", 0x0a: "GPSMeasureMode", 0x0b: "GPSDOP",
        0x0c: "GPSSpeedRef", 0x0d: "GPSSpeed", 0x0e: "GPSTrackRef", 0x0f: "GPSTrack",
        0x10: "GPSImgDirectionRef", 0x11: "GPSImgDirection", 0x12: "GPSMapDatum",
        0x1b: "GPSProcessingMethod", 0x1c: "GPSAreaInformation", 0x1d: "GPSDateStamp",
        0x1e: "GPSDifferential", 0x1f: "GPSHPositioningError",
    ]

    /// The Interoperability IFD.
    static let interop: [UInt16: String] = [0x0001: "InteropIndex", 0x0002: "InteropVersion"]

    /// The name for `tag` in the IFD `kind`, falling back to the Exif table, then `Tag0xNNNN`.
    static func name(_ tag: UInt16, in kind: IFDKind) -> String {
        let table: [UInt16: String]
        switch kind {
        case .image: table = image
        case .exif: table = exif
        case .gps: table = gps
        case .interop: table = interop
        }
        if let n = table[tag] { return n }
        if kind != .gps, kind != .interop, let n = kind == .image ? exif[tag] : image[tag] { return n }
        return "Tag0x" + String(tag, radix: 16, uppercase: false).leftPadded(to: 4)
    }
}

/// Which table an IFD's tags come from.
enum IFDKind: Sendable {
    case image, exif, gps, interop
}

extension String {
    /// Pads with leading zeros to `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
