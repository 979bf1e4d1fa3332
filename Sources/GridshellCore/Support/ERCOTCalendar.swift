import Foundation

extension Calendar {
    /// The Gregorian calendar in ERCOT's time, Central Prevailing Time (America/Chicago): 4CP
    /// seasons and hours, and months in reports, are reckoned in it.
    public static let ercot: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Chicago")!
        return calendar
    }()
}
