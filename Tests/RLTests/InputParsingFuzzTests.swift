import Autodiff
import Testing

@testable import RL

/// Seeded mutation fuzzing of the module's parsers: any input gives a result or a located error, never a trap.
@Suite struct InputParsingFuzzTests {
    static func mutate(_ text: String, using generator: inout RandomGenerator) -> String {
        var characters = Array(text)
        let alphabet = Array("#.SKDGx \t\n0123456789kKmM.-+eé∞")
        for _ in 0..<(1 + generator.nextInt(below: 4)) {
            switch generator.nextInt(below: 3) {
            case 0 where !characters.isEmpty:
                characters.remove(at: generator.nextInt(below: characters.count))
            case 1:
                characters.insert(
                    alphabet[generator.nextInt(below: alphabet.count)],
                    at: generator.nextInt(below: characters.count + 1))
            default:
                if !characters.isEmpty {
                    characters[generator.nextInt(below: characters.count)] =
                        alphabet[generator.nextInt(below: alphabet.count)]
                }
            }
        }
        return String(characters)
    }

    @Test func gridLayoutsParseOrFailWithALocation() {
        var generator = RandomGenerator(seed: 23)
        var failures = 0
        for _ in 0..<1000 {
            let text = Self.mutate(KeyDoorGridWorld.defaultLayout.joined(separator: "\n"), using: &generator)
            let rows = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            do {
                var world = try KeyDoorGridWorld(layout: rows)
                _ = world.reset(seed: 0)
                for action in 0..<8 { _ = world.step(.discrete(action % 4)) }
            } catch {
                failures += 1
                #expect(error.line >= 0 && error.line <= rows.count)
                #expect(!error.message.isEmpty)
            }
        }
        #expect(failures > 0)
    }

    @Test func keyDoorWorldNeedsTheKey() {
        var world = KeyDoorGridWorld()
        _ = world.reset(seed: nil)
        // Straight to the door without the key: blocked. Start (1,1) → down to (2,1), right to (2,3), door at (2,4).
        _ = world.step(.discrete(2))
        for _ in 0..<4 { _ = world.step(.discrete(1)) }
        #expect(world.position.column == 3)
        // Fetch the key at (3,2), then go through the door to the goal at (2,6).
        _ = world.step(.discrete(3))
        _ = world.step(.discrete(2))
        #expect(world.hasKey)
        _ = world.step(.discrete(0))
        var outcome = world.step(.discrete(1))
        for _ in 0..<3 { outcome = world.step(.discrete(1)) }
        #expect(outcome.terminated && outcome.reward == 1)
    }
}
