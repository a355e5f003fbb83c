import Autodiff
import Foundation
import MontagueSupport
import Testing

@testable import RL

@Suite struct ImitationTests {
    /// Expert of a toy rule: action 1 when the first observation component is positive.
    static func ruleDemonstrations(count: Int, seed: UInt64) -> Demonstrations {
        var generator = RandomGenerator(seed: seed)
        var demonstrations = Demonstrations()
        for index in 0..<count {
            let observation = (0..<4).map { _ in Float(generator.nextUniform(-1, 1)) }
            demonstrations.observations.append(observation)
            demonstrations.actions.append(.discrete(observation[0] > 0 ? 1 : 0))
            demonstrations.episodes.append(index / 10)
        }
        return demonstrations
    }

    @Test func jsonLinesRoundTripAndEpisodePrefix() throws {
        var demonstrations = Self.ruleDemonstrations(count: 25, seed: 1)
        demonstrations.actions[3] = .continuous([0.5, -1])
        let text = try demonstrations.jsonLines()
        let parsed = try Demonstrations(jsonLines: text, path: "demo.jsonl")
        #expect(parsed == demonstrations)
        #expect(parsed.episodeCount == 3)
        #expect(parsed.prefix(episodes: 2).count == 20)
    }

    @Test func malformedLinesAreLocated() {
        let text =
            "{\"episode\":0,\"observation\":[1,2],\"action\":1}\n\n{\"episode\":0,\"observation\":[1],\"action\":1}\n"
        do {
            _ = try Demonstrations(jsonLines: text, path: "d.jsonl")
            Issue.record("expected an error")
        } catch {
            #expect(error.location?.line == 3)
            #expect(error.description.hasPrefix("d.jsonl:3:1: error:"))
        }
        var generator = RandomGenerator(seed: 8)
        let valid = (try? Self.ruleDemonstrations(count: 3, seed: 2).jsonLines()) ?? ""
        var failures = 0
        for _ in 0..<500 {
            let mutated = InputParsingFuzzTests.mutate(valid, using: &generator)
            do {
                _ = try Demonstrations(jsonLines: mutated, path: "f.jsonl")
            } catch {
                failures += 1
                #expect((error.location?.line ?? 0) >= 1)
            }
        }
        #expect(failures > 0)
    }

    @Test func behaviorCloningLearnsTheRule() {
        var generator = RandomGenerator(seed: 3)
        let model = ActorCriticModel(
            observationSize: 4, distribution: .categorical(actions: 2), hidden: [16], activation: .tanh,
            sharedTrunk: false, using: &generator)
        let train = Self.ruleDemonstrations(count: 200, seed: 4)
        let loss = BehaviorCloning.train(
            model, on: train, epochs: 30, batchSize: 32, learningRate: 1e-2, using: &generator)
        #expect(loss < 0.3)
        let test = Self.ruleDemonstrations(count: 100, seed: 5)
        let predicted = model.act(test.observations, deterministic: true, using: &generator)
        let accuracy = Double(zip(predicted, test.actions).filter { $0 == $1 }.count) / 100
        #expect(accuracy > 0.9, "accuracy \(accuracy)")
    }

    @Test func gailDiscriminatorSeparatesExpertFromPolicy() {
        let expert = Self.ruleDemonstrations(count: 200, seed: 6)
        var configuration = OnPolicyConfiguration(method: .ppo)
        configuration.hidden = [8]
        let gail = GenerativeAdversarialImitation(
            environment: CartPole(), demonstrations: expert, configuration: configuration,
            discriminatorHidden: [16], discriminatorLearningRate: 1e-2, seed: 2)
        // "Policy" pairs: the opposite rule.
        let policyActions = expert.observations.map { Action.discrete($0[0] > 0 ? 0 : 1) }
        var losses: [Double] = []
        for _ in 0..<200 {
            losses.append(
                gail.updateDiscriminator(policyObservations: expert.observations, policyActions: policyActions))
        }
        #expect((losses.last ?? 1) < (losses.first ?? 0) * 0.7, "losses \(losses.first ?? 0) → \(losses.last ?? 0)")
        // The learned reward favours the expert's action.
        let reward = gail.learner.rewardFunction
        let observation: [Float] = [0.8, 0, 0, 0]
        #expect((reward?(observation, .discrete(1)) ?? 0) > (reward?(observation, .discrete(0)) ?? 0))
    }
}
