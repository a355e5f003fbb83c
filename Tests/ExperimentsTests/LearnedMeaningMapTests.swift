import Foundation
import Grammar
import MontagueSupport
import Testing

@testable import Experiments

/// N1/N9 of assigned meaning maps (``AssignedMeaningCheck``) and the meaning-map study (tiny, debug-fast settings).
@Suite("Learned meaning map")
struct LearnedMeaningMapTests {
    static func arithmetic() throws -> ProbabilisticGrammar {
        try ProbabilisticGrammar.load(path: shippedGrammarsDirectory + "/weighted-arithmetic.mont")
    }

    static func settings(_ sources: [RepresentationSource], epochs: Int = 0) -> MeaningMapSettings {
        MeaningMapSettings(
            study: RepresentationStudySettings(
                sources: sources, expressions: 30, trainingSamples: 200, dimension: 8, epochs: epochs, seed: 3),
            chanceDraws: 3)
    }

    /// The grammar's nodes with their grammar meanings as dense labels.
    static func grammarAssignment() throws -> (nodes: [LearnedMeaningMap.Node], map: [Term: Int]) {
        let (nodes, _) = try LearnedMeaningMap.nodes(
            of: try arithmetic(), settings: settings([]).study)
        var ids: [String: Int] = [:]
        var map: [Term: Int] = [:]
        for node in nodes {
            let id = ids[node.meaning] ?? ids.count
            ids[node.meaning] = id
            map[node.expression.term] = id
        }
        return (nodes, map)
    }

    @Test func nodesAreClosedUnderSubterms() throws {
        let (nodes, map) = try Self.grammarAssignment()
        #expect(nodes.count == map.count)  // distinct terms
        for node in nodes {
            for argument in node.expression.term.arguments { #expect(map[argument] != nil) }
            #expect(node.expression.words == node.expression.term.yield.split(separator: " ").map(String.init))
        }
        // Atoms mean their numeral.
        for node in nodes where node.expression.term.isAtom { #expect(node.meaning == node.expression.term.yield) }
    }

    @Test func theGrammarsOwnMeaningsAreCompositionalButNotReverseCompositional() throws {
        let (_, map) = try Self.grammarAssignment()
        let funct = AssignedMeaningCheck.functionality(map)
        #expect(funct.result.holds == true)
        #expect(funct.consistency == 1)
        #expect(funct.repeatedKeys > 0)  // the check had something to refute
        #expect(funct.result.witness == nil)
        // (1 + 2) and (2 + 1) both mean 3: the sum does not determine the summands.
        let reverse = AssignedMeaningCheck.reverse(map)
        #expect(reverse.result.holds == false)
        #expect(reverse.consistency < 1)
        let witness = try #require(reverse.result.witness)
        #expect(witness.meaning1 == witness.meaning2)
        #expect(witness.argumentMeanings1 != witness.argumentMeanings2)
    }

    @Test func aConstantAssignmentIsTriviallyCompositional() throws {
        let (_, map) = try Self.grammarAssignment()
        let constant = map.mapValues { _ in 0 }
        #expect(AssignedMeaningCheck.functionality(constant).result.holds == true)
        #expect(AssignedMeaningCheck.reverse(constant).result.holds == true)
    }

    @Test func aRandomAssignmentFailsWithAMinimalWitness() throws {
        let (_, map) = try Self.grammarAssignment()
        var generator = SplitMix64(seed: 5)
        var random: [Term: Int] = [:]
        for term in map.keys.sorted(by: { $0.description < $1.description }) {
            random[term] = Int(generator.next() % 3)
        }
        let outcome = AssignedMeaningCheck.functionality(random)
        #expect(outcome.result.holds == false)
        #expect(outcome.consistency < 1 && outcome.consistency > 0)
        #expect(
            outcome.consistent + outcome.operations.map { $0.applications - $0.consistent }.reduce(0, +)
                == outcome.applications)
        let witness = try #require(outcome.result.witness)
        let first = try #require(witness.term1)
        let second = try #require(witness.term2)
        #expect(first.operation == second.operation)
        #expect(first.arguments.map { random[$0] } == second.arguments.map { random[$0] })
        #expect(random[first] != random[second])
        // No conflicting pair is smaller (deeper term, then total size).
        let compounds = random.keys.filter { !$0.arguments.isEmpty }
        let rank = (max(first.depth, second.depth), first.size + second.size)
        for a in compounds {
            for b in compounds where a.operation == b.operation && random[a] != random[b] {
                guard a.arguments.map({ random[$0] }) == b.arguments.map({ random[$0] }) else { continue }
                #expect(!((max(a.depth, b.depth), a.size + b.size) < rank))
            }
        }
    }

    @Test func theStudyPassesAnExactMeaningCodeAndFailsARandomOne() throws {
        let rows = try LearnedMeaningMap.run(try Self.arithmetic(), settings: Self.settings([.meaning, .random]))
        #expect(rows.map(\.source) == [nil, .meaning, .random])
        let reference = rows[0]
        #expect(reference.functHolds && reference.functConsistency == 1 && reference.purity == 1)
        let meaning = rows[1]
        #expect(meaning.functHolds && meaning.functConsistency == 1 && meaning.purity == 1)
        #expect(meaning.clusters == reference.clusters)
        #expect((meaning.chanceConsistency ?? 1) < 1)
        let random = rows[2]
        #expect(!random.functHolds && random.functConsistency < 1)
        #expect(random.funct.witness != nil)
        let table = LearnedMeaningMap.table(rows)
        #expect(table.split(separator: "\n").count == 5)
        #expect(table.contains("| the grammar's meanings |"))
        #expect(LearnedMeaningMap.witnesses(rows).contains("random: no function G_"))
    }

    @Test func learnedEncodersReportTheirTrainingLoss() throws {
        let settings = RepresentationStudySettings(
            sources: [.seq2seq, .random], expressions: 12, trainingSamples: 60, dimension: 4, epochs: 1, seed: 1)
        let rows = try RepresentationCompositionalityStudy.run(try Self.arithmetic(), settings: settings)
        let loss = try #require(rows[0].trainingLoss)
        #expect(loss.isFinite && loss > 0)
        #expect(rows[1].trainingLoss == nil)
        #expect(RepresentationCompositionalityStudy.table(rows).contains("| random |"))
        let map = try LearnedMeaningMap.run(
            try Self.arithmetic(), settings: Self.settings([.trainedTreeLSTM], epochs: 1))
        #expect(map[1].trainingLoss.map { $0.isFinite } == true)
        #expect((0...1).contains(map[1].functConsistency))
        var noDraws = Self.settings([.random])
        noDraws.chanceDraws = 0
        let plain = try LearnedMeaningMap.run(try Self.arithmetic(), settings: noDraws)
        #expect(plain.allSatisfy { $0.chanceConsistency == nil })
        let json = try JSONEncoder().encode(plain)  // no NaN: the rows encode
        #expect(try JSONDecoder().decode([MeaningMapRow].self, from: json) == plain)
    }
}
