/// The adversarial training methods of ``GANTrainer``, by the names the command line uses.
///
/// | name | method |
/// |---|---|
/// | `gan` | minimax GAN (Goodfellow et al. 2014) |
/// | `nsgan` | non-saturating GAN (Goodfellow et al. 2014, §3) |
/// | `fgan:kl`, `fgan:reverse-kl`, `fgan:pearson`, `fgan:hellinger`, `fgan:js`, `fgan:gan` | f-GAN (Nowozin et al. 2016) |
/// | `lsgan` | least-squares GAN (Mao et al. 2017) |
/// | `wgan` | Wasserstein GAN with weight clipping (Arjovsky et al. 2017) |
/// | `wgan-gp` | WGAN with gradient penalty (Gulrajani et al. 2017) |
/// | `ebgan` | energy-based GAN (Zhao et al. 2017) |
/// | `infogan` | InfoGAN (Chen et al. 2016) |
/// | `vae-gan` | VAE-GAN (Larsen et al. 2016) |
/// | `bigan` | BiGAN (Donahue et al. 2017) |
public enum GANMethod: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Minimax GAN.
    case minimax
    /// Non-saturating GAN.
    case nonSaturating
    /// f-GAN with the given divergence.
    case fGAN(FDivergence)
    /// Least-squares GAN.
    case leastSquares
    /// WGAN with weight clipping.
    case wasserstein
    /// WGAN with gradient penalty.
    case wassersteinGradientPenalty
    /// Energy-based GAN.
    case energyBased
    /// InfoGAN.
    case info
    /// VAE-GAN.
    case vaeGAN
    /// BiGAN.
    case bidirectional

    /// The prefix of the f-GAN methods' names: `fgan:` and the divergence (``FDivergence``'s raw value).
    public static let fGANPrefix = "fgan:"

    /// Every method name, for help texts.
    public static let allNames: [String] =
        ["gan", "nsgan"] + FDivergence.allCases.map { fGANPrefix + $0.rawValue }
        + ["lsgan", "wgan", "wgan-gp", "ebgan", "infogan", "vae-gan", "bigan"]

    /// The method called `name` (see the table), or nil.
    public init?(name: String) {
        switch name {
        case "gan": self = .minimax
        case "nsgan": self = .nonSaturating
        case "lsgan": self = .leastSquares
        case "wgan": self = .wasserstein
        case "wgan-gp": self = .wassersteinGradientPenalty
        case "ebgan": self = .energyBased
        case "infogan": self = .info
        case "vae-gan": self = .vaeGAN
        case "bigan": self = .bidirectional
        default:
            guard name.hasPrefix(Self.fGANPrefix),
                let divergence = FDivergence(rawValue: String(name.dropFirst(Self.fGANPrefix.count)))
            else {
                return nil
            }
            self = .fGAN(divergence)
        }
    }

    /// The command-line name.
    public var name: String {
        switch self {
        case .minimax: "gan"
        case .nonSaturating: "nsgan"
        case .fGAN(let divergence): Self.fGANPrefix + divergence.rawValue
        case .leastSquares: "lsgan"
        case .wasserstein: "wgan"
        case .wassersteinGradientPenalty: "wgan-gp"
        case .energyBased: "ebgan"
        case .info: "infogan"
        case .vaeGAN: "vae-gan"
        case .bidirectional: "bigan"
        }
    }

    /// The command-line name.
    public var description: String { name }

    /// Decodes the command-line name.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let method = GANMethod(name: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown method '\(text)'"))
        }
        self = method
    }

    /// Encodes the command-line name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }

    /// Whether the method trains a plain critic on (packed) samples with an ``AdversarialObjective``.
    public var usesPlainCritic: Bool {
        switch self {
        case .minimax, .nonSaturating, .fGAN, .leastSquares, .wasserstein, .wassersteinGradientPenalty: true
        case .energyBased, .info, .vaeGAN, .bidirectional: false
        }
    }
}

extension GANMethod {
    /// Whether the method is an f-GAN (`fgan:DIVERGENCE`, Nowozin et al., "f-GAN: Training Generative Neural
    /// Samplers using Variational Divergence Minimization", NeurIPS 2016), whatever its divergence: the methods
    /// with an output activation `g_f` and a conjugate `f*`, to which options such as
    /// ``GANConfiguration/saddlePointGenerator`` apply.
    public var isFGAN: Bool {
        if case .fGAN = self { return true }
        return false
    }

    /// Whether the discriminator is trained with the logistic loss of Goodfellow et al. (2014) on a real/fake
    /// output (the methods one-sided label smoothing applies to).
    public var usesLogisticCritic: Bool {
        switch self {
        case .minimax, .nonSaturating, .info: true
        default: false
        }
    }
}
