// swift-tools-version: 6.1
// Montague: compositional semantics and NLP in Swift.
// Layering (README.md, "Module map"): arrows point down only; a target depends only on lower layers.
import PackageDescription

let package = Package(
    name: "Montague",
    products: [
        .library(name: "Autodiff", targets: ["Autodiff"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "Corpus", targets: ["Corpus"]),
        .library(name: "Grammar", targets: ["Grammar"]),
        .library(name: "Sampling", targets: ["Sampling"]),
        .library(name: "Generative", targets: ["Generative"]),
        .library(name: "MontagueSupport", targets: ["MontagueSupport"]),
        .library(name: "Experiments", targets: ["Experiments"]),
        .library(name: "TextGeneration", targets: ["TextGeneration"]),
        .library(name: "MetaLearning", targets: ["MetaLearning"]),
        .library(name: "Plotting", targets: ["Plotting"]),
        .library(name: "RL", targets: ["RL"]),
        .library(name: "Distributed", targets: ["Distributed"]),
        .executable(name: "montague", targets: ["montague"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
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

        // MARK: - Plotting (layer 0: SVG charts of metric curves; only MontagueSupport)
        .target(
            name: "Plotting",
            dependencies: ["MontagueSupport"]
        ),

        // MARK: - Library
        // Vector kernels compiled for AVX-512 / AVX2 per function and chosen at run time (no build flags).
        .target(name: "CVectorKernels"),
        .target(
            name: "Autodiff",
            dependencies: ["CBLAS", "CVectorKernels"]
        ),
        .target(
            name: "NeuralNet",
            dependencies: ["Autodiff", "MontagueSupport", "CVectorKernels"]
        ),
        .target(
            name: "Sampling",
            dependencies: ["Autodiff", "CBLAS", "MontagueSupport"]
        ),
        .target(
            name: "Generative",
            dependencies: ["NeuralNet", "Autodiff", "Sampling", "Plotting", "MontagueSupport"]
        ),
        .target(
            name: "RL",
            dependencies: ["NeuralNet", "Autodiff", "Sampling", "MontagueSupport"]
        ),
        // Data-parallel training over MPI; Open MPI is opened at run time (dlopen), so no MPI is needed to build.
        .target(
            name: "Distributed",
            dependencies: ["NeuralNet", "Autodiff"]
        ),
        .target(
            name: "Grammar",
            dependencies: ["MontagueSupport"]
        ),
        .target(
            name: "Corpus",
            dependencies: ["CLibXML2", "MontagueSupport"]
        ),

        // MARK: - Text generation (layer 4: LM and seq2seq drivers, text VAEs and GANs, style transfer, text metrics)
        .target(
            name: "TextGeneration",
            dependencies: ["RL", "Generative", "NeuralNet", "Autodiff", "Corpus", "MontagueSupport"]
        ),

        // MARK: - Experiments (layer 5: experiment plans and runner; grammar-driven experiments)
        .target(
            name: "Experiments",
            dependencies: [
                "Grammar", "TextGeneration", "NeuralNet", "Autodiff", "Corpus", "Plotting", "Sampling",
                "MontagueSupport",
            ]
        ),

        // MARK: - Meta-learning and continual learning (layer 4: MAML, Reptile, learned optimizers, EWC)
        .target(
            name: "MetaLearning",
            dependencies: ["NeuralNet", "Autodiff", "Sampling", "MontagueSupport", "Plotting"]
        ),

        // MARK: - Command-line tool (layer 6: parses and prints only)
        .executableTarget(
            name: "montague",
            dependencies: [
                "Autodiff", "NeuralNet", "Corpus", "Grammar", "Sampling", "Plotting", "MontagueSupport",
                "Experiments", "TextGeneration", "Generative", "MetaLearning", "RL", "Distributed",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Benchmarks (run with `make bench`, release only)
        .executableTarget(
            name: "MontagueBenchmarks",
            dependencies: [
                "Autodiff", "NeuralNet", "Corpus", "Grammar", "Sampling", "Generative", "CBLAS", "CLibXML2",
                "MetaLearning", "RL",
                "TextGeneration", "Distributed",
            ],
            path: "Benchmarks"
        ),

        // MARK: - Tests
        // Shared test helpers: closeness checks, fixture and external-data locations with visible skips.
        .target(name: "_MontagueTestSupport", path: "Tests/_MontagueTestSupport"),
        .testTarget(name: "SystemLibraryTests", dependencies: ["CBLAS", "CLibXML2"]),
        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "_MontagueTestSupport"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "Autodiff", "_MontagueTestSupport"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "MontagueSupport"]),
        .testTarget(name: "GrammarTests", dependencies: ["Grammar", "MontagueSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "SamplingTests", dependencies: ["Sampling", "Autodiff"]),
        .testTarget(
            name: "GenerativeTests",
            dependencies: ["_MontagueTestSupport", "Generative", "NeuralNet", "Autodiff", "Sampling"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting"]),
        .testTarget(name: "CLITests", dependencies: ["montague"]),
        .testTarget(name: "MontagueSupportTests", dependencies: ["MontagueSupport"]),
        .testTarget(
            name: "TextGenerationTests",
            dependencies: ["TextGeneration", "Generative", "NeuralNet", "Autodiff", "_MontagueTestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "ExperimentsTests", dependencies: ["Experiments", "Grammar", "NeuralNet", "MontagueSupport"]),
        .testTarget(name: "MetaLearningTests", dependencies: ["MetaLearning", "NeuralNet", "Autodiff"]),
        .testTarget(name: "RLTests", dependencies: ["RL", "NeuralNet", "Autodiff"], exclude: ["Fixtures"]),
        // The rank program the Distributed tests start under `mpirun -np 2`.
        .executableTarget(
            name: "DistributedRankCheck", dependencies: ["Distributed", "NeuralNet", "Autodiff"],
            path: "Tests/DistributedRankCheck"),
        .testTarget(
            name: "DistributedTests",
            dependencies: ["Distributed", "NeuralNet", "Autodiff", "DistributedRankCheck", "montague"]),
    ],
    swiftLanguageModes: [.v6]
)
