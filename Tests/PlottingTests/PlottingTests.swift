import Foundation
import Plotting
import Testing

/// The (x, y) pairs of a `points` attribute.
private func coordinates(_ points: String?) -> [(Double, Double)] {
    (points ?? "").split(separator: " ").compactMap { pair in
        let parts = pair.split(separator: ",").compactMap { Double($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }
}

@Suite("Plotting: escaping, nice ticks, line charts, metrics logs")
struct PlottingTests {
    @Test func textIsEscapedForXML() {
        #expect(SVGText.escaped(#"a<b & "c" 'd'>"#) == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;")
        #expect(SVGText.escaped("x\u{1}y\tz") == "x\u{FFFD}y\tz")
        #expect(SVGText.escaped("perplexité") == "perplexité")
    }

    @Test func linearTicksAreRoundAndCoverTheData() {
        #expect(AxisTicks.linear(lower: 0, upper: 1) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(AxisTicks.linear(lower: 0, upper: 97) == [0, 20, 40, 60, 80, 100])
        #expect(AxisTicks.linear(lower: 0.13, upper: 0.87) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(AxisTicks.linear(lower: -3.5, upper: 12) == [-5, 0, 5, 10, 15])
        let degenerate = AxisTicks.linear(lower: 3, upper: 3)
        #expect(degenerate.first! < 3 && degenerate.last! > 3)
        for (lower, upper) in [(0.0012, 0.0047), (1e5, 3.3e5), (-2.0, -1.9), (17.0, 1234.0)] {
            let ticks = AxisTicks.linear(lower: lower, upper: upper)
            #expect(ticks.first! <= lower && ticks.last! >= upper && (3...12).contains(ticks.count))
            let step = ticks[1] - ticks[0]
            let mantissa = step / pow(10, log10(step).rounded(.down))
            #expect([1, 2, 5, 10].contains { abs(mantissa - $0) < 1e-6 })
        }
        #expect(AxisTicks.label(0.30000000000000004, step: 0.1) == "0.3")
        #expect(AxisTicks.label(2e-7, step: 1e-7) == "2e-07")
    }

    @Test func logarithmicTicksArePowersOfTen() {
        #expect(AxisTicks.logarithmic(lower: 0.003, upper: 2.5) == [0.001, 0.01, 0.1, 1, 10])
        #expect(AxisTicks.logarithmic(lower: 1.5, upper: 40) == [1, 2, 5, 10, 20, 50, 100])
        #expect(AxisTicks.logarithmic(lower: 10, upper: 10) == [10, 20, 50, 100])
    }

    @Test func chartIsWellFormedSVGWithOneCurvePerSeriesAndALegend() throws {
        let chart = LineChart(
            series: [
                LineSeries(name: "loss <train>", points: [ChartPoint(x: 1, y: 2), ChartPoint(x: 2, y: 1)]),
                LineSeries(name: "loss & eval", points: [ChartPoint(x: 2, y: 1.5), ChartPoint(x: 3, y: .nan)]),
            ],
            title: "run \"A\"", xLabel: "step", yLabel: "value")
        let svg = chart.svg()
        let parsed = try SVGElements.parse(svg)
        #expect(parsed.elements.first?.name == "svg")
        // Two curves plus the axes; the second series has one finite point, drawn as a circle.
        #expect(parsed.elements.filter { $0.name == "polyline" }.count == 2)
        #expect(parsed.elements.filter { $0.name == "circle" }.count == 1)
        #expect(parsed.texts.contains("loss <train>") && parsed.texts.contains("loss & eval"))
        #expect(parsed.texts.contains("run \"A\""))
        #expect(svg.contains(LineChart.palette[0]) && svg.contains(LineChart.palette[1]))
    }

    @Test func logScalePlacesDecadesEquallyApartAndDropsNonPositiveValues() throws {
        let series = LineSeries(
            name: "ppl",
            points: [
                ChartPoint(x: 0, y: 1), ChartPoint(x: 1, y: 10), ChartPoint(x: 2, y: 0),
                ChartPoint(x: 3, y: 100),
            ])
        let chart = LineChart(series: [series], logScaleY: true)
        #expect(chart.drawablePoints(of: series).count == 3)
        let parsed = try SVGElements.parse(chart.svg())
        let curve = parsed.elements.last { $0.name == "polyline" && $0.attributes["stroke"] == LineChart.palette[0] }
        let ys = coordinates(curve?.attributes["points"]).map(\.1)
        try #require(ys.count == 3)
        #expect(abs((ys[0] - ys[1]) - (ys[1] - ys[2])) < 0.02 && ys[0] > ys[1])  // y grows upwards
        let linear = try SVGElements.parse(LineChart(series: [series]).svg())
        let linearCurve = linear.elements.last {
            $0.name == "polyline" && $0.attributes["stroke"] == LineChart.palette[0]
        }
        let linearYs = coordinates(linearCurve?.attributes["points"]).map(\.1)
        #expect(linearYs.count == 4 && abs((linearYs[0] - linearYs[1]) - (linearYs[1] - linearYs[3])) > 100)
    }

    @Test func metricsLogSplitsPhasesAndSkipsNulls() throws {
        let jsonl = """
            {"phase":"train","step":1,"epoch":0,"wall_time":0.5,"metrics":{"loss":2.0,"accuracy":0.25}}
            {"phase":"train","step":2,"epoch":0,"wall_time":1.0,"metrics":{"loss":null,"accuracy":0.5}}

            {"phase":"eval","step":2,"epoch":0,"wall_time":1.2,"metrics":{"loss":1.5}}
            {"phase":"train","step":3,"epoch":1,"wall_time":1.5,"metrics":{"loss":1.0,"accuracy":0.75}}
            """
        let log = try MetricsLog(jsonl: Data(jsonl.utf8), path: "run.jsonl")
        #expect(log.records.count == 4 && log.metricNames == ["accuracy", "loss"])
        let series = try log.series(metrics: ["loss"])
        #expect(series.map(\.name) == ["loss (train)", "loss (eval)"])
        #expect(series[0].points == [ChartPoint(x: 1, y: 2), ChartPoint(x: 3, y: 1)])
        let accuracy = try log.series(metrics: ["accuracy"], x: .wallTime)
        #expect(accuracy.map(\.name) == ["accuracy"] && accuracy[0].points.map(\.x) == [0.5, 1.0, 1.5])
        #expect(try log.series().count == 3)
        let chart = try log.chart(metrics: ["loss"], x: .epoch, logScaleY: true)
        #expect(chart.title == "run.jsonl" && chart.xLabel == "epoch" && chart.yLabel == "loss" && chart.logScaleY)
    }

    @Test func configRecordsDescribeTheRunAndAreNotPlotted() throws {
        let jsonl = """
            {"phase":"config","step":0,"epoch":0,"wall_time":0,"metrics":{"seed":7,"hidden":64}}
            {"phase":"train","step":5,"epoch":0,"wall_time":1,"metrics":{"loss":0.5}}
            """
        let log = try MetricsLog(jsonl: Data(jsonl.utf8))
        #expect(log.records.count == 1 && log.metricNames == ["loss"])
        #expect(try log.series().map(\.name) == ["loss"])
    }

    @Test func flatRecordsOfOtherToolsWork() throws {
        let log = try MetricsLog(jsonl: Data(#"{"step": 10, "reward": 3.5, "done": true}"#.utf8))
        #expect(log.metricNames == ["reward"])
        #expect(try log.series()[0].points == [ChartPoint(x: 10, y: 3.5)])
    }

    @Test func badLogsReportFileAndLine() {
        let bad = Data("{\"step\":1,\"metrics\":{\"loss\":1}}\n[1, 2]\n".utf8)
        #expect(throws: MetricsLogError.invalidLine(path: "r.jsonl", line: 2, reason: "not a JSON object")) {
            try MetricsLog(jsonl: bad, path: "r.jsonl")
        }
        #expect(
            MetricsLogError.invalidLine(path: "r.jsonl", line: 2, reason: "not valid JSON").description
                == "r.jsonl:2: error: not valid JSON")
        let log = try? MetricsLog(jsonl: Data(#"{"step":1,"metrics":{"loss":1}}"#.utf8), path: "r.jsonl")
        #expect(throws: MetricsLogError.unknownMetric(path: "r.jsonl", name: "bleu", available: ["loss"])) {
            try log?.series(metrics: ["bleu"])
        }
        #expect(throws: MetricsLogError.noData(path: "r.jsonl", x: "epoch")) {
            try log?.series(metrics: ["loss"], x: .epoch)
        }
    }

    @Test func documentationExamplesRun() throws {
        let chart = LineChart(
            series: [LineSeries(name: "loss", points: [ChartPoint(x: 1, y: 2.3), ChartPoint(x: 2, y: 1.1)])],
            title: "run.jsonl", xLabel: "step", yLabel: "value", logScaleY: true)
        let svg: String = chart.svg()
        #expect(try SVGElements.parse(svg).elements.count > 10)
        let log = try MetricsLog(jsonl: Data(#"{"step":1,"metrics":{"loss":0.7}}"#.utf8))
        let fromLog = try log.chart(metrics: ["loss"], x: .step, logScaleY: false)
        #expect(fromLog.series == [LineSeries(name: "loss", points: [ChartPoint(x: 1, y: 0.7)])])
    }
}
