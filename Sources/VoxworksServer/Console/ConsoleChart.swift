import Foundation
import VoxworksCore

/// Hourly bar charts drawn as SVG on the server: no script library, and
/// nothing for the CSP to allow (colours come from classes in the console's
/// stylesheet, not from `style` attributes). Every value in the markup is a
/// number or escaped text.
enum ConsoleChart {
    struct Series {
        /// The colour class: `bar-<css>`.
        var css: String
        var label: String
        var values: [Int]
    }

    static let barWidth = 20
    static let plotHeight = 100
    /// Below the plot: the hour labels.
    static let labelHeight = 16

    /// A stacked bar chart's values for the `chart` partial: one bar per
    /// hour, the series stacked in order, each segment with a `<title>`
    /// (its hour and count) for a pointer or a screen reader.
    static func stacked(_ series: [Series], hours: [Timestamp], title: String) -> [String: Any] {
        func value(_ item: Series, _ index: Int) -> Int { item.values.indices.contains(index) ? item.values[index] : 0 }
        var top = 1
        for index in hours.indices {
            var total = 0
            for item in series { total += value(item, index) }
            top = max(top, total)
        }
        var segments: [[String: Any]] = []
        for (index, start) in hours.enumerated() {
            var base = 0
            for item in series {
                let count = value(item, index)
                guard count > 0 else { continue }
                // Heights are cumulative, so stacked segments never leave a rounding gap.
                let bottom: Int = plotHeight * base / top
                let upper: Int = plotHeight * (base + count) / top
                base += count
                let label = "\(hourLabel(start))–\(hourLabel(start.adding(seconds: 3600))) UTC: \(count) \(item.label)"
                let x: Int = index * barWidth + 2
                let height: Int = max(1, upper - bottom)
                segments.append([
                    "x": x, "y": plotHeight - upper, "width": barWidth - 4, "height": height, "css": item.css, "label": label,
                ])
            }
        }
        let ticks = hours.enumerated().filter { $0.offset % 6 == 0 }.map { offset, start -> [String: Any] in
            ["x": offset * barWidth + 1, "label": hourLabel(start)]
        }
        return [
            "chartTitle": title,
            "width": hours.count * barWidth,
            "height": plotHeight + labelHeight,
            "plotHeight": plotHeight,
            "labelY": plotHeight + labelHeight - 3,
            "top": top,
            "segments": segments,
            "ticks": ticks,
            "legend": series.map { ["css": $0.css, "label": $0.label, "total": $0.values.reduce(0, +)] as [String: Any] },
        ]
    }

    /// `06:00` for an hour's start, in UTC.
    static func hourLabel(_ time: Timestamp) -> String {
        String(time.rfc3339.dropFirst(11).prefix(5))
    }
}
