import Foundation
import ExhibitKit

/// Names a file referenced by an export, relative to the export file's folder.
enum ChatPaths {
    /// Like ``EvidenceFile/siblingPath(_:)``, but also right for a file at the root of a nested
    /// container (`case.zip!/WhatsApp Chat - X.zip!/_chat.txt`), whose folder is the container
    /// itself — `directoryPath` drops the `!` there and would name `…X.zip/IMG.jpg`.
    static func sibling(_ file: EvidenceFile, _ relative: String) -> String {
        let (container, inner) = VirtualPath.split(file.virtualPath)
        if !inner.contains("/"), file.virtualPath.contains(VirtualPath.containerSeparator) {
            return VirtualPath.join(directory: container, relative: relative)
        }
        return file.siblingPath(relative)
    }
}
