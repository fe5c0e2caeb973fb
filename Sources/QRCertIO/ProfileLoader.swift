import Foundation
import QRCert
import QRCertFormat

/// `--profile NAME|FILE`.
public enum ProfileLoader {
    /// A built-in profile by name, or a profile JSON file.
    public static func load(_ nameOrPath: String) throws(QRCertError) -> Profile {
        if let json = BuiltinProfiles.json(named: nameOrPath) {
            return try Profile.load(json: Data(json.utf8), source: "built-in profile \(nameOrPath)")
        }
        guard FileManager.default.fileExists(atPath: nameOrPath) else {
            throw QRCertError(.profile, "PROFILE_UNKNOWN", "no profile \(nameOrPath): not a built-in name nor a file",
                              hint: "built-in profiles: \(BuiltinProfiles.names.joined(separator: ", "))")
        }
        return try Profile.load(json: Data(try Files.read(nameOrPath, what: "profile")), source: nameOrPath)
    }

    /// The built-in profiles plus any given files (a file replaces a built-in of the same type).
    public static func all(adding paths: [String]) throws(QRCertError) -> [Profile] {
        var profiles = try BuiltinProfiles.all()
        for path in paths {
            let profile = try load(path)
            profiles.removeAll { $0.type == profile.type }
            profiles.append(profile)
        }
        return profiles
    }
}
