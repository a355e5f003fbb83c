import Plotting

/// SVG line charts of meta-learning runs (drawn with the Plotting module's ``LineChart``).
public enum MetaLearningCharts {
    /// Query loss against test-time adaptation steps, one curve per run: the curves of Finn et al. 2017's
    /// sinusoid figure. Steps where every episode diverged are left out of a curve.
    public static func adaptationChart(
        _ runs: [(name: String, results: [AdaptationResult])], title: String, lossName: String, logScale: Bool = true
    ) -> LineChart {
        let series = runs.map { run in
            LineSeries(
                name: run.name,
                points: run.results.filter { !$0.allDiverged }.map {
                    ChartPoint(x: Double($0.steps), y: $0.loss.mean)
                })
        }
        return LineChart(
            series: series, title: title, xLabel: "test-time gradient steps", yLabel: "query " + lossName,
            logScaleY: logScale)
    }

    /// The meta-training loss against meta-steps.
    public static func trainingChart(
        _ runs: [(name: String, points: [(step: Int, loss: Double)])], title: String, logScale: Bool = true
    ) -> LineChart {
        LineChart(
            series: runs.map { run in
                LineSeries(name: run.name, points: run.points.map { ChartPoint(x: Double($0.step), y: $0.loss) })
            }, title: title, xLabel: "meta-step", yLabel: "meta-training loss", logScaleY: logScale)
    }

    /// Loss curves of several optimizers on the same tasks (``OptimizerComparison``): mean over tasks against the
    /// optimization step.
    public static func optimizerChart(_ comparison: OptimizerComparison, title: String) -> LineChart {
        LineChart(
            series: comparison.curves.map { curve in
                LineSeries(
                    name: curve.name,
                    points: curve.meanLosses.enumerated().map { ChartPoint(x: Double($0.offset), y: $0.element) })
            }, title: title, xLabel: "optimization step", yLabel: "loss (mean over held-out tasks)", logScaleY: true)
    }
}
