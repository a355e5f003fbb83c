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

    /// Out-of-range values are typed violations naming the key and the range, in table order; the override reader
    /// turns them into one located message.
    @Test func rangeViolationsAreTypedAndOrdered() throws {
        var hyperparameters = try RLHyperparameters(environment: .cartPole, method: .dqn, seed: 1)
        #expect(throws: Never.self) { try hyperparameters.validate() }
        var dqn = try #require(hyperparameters.dqn)
        dqn.batchSize = 0
        dqn.discount = 0
        dqn.learningRate = .nan
        dqn.network.hidden = [64, 0]
        dqn.network.valueMin = dqn.network.valueMax
        dqn.learningStarts = -1
        hyperparameters.dqn = dqn
        hyperparameters.workers = 300
        do {
            try hyperparameters.validate()
            Issue.record("out-of-range hyperparameters were accepted")
        } catch {
            #expect(
                error.violations.map(\.key) == [
                    "dqn.batchSize", "dqn.learningRate", "dqn.discount", "dqn.learningStarts", "dqn.network.hidden",
                    "dqn.network.valueMin", "workers",
                ])
            #expect(error.violations.first?.range == .count && error.violations.first?.value == .integer(0))
            #expect(error.violations.map(\.range).contains(.positiveUnitInterval))
            #expect(
                error.description.hasPrefix("dqn.batchSize must lie in 1…10000000; dqn.learningRate must be positive"))
            #expect(
                error.description.hasSuffix("dqn.network.valueMin must be below valueMax; workers must lie in 1…256"))
        }
        let located = #expect(throws: InputError.self) {
            try RLHyperparameters(environment: .cartPole, method: .dqn, seed: 1).overriding(
                withJSON: #"{"dqn": {"gradientSteps": 0, "discount": 1.5}}"#, path: "h.json")
        }
        #expect(located?.message == "dqn.gradientSteps must lie in 1…10000000; dqn.discount must lie in (0, 1]")
    }

    /// Every range accepts a value inside it and refuses one outside it (and a value of the wrong kind).
    @Test func rangesAcceptAndRefuse() {
        let cases: [(HyperparameterRange, HyperparameterValue, HyperparameterValue)] = [
            (.count, .integer(1), .integer(10_000_001)), (.integer(1...256), .integer(256), .integer(0)),
            (.nonNegativeInteger, .integer(0), .integer(-1)), (.positive, .real(1e-9), .real(.infinity)),
            (.nonNegative, .real(0), .real(-0.1)), (.unitInterval, .real(0), .real(.nan)),
            (.positiveUnitInterval, .real(1), .real(0)), (.layerSizes, .integers([1, 65536]), .integers([65537])),
            (.below(2, name: "b"), .real(1.5), .real(2)),
        ]
        for (range, inside, outside) in cases {
            #expect(range.contains(inside), "\(range) \(inside)")
            #expect(!range.contains(outside), "\(range) \(outside)")
            #expect(!range.contains(.integers([])) || range == .layerSizes)
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
