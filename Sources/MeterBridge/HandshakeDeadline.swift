import HummingbirdCore
import Logging
import NIOCore

/// A connection that has not sent the whole head of its first request (a meter's upgrade, the
/// portal's call) within `limit` is closed. A server stopping gracefully waits for every
/// connection, and HTTP's own idle timeout starts only once a request is read: one client cut off
/// mid-handshake would otherwise keep the bridge from ever stopping, and hold a socket meanwhile.
struct HandshakeDeadline<Inner: ServerChildChannel>: ServerChildChannel {
    let inner: Inner
    let limit: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Inner.Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(Handler(limit: limit), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Inner.Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }

    /// First in the pipeline, it sees the bytes as they come: it closes the channel at the
    /// deadline unless the blank line that ends a request head has come by then, and leaves the
    /// pipeline when it has.
    final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer

        let limit: TimeAmount
        private var deadline: Scheduled<Void>?
        /// The last bytes seen, to find CR LF CR LF across reads.
        private var tail: [UInt8] = []

        init(limit: TimeAmount) {
            self.limit = limit
        }

        func handlerAdded(context: ChannelHandlerContext) {
            let channel = context.channel
            deadline = context.eventLoop.scheduleTask(in: limit) { channel.close(promise: nil) }
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            deadline?.cancel()
            deadline = nil
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let complete = deadline != nil && headEnds(in: unwrapInboundIn(data).readableBytesView)
            context.fireChannelRead(data)
            if complete {
                deadline?.cancel()
                deadline = nil
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            }
        }

        private func headEnds(in bytes: ByteBufferView) -> Bool {
            for byte in bytes {
                tail.append(byte)
                if tail.count > 4 { tail.removeFirst() }
                if tail == [13, 10, 13, 10] { return true }
            }
            return false
        }
    }
}
