import Foundation
import Hummingbird

/// The dashboard, served by the binary: the page, its script and style (DashboardPage), and
/// Chart.js from Debian's libjs-chart.js package (not copied into the project).
public enum Dashboard {
    /// Where Chart.js's UMD build is looked for, first found wins; `GRIDSHELL_CHARTJS` comes first.
    public static var chartJSPaths: [String] {
        [ProcessInfo.processInfo.environment["GRIDSHELL_CHARTJS"], "/usr/share/javascript/chart.js/chart.min.js", "/usr/share/javascript/chart.js/chart.js"]
            .compactMap { $0 }
    }

    static let chartJS: [UInt8]? = chartJSPaths.lazy.compactMap { FileManager.default.contents(atPath: $0) }.first.map(Array.init)

    static func add(to router: Router<APIContext>) {
        router.get("/") { _, _ in page(DashboardPage.html, "text/html; charset=utf-8") }
        router.get("/dashboard") { _, _ in page(DashboardPage.html, "text/html; charset=utf-8") }
        router.get("/assets/dashboard.js") { _, _ in page(DashboardPage.script, "text/javascript; charset=utf-8") }
        router.get("/assets/dashboard.css") { _, _ in page(DashboardPage.style, "text/css; charset=utf-8") }
        router.get("/assets/chart.min.js") { _, _ in
            guard let bytes = chartJS else {
                throw APIError(.notFound, "not-found", "Chart.js is not installed: apt-get install libjs-chart.js (or set GRIDSHELL_CHARTJS)")
            }
            return Response(
                status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "max-age=86400"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    static func page(_ text: String, _ type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
