/// Version of the meter <-> bridge <-> portal message format. The bridge issue (BR-*) fills this
/// module with the signed message envelope; the portal and bridge refuse a version they do not know.
public enum ProtocolVersion {
    public static let current: UInt8 = 1
}
