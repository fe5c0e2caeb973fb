/// Bytes that answers are rendered into and written from: one growable block, reused for every answer of a run.
///
/// `verify -` writes tens of thousands of lines a second; appending them to a `[UInt8]` cost a uniqueness and a
/// capacity check and a call per piece (a key, a quote, a string), a third of the JSON line's instructions
/// (docs/PERFORMANCE.md). Here a piece is a capacity check and a copy, inlined into the caller. The buffer
/// belongs to one thread at a time; `bytes` hands its contents on as an array when it must cross to another.
public final class WriteBuffer {
    /// Where the bytes are, how many there are and how many fit. Kept behind a pointer the class never changes:
    /// a stored `var` of a class is checked for exclusive access at run time on every use from another module
    /// (`swift_beginAccess`, more than the copy itself).
    @usableFromInline struct State {
        @usableFromInline var base: UnsafeMutablePointer<UInt8>
        @usableFromInline var used: Int
        @usableFromInline var capacity: Int
    }

    @usableFromInline let state: UnsafeMutablePointer<State>

    /// An empty buffer with room for `capacity` bytes before it first grows.
    public init(capacity: Int = 1 << 16) {
        let capacity = max(capacity, 64)
        state = .allocate(capacity: 1)
        state.initialize(to: State(base: .allocate(capacity: capacity), used: 0, capacity: capacity))
    }

    deinit {
        state.pointee.base.deallocate()
        state.deallocate()
    }

    /// How many bytes are in the buffer.
    @inlinable public var count: Int { state.pointee.used }

    /// Whether the buffer holds no byte.
    @inlinable public var isEmpty: Bool { state.pointee.used == 0 }

    /// A copy of the contents.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: state.pointee.base, count: state.pointee.used)) }

    /// Empties the buffer, keeping its room.
    @inlinable public func removeAll() { state.pointee.used = 0 }

    /// Keeps the first `count` bytes and drops the rest (a value written, then found too long and cut).
    @inlinable public func truncate(to count: Int) {
        precondition(count >= 0 && count <= state.pointee.used, "WriteBuffer.truncate past the end")
        state.pointee.used = count
    }

    /// Calls `body` with the contents (valid only during the call).
    @inlinable public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: state.pointee.base, count: state.pointee.used))
    }

    /// Room for `count` more bytes at the end, to be filled by the caller and then claimed with `commit`.
    @inlinable public func reserve(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        if state.pointee.capacity - state.pointee.used < count { grow(count) }
        return state.pointee.base + state.pointee.used
    }

    /// Claims `count` bytes written into the room `reserve` returned.
    @inlinable public func commit(_ count: Int) {
        precondition(count >= 0 && state.pointee.used + count <= state.pointee.capacity, "WriteBuffer.commit past the reserved room")
        state.pointee.used += count
    }

    /// Appends one byte.
    @inlinable public func append(_ byte: UInt8) {
        if state.pointee.used == state.pointee.capacity { grow(1) }
        state.pointee.base[state.pointee.used] = byte
        state.pointee.used += 1
    }

    /// Appends `bytes`.
    @inlinable public func append(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard n > 0 else { return }
        if state.pointee.capacity - state.pointee.used < n { grow(n) }
        UnsafeMutableRawPointer(state.pointee.base + state.pointee.used).copyMemory(from: bytes.baseAddress!, byteCount: n)
        state.pointee.used += n
    }

    /// Appends the bytes of a literal (a key, a `null`, a separator).
    @inlinable public func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends `bytes`.
    @inlinable public func append(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Appends the UTF-8 of `text`.
    @inlinable public func append(utf8 text: String) {
        // The string's own bytes when it has them in one piece (native strings: no copy of the string first).
        if text.utf8.withContiguousStorageIfAvailable({ append(UnsafeRawBufferPointer($0)) }) != nil { return }
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends `byte` `count` times (padding).
    @inlinable public func append(repeating byte: UInt8, count: Int) {
        guard count > 0 else { return }
        if state.pointee.capacity - state.pointee.used < count { grow(count) }
        (state.pointee.base + state.pointee.used).initialize(repeating: byte, count: count)
        state.pointee.used += count
    }

    /// At least `count` more bytes of room, the capacity at least doubled.
    @usableFromInline func grow(_ count: Int) {
        let (needed, overflow) = state.pointee.used.addingReportingOverflow(count)
        precondition(!overflow, "WriteBuffer size overflow")
        var capacity = state.pointee.capacity * 2
        while capacity < needed { capacity *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        larger.initialize(from: state.pointee.base, count: state.pointee.used)
        state.pointee.base.deallocate()
        state.pointee.base = larger
        state.pointee.capacity = capacity
    }
}
