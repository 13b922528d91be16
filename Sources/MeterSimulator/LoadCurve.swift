import Foundation

/// How much a premise uses through the day (BR-4): a daily total by category, shaped by hour
/// (a morning and an evening peak for homes, working hours for shops and works), with weather
/// and chance on top.
public struct LoadCurve: Sendable, Equatable {
    public enum Category: String, Sendable, CaseIterable {
        case residential, commercial, industrial
    }

    public let category: Category
    /// Watt-hours on an ordinary day.
    public let dailyWattHours: Double

    public init(category: Category, dailyWattHours: Double? = nil) {
        self.category = category
        let usual: Double =
            switch category {
            case .residential: 9_000
            case .commercial: 40_000
            case .industrial: 300_000
            }
        self.dailyWattHours = dailyWattHours ?? usual
    }

    /// Share of the day's use in each hour (0 to 23), summing to 1.
    var hourly: [Double] {
        let weights: [Double] =
            switch category {
            case .residential: [3, 2, 2, 2, 2, 3, 6, 9, 7, 4, 3, 3, 4, 3, 3, 3, 4, 7, 10, 11, 9, 7, 5, 4]
            case .commercial: [1, 1, 1, 1, 1, 1, 2, 4, 8, 9, 9, 9, 9, 9, 9, 9, 8, 6, 3, 2, 1, 1, 1, 1]
            case .industrial: [5, 5, 5, 5, 5, 5, 6, 8, 9, 9, 9, 9, 8, 9, 9, 9, 8, 6, 5, 5, 5, 5, 5, 5]
            }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }

    /// Watt-hours used between two instants (UTC hours; close enough for a simulation).
    public func use(from start: Date, to end: Date) -> Double {
        guard end > start else { return 0 }
        let shares = hourly
        var used = 0.0
        var time = start.timeIntervalSince1970
        let stop = end.timeIntervalSince1970
        while time < stop {
            let hourStart = (time / 3600).rounded(.down) * 3600
            let until = min(stop, hourStart + 3600)
            let hour = Int(hourStart / 3600) % 24
            used += dailyWattHours * shares[hour] * (until - time) / 3600
            time = until
        }
        return used
    }
}
