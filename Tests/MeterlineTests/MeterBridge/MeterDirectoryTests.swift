import Foundation
import MeterBridge
import MeterProtocol
import Testing

@Suite("The bridge's directory of meters (BR-2)")
struct MeterDirectoryTests {
    @Test("a read-all names, for each meter that answered, the reading it answered with; a meter that stays silent is missing")
    func readAllNamesTheAnsweringReadings() async throws {
        let directory = MeterDirectory()
        let asked = AskedMeters()
        for serial in ["A-1", "B-2", "C-3"] {
            _ = directory.connected(serial) { _ in asked.append(serial) }
        }
        // A health message is not an answer; a reading is, and the later of two readings is not
        // counted twice.
        let meters = Task {
            while asked.count < 3 { try await Task.sleep(for: .milliseconds(5)) }
            directory.accepted(MeterMessage(kind: .health, meter: "A-1", sequence: 7, time: 0, decivolts: 2300))
            directory.accepted(MeterMessage(kind: .reading, meter: "A-1", sequence: 8, time: 0, wattHours: 1))
            directory.accepted(MeterMessage(kind: .reading, meter: "B-2", sequence: 40, time: 0, wattHours: 1))
            directory.accepted(MeterMessage(kind: .reading, meter: "A-1", sequence: 9, time: 0, wattHours: 2))
        }
        let result = await directory.readAll(ReadAllRequest(round: "r1", deadlineMilliseconds: 1_000))
        try await meters.value
        #expect(result.asked == 3 && result.answered == 2)
        #expect(result.missing == ["C-3"])
        #expect(result.answers == ["A-1": 8, "B-2": 40])
    }

    @Test("a read-all answer from a bridge that does not name its readings still decodes")
    func olderAnswerDecodes() throws {
        let json = #"{"round":"r","asked":2,"answered":1,"missing":["X"],"milliseconds":12}"#
        let result = try JSONDecoder().decode(ReadAllResult.self, from: Data(json.utf8))
        #expect(result.answered == 1 && result.answers.isEmpty)
    }
}

/// The meters the directory sent a read request to.
private final class AskedMeters: @unchecked Sendable {
    private let lock = NSLock()
    private var serials: [String] = []
    func append(_ serial: String) { lock.withLock { serials.append(serial) } }
    var count: Int { lock.withLock { serials.count } }
}
