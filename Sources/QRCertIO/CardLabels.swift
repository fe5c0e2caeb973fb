import QRCert
import Synchronization

/// A label of the verifier's card as it is written: escaped (`DisplayText`) and its width in characters.
struct CardLabel: Sendable {
    /// The label, escaped.
    let text: String
    /// `text.count`, the columns it takes before its padding.
    let width: Int

    /// `label` escaped and measured.
    init(_ label: String) {
        text = DisplayText.escaped(label)
        width = VerdictRenderer.characters(text)
    }
}

/// The labels of the card's rows for one profile in one language, escaped and measured once rather than for
/// every verdict (they were a sixth of the text card's instructions, docs/PERFORMANCE.md).
struct CardLabels: Sendable {
    /// The profile they are for.
    let profile: Profile
    /// The language they are in.
    let language: Language
    /// Each field's label, by position in `profile.fields`.
    let fields: [CardLabel]
    /// The position of the issuing authority's field (`VerdictRenderer.authorityField`), if the profile has one,
    /// and its label for when it names another authority than the signer: `Issuing authority (on the document)`.
    let authority: (position: Int, label: CardLabel)?

    /// The labels of `profile`'s fields in `language`.
    init(_ profile: Profile, language: Language) {
        self.profile = profile
        self.language = language
        let fields = profile.fields
        self.fields = fields.map { CardLabel($0.label.in(language)) }
        authority = fields.firstIndex { $0.name == VerdictRenderer.authorityField }.map { position in
            (position, CardLabel(fields[position].label.in(language) + (language == .vi ? " (trên giấy tờ)" : " (on the document)")))
        }
    }

    /// The labels for `profile` in `language`: kept for the few profiles a process verifies against (every
    /// credential decoded with a registry's profile shares its box), made afresh past that.
    static func of(_ profile: Profile, language: Language) -> CardLabels {
        let found = cache.withLock { cached in
            cached.first { $0.language == language && $0.profile.isTriviallyIdentical(to: profile) }
        }
        if let found { return found }
        let made = CardLabels(profile, language: language)
        cache.withLock { cached in if cached.count < 32 { cached.append(made) } }
        return made
    }

    private static let cache = Mutex<[CardLabels]>([])
}

/// The card's own rows' labels in one language.
struct FixedCardLabels: Sendable {
    /// `Valid`, `Signed by`, `Key`; and for a credential of no known profile, `Issued at` and `Expires`.
    let valid, signedBy, key, issuedAt, expires: CardLabel

    private init(vi: Bool) {
        valid = CardLabel(vi ? "Hiệu lực" : "Valid")
        signedBy = CardLabel(vi ? "Ký bởi" : "Signed by")
        key = CardLabel(vi ? "Khóa" : "Key")
        issuedAt = CardLabel(vi ? "Cấp lúc" : "Issued at")
        expires = CardLabel(vi ? "Hết hạn" : "Expires")
    }

    /// The labels in `language`.
    static func of(_ language: Language) -> FixedCardLabels { language == .vi ? vietnamese : english }

    private static let vietnamese = FixedCardLabels(vi: true), english = FixedCardLabels(vi: false)
}
