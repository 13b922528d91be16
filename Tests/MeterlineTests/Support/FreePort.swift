import Foundation
import Glibc

/// A TCP port on 127.0.0.1 for a test's server that nothing holds now.
func freePort() throws -> Int {
    try freePorts(1)[0]
}

/// `count` different ports that nothing holds now. They are picked below the system's range for
/// outgoing connections (32768 and up), because a port the system hands out could be taken by
/// the suite's own connections before the server binds it; each is checked by binding it, and
/// stays bound until all are picked.
func freePorts(_ count: Int) throws -> [Int] {
    var descriptors: [Int32] = []
    defer { for descriptor in descriptors { close(descriptor) } }
    var ports: [Int] = []
    var tries = 0
    while ports.count < count {
        tries += 1
        guard tries < 1000 else { throw POSIXError(.EADDRINUSE) }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        descriptors.append(descriptor)
        let port = Int.random(in: 20_000..<32_768)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        if bound, !ports.contains(port) { ports.append(port) }
    }
    return ports
}
