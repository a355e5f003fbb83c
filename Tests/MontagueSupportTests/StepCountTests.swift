import MontagueSupport
import Testing

@Suite("StepCount")
struct StepCountTests {
    @Test(
        "Accepted spellings",
        arguments: [
            ("50000", 50_000), ("100k", 100_000), ("100K", 100_000), ("1.5m", 1_500_000), (" 2m ", 2_000_000),
            ("100_000", 100_000), ("2e3", 2_000), ("2.5E4", 25_000), ("1b", 1_000_000_000), ("1", 1),
            ("0.5k", 500), ("1.25k", 1_250),
        ])
    func accepts(text: String, expected: Int) {
        #expect(StepCount(text)?.value == expected)
    }

    @Test(
        "Rejected spellings",
        arguments: [
            "", "k", "0", "-5k", "+5", "1e20", "1e12", "0x10", "inf", "nan", "1.2345k", "0.5", "1_", "_1", "1__0",
            "1._5", "1e", "1e+", "5kk", "k5", "1..5", "1.5.0", "ten", "1 000", "5 k", "e5",
        ])
    func rejects(text: String) {
        #expect(StepCount(text) == nil, "\(text) should not parse")
    }

    @Test("The description reads back as the same count")
    func descriptionRoundTrips() {
        for value in [1, 999, 1_000, 1_500, 100_000, 1_500_000, 2_000_000, 3_000_000_000, 123_456_789] {
            let count = StepCount(value)
            #expect(StepCount(count.description) == count)
        }
        #expect(StepCount(100_000).description == "100k")
        #expect(StepCount(1_500_000).description == "1500k")
    }

    /// Seeded mutation fuzzing: any text parses to a positive count below 10¹² or to nil, never a trap.
    @Test("Mutated inputs parse or fail without trapping")
    func mutationFuzz() {
        var generator = SplitMix64(seed: 41)
        let alphabet = Array("0123456789kKmMbB.eE+-_ x∞é\t")
        let seeds = ["100k", "50000", "1.5m", "2e3", "100_000", "1b"]
        var accepted = 0
        for _ in 0..<3000 {
            var characters = Array(seeds[generator.nextInt(below: seeds.count)])
            for _ in 0..<(1 + generator.nextInt(below: 3)) {
                let position = generator.nextInt(below: characters.count + 1)
                switch generator.nextInt(below: 3) {
                case 0 where !characters.isEmpty:
                    characters.remove(at: min(position, characters.count - 1))
                case 1:
                    characters.insert(alphabet[generator.nextInt(below: alphabet.count)], at: position)
                default:
                    if !characters.isEmpty {
                        characters[min(position, characters.count - 1)] =
                            alphabet[generator.nextInt(below: alphabet.count)]
                    }
                }
            }
            if let count = StepCount(String(characters)) {
                accepted += 1
                #expect(count.value > 0 && count.value < 1_000_000_000_000)
            }
        }
        // Both outcomes occur: the mutations are neither all harmless nor all fatal.
        #expect(accepted > 100 && accepted < 2900)
    }
}
