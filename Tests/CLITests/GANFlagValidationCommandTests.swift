import Foundation
import Testing

/// Every numeric option of `montague train gan` / `train vae` rejects bad values before any training: exit status 2
/// and a message that names the option.
@Suite("montague train gan / train vae: bad option values")
struct GANFlagValidationCommandTests {
    /// (arguments after `train gan --data ring8 --output DIR`, text the error must contain)
    static let ganCases: [([String], String)] = [
        (["--generator-hidden", "0"], "--generator-hidden"),
        (["--generator-hidden=-3"], "--generator-hidden"),
        (["--generator-layers", "0"], "--generator-layers"),
        (["--beta1", "1"], "--beta1"),
        (["--beta1=-0.1"], "--beta1"),
        (["--beta1", "nan"], "--beta1"),
        (["--lr", "0"], "--lr"),
        (["--lr", "inf"], "--lr"),
        (["--critic-lr", "0"], "--critic-lr"),
        (["--critic-lr", "nan"], "--critic-lr"),
        (["--d-steps", "0"], "--d-steps"),
        (["--noise", "0"], "--noise"),
        (["--hidden", "0"], "--hidden"),
        (["--layers", "0"], "--layers"),
        (["--packing", "0"], "--packing"),
        (["--maxout", "0"], "--maxout"),
        (["--critic-dropout", "1"], "--critic-dropout"),
        (["--real-label", "0.5"], "--real-label"),
        (["--clip", "0"], "--clip"),
        (["--penalty-weight=-1"], "--penalty-weight"),
        (["--penalty-weight", "inf"], "--penalty-weight"),
        (["--margin", "0"], "--margin"),
        (["--pull-away=-0.5"], "--pull-away"),
        (["--reconstruction-weight", "nan"], "--reconstruction-weight"),
        (["--batch-size", "1"], "--batch-size"),
        (["--toy-count", "0"], "--toy-count"),
        (["--steps", "0"], "--steps"),
        (["--log-every", "0"], "--log-every"),
        (["--method", "infogan", "--categories", "0", "--continuous", "0"], "--categories"),
        (["--method", "infogan", "--info-weight=-1"], "--info-weight"),
        (["--method", "infogan", "--q-hidden", "0"], "--q-hidden"),
        (["--method", "infogan", "--continuous-info-weight", "nan"], "--continuous-info-weight"),
        (["--method", "infogan", "--mode-seeking=-1"], "--mode-seeking"),
        (["--method", "infogan", "--continuous", "0", "--learn-code-variance"], "--learn-code-variance"),
        (["--method", "nsgan", "--mode-seeking", "1"], "need --method infogan"),
        (["--method", "wgan", "--q-hidden", "8"], "need --method infogan"),
        (["--method", "fgan:nope"], "--method"),
        (["--penalty", "three-sided"], "--penalty"),
        (["--lr-decay-start=-1"], "--lr-decay-start"),
        (["--steps", "100", "--lr-decay-start", "100"], "--lr-decay-start"),
        (["--r1=-1"], "--r1"),
        (["--r1", "nan"], "--r1"),
        (["--method", "vae-gan", "--r1", "1"], "gradient penalties"),
        (["--method", "infogan", "--gradient-penalty"], "gradient penalties"),
        (["--net", "resnet"], "--net"),
        (["--net", "conv"], "square images"),
        (["--instance-noise", "0"], "--instance-noise"),
        (["--instance-noise", "nan"], "--instance-noise"),
        (["--instance-noise-decay-start", "10"], "needs --instance-noise"),
        (
            ["--steps", "100", "--instance-noise", "0.1", "--instance-noise-decay-start", "100"],
            "--instance-noise-decay-start"
        ),
        (["--method", "infogan", "--instance-noise", "0.1"], "instance noise applies"),
        (["--method", "nsgan", "--saddle-point"], "saddle-point"),
        (["--method", "infogan", "--real-code-entropy=-1"], "--real-code-entropy"),
        (["--method", "nsgan", "--real-code-entropy", "1"], "real-data code entropy"),
        (["--noise-std", "0"], "--noise-std"),
        (["--noise-std", "nan"], "--noise-std"),
        (["--method", "infogan", "--labels-per-class=-1"], "--labels-per-class"),
        (["--method", "nsgan", "--labels-per-class", "5"], "--labels-per-class needs --method infogan"),
        (["--method", "infogan", "--labels-per-class", "5"], "labelled data"),  // ring8 has no labels
    ]

    static let vaeCases: [([String], String)] = [
        (["--latent", "0"], "--latent"),
        (["--hidden", "0"], "--hidden"),
        (["--iw-samples", "0"], "--iw-samples"),
        (["--likelihood", "poisson"], "--likelihood"),
        (["--lr=-1"], "--lr"),
    ]

    func check(_ command: String, _ arguments: [String], _ expected: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-flags-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("model").path
        let result = try MontagueExecutable.locate().run(
            ["train", command, "--data", "ring8", "--output", output] + arguments)
        #expect(result.status == 2, "\(arguments): status \(result.status), \(result.standardError)")
        #expect(result.standardError.contains(expected), "\(arguments): \(result.standardError)")
        // Rejected before training: no model directory is written.
        #expect(!FileManager.default.fileExists(atPath: output), "\(arguments) wrote \(output)")
    }

    @Test(arguments: ganCases)
    func badGANOptionValuesExitWithStatusTwoNamingTheOption(_ arguments: [String], _ expected: String) throws {
        try check("gan", arguments, expected)
    }

    @Test(arguments: vaeCases)
    func badVAEOptionValuesExitWithStatusTwoNamingTheOption(_ arguments: [String], _ expected: String) throws {
        try check("vae", arguments, expected)
    }
}
