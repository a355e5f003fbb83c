// swift-tools-version: 6.1
// Montague: compositional semantics and NLP in Swift.
// Layering (see ../shared/ARCHITECTURE.md): arrows point down only.
import PackageDescription

let package = Package(
    name: "Montague",
    products: [
        .library(name: "Autodiff", targets: ["Autodiff"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "Corpus", targets: ["Corpus"]),
        .library(name: "Grammar", targets: ["Grammar"]),
        .library(name: "Sampling", targets: ["Sampling"]),
        .library(name: "MontagueSupport", targets: ["MontagueSupport"]),
        .library(name: "RL", targets: ["RL"]),
        .executable(name: "montague", targets: ["montague"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - System libraries (layer 0)
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),

        // MARK: - Support (layer 0: seeded generator, atomic files, located errors, escapers; no dependencies)
        .target(name: "MontagueSupport"),

        // MARK: - Plotting (layer 0: SVG charts of metric curves, no dependencies)
        .target(
            name: "Plotting",
            dependencies: []
        ),

        // MARK: - Library
        .target(
            name: "Autodiff",
            dependencies: ["CBLAS"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        .target(
            name: "NeuralNet",
            dependencies: ["Autodiff", "MontagueSupport"]
        ),
        .target(
            name: "Sampling",
            dependencies: ["Autodiff", "CBLAS"]
        ),
        .target(
            name: "RL",
            dependencies: ["NeuralNet", "Autodiff", "Sampling", "MontagueSupport"]
        ),
        .target(
            name: "Grammar",
            dependencies: []
        ),
        .target(
            name: "Corpus",
            dependencies: ["CLibXML2"]
        ),

        // MARK: - Command-line tool (layer 4: parses and prints only)
        .executableTarget(
            name: "montague",
            dependencies: [
                "Autodiff", "NeuralNet", "Corpus", "Grammar", "Sampling", "Plotting", "MontagueSupport", "RL",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Benchmarks (run with `make bench`, release only)
        .executableTarget(
            name: "MontagueBenchmarks",
            dependencies: ["Autodiff", "NeuralNet", "Corpus", "Grammar", "Sampling", "CBLAS", "CLibXML2", "RL"],
            path: "Benchmarks"
        ),

        // MARK: - Tests
        .testTarget(name: "SystemLibraryTests", dependencies: ["CBLAS", "CLibXML2"]),
        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "Autodiff"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus"]),
        .testTarget(name: "GrammarTests", dependencies: ["Grammar"]),
        .testTarget(name: "SamplingTests", dependencies: ["Sampling", "Autodiff"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting"]),
        .testTarget(name: "CLITests", dependencies: ["montague"]),
        .testTarget(name: "MontagueSupportTests", dependencies: ["MontagueSupport"]),
        .testTarget(name: "RLTests", dependencies: ["RL", "NeuralNet", "Autodiff"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
