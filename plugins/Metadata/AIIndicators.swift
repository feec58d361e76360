import Foundation
import ExhibitKit

/// Signs of AI generation in the values already read: IPTC DigitalSourceType, Stable Diffusion
/// and ComfyUI PNG text chunks, and generator names in Software/CreatorTool/Creator/Encoder.
/// (C2PA manifests are flagged by the container parsers, which know the box offset.)
enum AIIndicators {
    /// IPTC NewsCodes digital source types that mean "made by a trained model".
    static let trainedSourceTypes = ["trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia"]

    /// Generator names matched case-insensitively as substrings of software fields.
    static let generators = [
        "Stable Diffusion", "stable-diffusion", "Midjourney", "DALL-E", "DALL·E", "Adobe Firefly", "ComfyUI",
        "NovelAI", "AUTOMATIC1111", "InvokeAI", "Fooocus", "DreamStudio", "Leonardo.Ai", "Imagen", "Flux",
        "Bing Image Creator", "GPT-4o", "ChatGPT", "Sora", "Runway", "Kling",
    ]

    /// Tags whose value names the software that made the file.
    static let softwareTags: [(MetadataNamespace, String)] = [
        (.exif, "Software"), (.xmp, "xmp:CreatorTool"), (.xmp, "photoshop:Credit"), (.xmp, "pdf:Producer"),
        (.quicktime, "Software"), (.quicktime, "Encoder"), (.png, "Software"), (.ai, "C2PAClaimGenerator"),
    ]

    static func apply(to out: MetadataCollector) {
        for e in out.entries {
            switch (e.namespace, e.tag) {
            case (.xmp, "Iptc4xmpExt:DigitalSourceType"):
                guard let t = trainedSourceTypes.first(where: { e.value.hasSuffix("/" + $0) || e.value == $0 }) else { continue }
                out.indicate(Indicator(kind: .iptcTrainedAlgorithmicMedia,
                                       summary: "IPTC DigitalSourceType is \(t)", evidenceTag: e.tag, location: e.location,
                                       details: .object(["digitalSourceType": .string(e.value)])),
                             aiTag: "DigitalSourceType", aiValue: e.value)
            case (.png, "Parameters"):
                out.indicate(Indicator(kind: .sdParameters, summary: "PNG text chunk 'parameters' (Stable Diffusion WebUI generation settings)",
                                       evidenceTag: "png:parameters", location: e.location,
                                       details: .object(["prompt": .string(String(e.value.prefix(500)))])),
                             aiTag: "Parameters", aiValue: e.value)
            case (.png, "Prompt"), (.png, "Workflow"):
                // ComfyUI writes JSON: `prompt` maps node ids to {class_type, inputs}; `workflow` has `nodes`.
                let v = e.value.trimmingCharacters(in: .whitespacesAndNewlines)
                guard v.hasPrefix("{"), v.contains("\"class_type\"") || v.contains("\"nodes\"") else { continue }
                out.indicate(Indicator(kind: .comfyUIWorkflow, summary: "PNG text chunk '\(e.tag.lowercased())' holds ComfyUI JSON",
                                       evidenceTag: "png:\(e.tag.lowercased())", location: e.location,
                                       details: .object(["chunk": .string(e.tag.lowercased()), "bytes": .number(Double(v.utf8.count))])),
                             aiTag: "ComfyUI" + e.tag, aiValue: e.value)
            default:
                guard softwareTags.contains(where: { $0.0 == e.namespace && $0.1 == e.tag }),
                      let g = generators.first(where: { e.value.range(of: $0, options: .caseInsensitive) != nil }) else { continue }
                out.indicate(Indicator(kind: .generatorSoftware, summary: "\(e.tag) names an image generator: \(e.value)",
                                       evidenceTag: "\(e.namespace.rawValue):\(e.tag)", location: e.location,
                                       details: .object(["generator": .string(g), "value": .string(e.value)])),
                             aiTag: "GeneratorSoftware", aiValue: e.value)
            }
        }
    }
}
