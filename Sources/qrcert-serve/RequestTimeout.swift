import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request has not arrived in full (head and body) within `timeout` of its head:
/// a client trickling a body a byte at a time holds a connection for that long at most. Before the head,
/// Hummingbird's idle timeout applies (a connection that sends nothing, or half a head, is closed by it).
/// Verification time is not counted: the clock stops when the request's end is read.
final class RequestTimeout: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    private var scheduled: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            scheduled?.cancel()
            let path = head.path ?? ""
            let loop = context.eventLoop.assumeIsolated()
            let contextBox = NIOLoopBound(context, eventLoop: context.eventLoop)
            scheduled = loop.scheduleTask(in: timeout) { [timeout] in
                LogLine("timeout").with("path", path).with("seconds", Int(timeout.nanoseconds / 1_000_000_000)).write()
                contextBox.value.close(promise: nil)
            }
        case .end:
            scheduled?.cancel()
            scheduled = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        scheduled?.cancel()
        scheduled = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        scheduled?.cancel()
        scheduled = nil
        context.fireChannelInactive()
    }
}
