import Testing
@testable import GridshellGrid
