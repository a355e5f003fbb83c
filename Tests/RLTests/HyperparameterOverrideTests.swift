import Autodiff
import MontagueSupport
import Testing

@testable import RL

@Suite struct HyperparameterOverrideTests {
    @Test func nestedKeysMergeOverTheDefaults() throws {
        let defaults = try RLHyperparameters(environment: .pendulum, method: .naf, seed: 3)
        let changed = try defaults.overriding(
            withJSON: #"{"naf": {"tau": 0.001, "hidden": [64], "maxGradientNorm": 1}, "seed": 7}"#, path: "h.json")
        #expect(changed.naf?.tau == 0.001 && changed.naf?.hidden == [64] && changed.naf?.maxGradientNorm == 1)
        #expect(changed.seed == 7)
        // Untouched settings keep their defaults.
        #expect(changed.naf?.batchSize == defaults.naf?.batchSize && changed.method == .naf)
    }

    @Test(arguments: [
        (#"{"naf": {"tua": 0.001}}"#, "naf.tua"), (#"{"dqn": {"batchSize": 3}}"#, "dqn"),
        (#"{"naf": {"tau": "fast"}}"#, "naf.tau"), (#"[1, 2]"#, "one JSON object"), ("{", "JSON"),
    ])
    func mistakesAreLocatedErrors(text: String, mentions: String) throws {
        let defaults = try RLHyperparameters(environment: .pendulum, method: .naf, seed: 3)
        do {
            _ = try defaults.overriding(withJSON: text, path: "h.json")
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.location?.file == "h.json")
            #expect(error.description.contains(mentions), "\(error.description)")
        }
    }

    /// Seeded mutation fuzzing: any text gives hyperparameters or a located error, never a trap.
    @Test func mutatedOverridesParseOrFail() throws {
        let defaults = try RLHyperparameters(environment: .cartPole, method: .dqn, seed: 1)
        let base = #"{"dqn": {"batchSize": 32, "network": {"hidden": [16, 16]}, "discount": 0.9}, "seed": 2}"#
        var generator = RandomGenerator(seed: 31)
        let alphabet = Array("{}[]\":,0123456789.-eE truefalsn\\é")
        var accepted = 0
        for _ in 0..<1500 {
            var characters = Array(base)
            for _ in 0..<(1 + generator.nextInt(below: 3)) {
                let position = generator.nextInt(below: characters.count)
                switch generator.nextInt(below: 3) {
                case 0: characters.remove(at: position)
                case 1: characters.insert(alphabet[generator.nextInt(below: alphabet.count)], at: position)
                default: characters[position] = alphabet[generator.nextInt(below: alphabet.count)]
                }
            }
            do {
                _ = try defaults.overriding(withJSON: String(characters), path: "fuzz.json")
                accepted += 1
            } catch {
                #expect(error.location?.file == "fuzz.json")
            }
        }
        #expect(accepted > 0 && accepted < 1500)
    }
}
